using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DisclosurePipeline.Tests.Infrastructure;
using Microsoft.WindowsAzure.Storage;

namespace DisclosurePipeline.Tests.FunctionsHost;

/// <summary>Timer triggers through the real host, handler and Azurite (the fixture's Tick, schedule from %TickSchedule%).</summary>
[TestClass]
[DoNotParallelize]
public sealed class HostTimerTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Timer_EverySecondSchedule_FiresOnScheduleWithTimerPayload()
    {
        var ct = TestContext.CancellationToken;
        var azurite = await Azurite.GetAsync(ct);
        await using var host = await HostUnderTest.StartAsync(azurite, new Dictionary<string, string> { ["TickSchedule"] = "* * * * * *" }, ct);

        var runs = await host.WaitForInvocationsAsync("Tick", 2, ct);

        var first = runs[0]["payload"]!;
        var timer = first["Data"]!["timer"]!;
        Assert.IsTrue(timer["Schedule"]!["AdjustForDST"]!.GetValue<bool>());
        Assert.IsFalse(timer["IsPastDue"]!.GetValue<bool>());
        // A schedule that fires more than once a minute runs without the schedule monitor.
        Assert.IsNull(timer["ScheduleStatus"]);
        Assert.AreEqual("Tick", first["Metadata"]!["sys"]!["MethodName"]!.GetValue<string>());
        Assert.IsTrue(Guid.TryParse(runs[0]["headers"]!["X-Azure-Functions-InvocationId"]!.GetValue<string>(), out _));
        StringAssert.StartsWith(runs[0]["headers"]!["User-Agent"]!.GetValue<string>(), "Azure-Functions-Host/");
        // Runs happen on whole seconds, one per occurrence.
        var times = runs.Take(2).Select(r => DateTimeOffset.Parse(r["payload"]!["Metadata"]!["sys"]!["UtcNow"]!.GetValue<string>(), CultureInfo.InvariantCulture)).ToList();
        Assert.IsGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(900), times[1] - times[0]);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task AdminInvoke_TimerFunction_Returns202AndRunsIt()
    {
        var ct = TestContext.CancellationToken;
        var azurite = await Azurite.GetAsync(ct);
        // Once a year: nothing fires during the test unless the admin API asks.
        await using var host = await HostUnderTest.StartAsync(azurite, new Dictionary<string, string> { ["TickSchedule"] = "0 0 0 1 1 *" }, ct);

        using var response = await host.Http.PostAsJsonAsync("admin/functions/Tick", new { input = "" }, ct);
        Assert.AreEqual(HttpStatusCode.Accepted, response.StatusCode);

        var runs = await host.WaitForInvocationsAsync("Tick", 1, ct);
        var timer = runs[0]["payload"]!["Data"]!["timer"]!;
        Assert.IsFalse(timer["IsPastDue"]!.GetValue<bool>());
        // A yearly schedule is monitored: the status shows the next occurrence, New Year at midnight UTC.
        var next = DateTimeOffset.Parse(timer["ScheduleStatus"]!["Next"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        Assert.AreEqual((1, 1, 0, TimeSpan.Zero), (next.Month, next.Day, next.Hour, next.Offset));
        Assert.HasCount(1, runs);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task AdminInvoke_UnknownFunction_Returns404()
    {
        var ct = TestContext.CancellationToken;
        var azurite = await Azurite.GetAsync(ct);
        await using var host = await HostUnderTest.StartAsync(azurite, new Dictionary<string, string> { ["TickSchedule"] = "0 0 0 1 1 *" }, ct);

        using var response = await host.Http.PostAsJsonAsync("admin/functions/NoSuchFunction", new { input = "" }, ct);

        Assert.AreEqual(HttpStatusCode.NotFound, response.StatusCode);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Timer_MissedScheduleInStoredStatus_RunsOnceWithIsPastDue()
    {
        var ct = TestContext.CancellationToken;
        var azurite = await Azurite.GetAsync(ct);
        var hostId = HostUnderTest.NewHostId();
        // Daily at midnight; the stored status says it last ran two midnights ago, so yesterday's run was missed.
        var today = new DateTimeOffset(TimeProvider.System.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);
        var (last, missed) = (today.AddDays(-2), today.AddDays(-1));
        var blob = StatusBlob(azurite, hostId);
        await blob.Container.CreateIfNotExistsAsync(Microsoft.WindowsAzure.Storage.Blob.BlobContainerPublicAccessType.Off, null, null, ct);
        await blob.UploadTextAsync(
            new JsonObject { ["Last"] = last.ToString("o"), ["Next"] = missed.ToString("o"), ["LastUpdated"] = last.ToString("o") }.ToJsonString(),
            null, null, null, null, ct);

        await using var host = await HostUnderTest.StartAsync(azurite, new Dictionary<string, string> { ["TickSchedule"] = "0 0 0 * * *" }, ct, hostId: hostId);
        var runs = await host.WaitForInvocationsAsync("Tick", 1, ct);

        var timer = runs[0]["payload"]!["Data"]!["timer"]!;
        Assert.IsTrue(timer["IsPastDue"]!.GetValue<bool>());
        Assert.AreEqual(missed, DateTimeOffset.Parse(timer["ScheduleStatus"]!["Next"]!.GetValue<string>(), CultureInfo.InvariantCulture));
        // The run is recorded: Last is the missed occurrence, Next the coming midnight.
        var stored = await WaitForStatusAsync(blob, s => s["Last"] is not null && DateTimeOffset.Parse(s["Last"]!.GetValue<string>(), CultureInfo.InvariantCulture) == missed, ct);
        Assert.AreEqual(today.AddDays(1), DateTimeOffset.Parse(stored["Next"]!.GetValue<string>(), CultureInfo.InvariantCulture));
        Assert.HasCount(1, host.Invocations("Tick"));
    }

    private static Microsoft.WindowsAzure.Storage.Blob.CloudBlockBlob StatusBlob(Azurite azurite, string hostId) =>
        CloudStorageAccount.Parse(azurite.ConnectionString).CreateCloudBlobClient()
            .GetContainerReference("azure-webjobs-hosts")
            .GetBlockBlobReference($"timers/{hostId}/Tick/status");

    private static async Task<JsonObject> WaitForStatusAsync(Microsoft.WindowsAzure.Storage.Blob.CloudBlockBlob blob, Func<JsonObject, bool> condition, CancellationToken ct)
    {
        while (true)
        {
            if (JsonNode.Parse(await blob.DownloadTextAsync(null, null, null, null, ct)) is JsonObject status && condition(status))
            {
                return status;
            }

            await Task.Delay(50, ct);
        }
    }
}
