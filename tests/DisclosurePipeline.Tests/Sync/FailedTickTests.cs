using System.Text;
using Azure.Data.Tables;
using DisclosurePipeline.PublicData;
using DisclosurePipeline.Registry;
using DisclosurePipeline.Storage;
using DisclosurePipeline.Sync;
using DisclosurePipeline.Tests.Infrastructure;
using DisclosurePipeline.Tests.PublicData;
using Microsoft.Extensions.DependencyInjection;

namespace DisclosurePipeline.Tests.Sync;

/// <summary>
/// A scheduled tick that fails before it starts a run is recorded as a failed run the latest run shows — when the
/// platform is down (after the client's retries), and when storage is down (recorded by the next tick that reaches
/// storage) — and the sync state is left as it was, so the next good tick picks up where the last good one stopped.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class FailedTickTests
{
    private const int Entities = 12;
    private static SimulatorProcess simulator = null!;
    private static string registryCsv = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        simulator = await SimulatorProcess.StartAsync(Entities, seed: 5, context.CancellationToken);
        registryCsv = await simulator.Control.GetStringAsync($"sim/registry.csv?count={Entities}", context.CancellationToken);
    }

    [ClassCleanup]
    public static async Task StopAsync() => await simulator.DisposeAsync();

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task PlatformDown_TickRecordedAsFailedRunWithItsError_StateUntouched_NextTickRuns()
    {
        var ct = TestContext.CancellationToken;
        var azurite = await Azurite.GetAsync(ct);
        var names = StorageNames.Unique();
        var nothingListens = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        await using (var down = SyncServices.BuildProvider(azurite.ConnectionString, names, nothingListens))
        {
            await down.GetRequiredService<RegistryImport>().ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(registryCsv)), ct);
            await Assert.ThrowsAsync<PublicDataException>(() => down.GetRequiredService<ScheduledSync>().RunAsync(forceFull: false, ct));

            var failed = await down.GetRequiredService<ISyncRunStore>().GetLatestAsync(ct);
            Assert.IsNotNull(failed);
            Assert.AreEqual(SyncRunStatus.Failed, failed.Status);
            Assert.AreEqual(SyncRunOutcome.NoneSynced, SyncRunOutcomes.Of(failed));
            Assert.AreEqual(0, failed.EntitiesTotal);
            Assert.IsNotNull(failed.FinishedAt);
            StringAssert.Contains(failed.Error, "public data platform");
            Assert.IsNull(await down.GetRequiredService<ISyncStateStore>().GetAsync(ct), "a failed tick must not move the sync state");
        }

        await using var up = SyncServices.BuildProvider(azurite.ConnectionString, names, simulator.BaseUrl);
        var run = await up.GetRequiredService<ScheduledSync>().RunAsync(forceFull: false, ct);
        Assert.IsNotNull(run);
        Assert.AreEqual(Entities, run.EntitiesTotal, "the next tick is a full sync: the failed one never counted as one");
        Assert.AreEqual(run.RunId, (await up.GetRequiredService<ISyncRunStore>().GetLatestAsync(ct))!.RunId);
        Assert.IsNotNull((await up.GetRequiredService<ISyncStateStore>().GetAsync(ct))?.LastFullRunAt);
    }

    [TestMethod]
    [Timeout(180_000, CooperativeCancellation = true)]
    public async Task StorageDown_TickFails_AndIsRecordedByTheNextTickThatReachesStorage()
    {
        var ct = TestContext.CancellationToken;
        await using var azurite = await Azurite.StartAsync(ct);
        var names = StorageNames.Unique();
        await using var services = SyncServices.BuildProvider(azurite.ConnectionString, names, simulator.BaseUrl);
        await services.GetRequiredService<RegistryImport>().ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(registryCsv)), ct);
        var sync = services.GetRequiredService<ScheduledSync>();

        await azurite.StopAsync();
        try
        {
            var down = await Assert.ThrowsAsync<Exception>(() => sync.RunAsync(forceFull: false, ct));
            Assert.IsTrue(StorageFaults.IsOutage(down), down.ToString());
        }
        finally
        {
            await azurite.RestartAsync(ct);
        }

        var run = await sync.RunAsync(forceFull: false, ct);
        Assert.IsNotNull(run);
        Assert.AreEqual(run.RunId, (await services.GetRequiredService<ISyncRunStore>().GetLatestAsync(ct))!.RunId, "the good tick's run is the latest");

        var table = new TableClient(azurite.ConnectionString, names.Table(StorageNames.SyncRunsTable));
        var failedRows = table.QueryAsync<TableEntity>(e => e.PartitionKey == "run" && e.GetString("Status") == "failed", cancellationToken: ct);
        var failed = new List<TableEntity>();
        await foreach (var row in failedRows)
        {
            failed.Add(row);
        }

        Assert.HasCount(1, failed, "the failed tick is recorded once");
        Assert.AreEqual(0, failed[0].GetInt32("EntitiesTotal"));
        StringAssert.Contains(failed[0].GetString("Error"), "Storage could not be reached");
        Assert.IsTrue(
            string.CompareOrdinal(failed[0].GetString("StartedAt"), run.StartedAt.ToString("o", System.Globalization.CultureInfo.InvariantCulture)) < 0,
            "the failed tick started before the good one");
    }
}
