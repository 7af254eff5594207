extern alias FunctionsHostTool;

using Azure.Storage.Blobs;
using ScheduleStatus = FunctionsHostTool::FunctionsHost.ScheduleStatus;
using ScheduleMonitor = FunctionsHostTool::FunctionsHost.ScheduleMonitor;

namespace DisclosurePipeline.Tests.FunctionsHost;

/// <summary>Timers through the real host and worker: runOnStartup, the schedule monitor, past-due runs, NCRONTAB firing.</summary>
[TestClass]
public sealed class HostTimerTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(120000, CooperativeCancellation = true)]
    public async Task RunOnStartupWithoutMonitor_RunsOnceAtStartWithoutStatus()
    {
        var ct = TestContext.CancellationToken;
        await using var host = await HostUnderTest.StartAsync(ct);

        var run = (await host.WaitForInvocationsAsync("Startup", 1, ct))[0];

        Assert.IsFalse(run["isPastDue"]!.GetValue<bool>());
        Assert.IsFalse(run["hasStatus"]!.GetValue<bool>());
        Assert.IsFalse(string.IsNullOrEmpty(run["bindingData"]!["TimerTrigger"]!.GetValue<string>()));
    }

    [TestMethod]
    [Timeout(120000, CooperativeCancellation = true)]
    public async Task AdminInvoke_Timer_RunsNowWithScheduleStatusAndWritesStatusBlob()
    {
        var ct = TestContext.CancellationToken;
        await using var host = await HostUnderTest.StartAsync(ct);

        using var response = await host.Http.PostAsync("admin/functions/Tick", new StringContent("{}"), ct);
        var run = (await host.WaitForInvocationsAsync("Tick", 1, ct))[0];

        Assert.AreEqual(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        Assert.IsFalse(run["isPastDue"]!.GetValue<bool>());
        Assert.IsTrue(run["hasStatus"]!.GetValue<bool>());
        Assert.AreEqual(NextNewYear(), DateTimeOffset.Parse(run["next"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime());
        var stored = await ReadStatusAsync(host, ct);
        Assert.AreEqual(NextNewYear(), stored!.Next);
        Assert.AreEqual(DateTimeOffset.MinValue, stored.Last);
    }

    [TestMethod]
    [Timeout(120000, CooperativeCancellation = true)]
    public async Task StoredNextInThePast_RunsOnceAtStartAsPastDue()
    {
        var ct = TestContext.CancellationToken;
        var azurite = await DisclosurePipeline.Tests.Infrastructure.Azurite.GetAsync(ct);
        var hostId = HostUnderTest.NewHostId();
        var last = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await new ScheduleMonitor(azurite.ConnectionString, hostId)
            .UpdateStatusAsync("Tick", new ScheduleStatus(last, last.AddYears(1), last), ct);

        await using var host = await HostUnderTest.StartAsync(ct, hostId: hostId);
        var run = (await host.WaitForInvocationsAsync("Tick", 1, ct))[0];

        Assert.IsTrue(run["isPastDue"]!.GetValue<bool>());
        Assert.AreEqual(last, DateTimeOffset.Parse(run["last"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime());
    }

    [TestMethod]
    [Timeout(120000, CooperativeCancellation = true)]
    public async Task EveryTwoSecondsSchedule_FiresRepeatedlyWithoutMonitor()
    {
        var ct = TestContext.CancellationToken;
        await using var host = await HostUnderTest.StartAsync(ct, s => s["TickSchedule"] = "*/2 * * * * *");

        var runs = await host.WaitForInvocationsAsync("Tick", 2, ct);

        Assert.IsTrue(runs.All(r => !r["hasStatus"]!.GetValue<bool>()));
        Assert.IsTrue(runs.All(r => !r["isPastDue"]!.GetValue<bool>()));
    }

    private static DateTimeOffset NextNewYear() => new(DateTimeOffset.UtcNow.Year + 1, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static async Task<ScheduleStatus?> ReadStatusAsync(HostUnderTest host, CancellationToken ct)
    {
        var blob = new BlobContainerClient(host.Azurite.ConnectionString, ScheduleMonitor.ContainerName)
            .GetBlobClient(ScheduleMonitor.BlobName(host.HostId, "Tick"));
        // Written at start by the schedule monitor; a run from the admin API shows it without advancing it.
        while (!await blob.ExistsAsync(ct))
        {
            await Task.Delay(50, ct);
        }

        return ScheduleStatus.FromJson((await blob.DownloadContentAsync(ct)).Value.Content.ToString());
    }

}
