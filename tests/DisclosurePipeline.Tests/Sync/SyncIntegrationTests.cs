using System.Globalization;
using System.Text.Json;
using DisclosurePipeline.Domain;
using DisclosurePipeline.Functions;
using DisclosurePipeline.Storage;
using DisclosurePipeline.Tests.Infrastructure;
using DisclosurePipeline.Tests.PublicData;

namespace DisclosurePipeline.Tests.Sync;

/// <summary>
/// The sync services against a real Azurite and the simulator over HTTP: a full run lands exactly the
/// platform's data, a redelivered batch changes nothing, a withdrawn disclosure is followed, and a batch
/// that fails every delivery is counted as failed once it reaches the poison queue.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class SyncIntegrationTests
{
    private const int Entities = 300;
    private static SimulatorProcess simulator = null!;
    private static string registryCsv = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        simulator = await SimulatorProcess.StartAsync(Entities, seed: 23, context.CancellationToken);
        registryCsv = await simulator.Control.GetStringAsync($"sim/registry.csv?count={Entities}", context.CancellationToken);
    }

    [ClassCleanup]
    public static async Task StopAsync() => await simulator.DisposeAsync();

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task FullRun_FewHundredEntities_LandsThePlatformsDataExactly()
    {
        var ct = TestContext.CancellationToken;
        await using var sync = await SyncServices.CreateAsync(simulator, ct);
        await sync.ImportAsync(registryCsv, ct);

        var run = await sync.Scheduler.StartFullRunAsync(ct);
        var processed = await sync.DrainAsync(ct);

        Assert.AreEqual(run.BatchesTotal, processed);
        var finished = await sync.Runs.GetAsync(run.RunId, ct);
        Assert.AreEqual(SyncRunStatus.Completed, finished!.Status);
        Assert.AreEqual(Entities, finished.EntitiesTotal);
        Assert.AreEqual(Entities, finished.EntitiesSynced);
        Assert.AreEqual(0, finished.EntitiesFailed);

        var year = run.StartedAt.ToOffset(TimeSpan.FromHours(8)).Year;
        var stored = (await sync.Entities.ListAsync(ct)).ToDictionary(e => e.Id);
        var cases = (await sync.Cases.ListAllAsync(ct)).ToLookup(c => c.SupplierId);
        var unknown = 0;
        foreach (var (id, entity) in stored)
        {
            var truth = await simulator.EnterpriseAsync(id, ct, year);
            if (!(bool)truth["onPlatform"]!)
            {
                unknown++;
                Assert.IsTrue(entity.NotOnPlatform, $"{id} is unknown to the platform");
                Assert.IsEmpty(cases[id]);
                continue;
            }

            Assert.AreEqual(year, entity.DisclosureYear);
            Assert.AreEqual(State((string?)truth["prtr"]?["status"]), entity.Prtr.State, $"{id} PRTR");
            Assert.AreEqual(State((string?)truth["carbon"]?["status"]), entity.Carbon.State, $"{id} carbon");
            var records = truth["records"]!.AsArray();
            Assert.HasCount(records.Count, cases[id], $"{id} has one case per record");
            foreach (var record in records)
            {
                var c = cases[id].Single(x => x.RecordId == (string)record!["recordId"]!);
                Assert.AreEqual((string)record!["summary"]!, c.Summary, "text is byte-exact");
                Assert.AreEqual((string)record["authority"]!, c.Authority);
                Assert.AreEqual((string)record["status"]! == "removed", c.RecordRemoved);
                var published = DateTimeOffset.Parse((string)record["publishedAt"]!, CultureInfo.InvariantCulture);
                Assert.AreEqual(PlanDeadline.DueOn(published, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"), 10), c.PlanDueOn);
            }
        }

        Assert.IsGreaterThan(0, unknown, "the demo registry includes enterprises unknown to the platform");
        Assert.IsGreaterThan(500, cases.Max(g => g.Count()), "the paging enterprise's records all arrived");
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Batch_DeliveredTwice_LeavesExactlyTheSameStoredState()
    {
        var ct = TestContext.CancellationToken;
        await using var sync = await SyncServices.CreateAsync(simulator, ct);
        await sync.ImportAsync(registryCsv, ct);
        var run = await sync.Scheduler.StartFullRunAsync(ct);
        var messages = await sync.ReceiveAllAsync(ct);
        foreach (var message in messages)
        {
            await sync.Processor.ProcessAsync(message, ct);
        }

        var before = await sync.SnapshotAsync(ct);
        var again = await sync.Processor.ProcessAsync(messages[0], ct);
        var after = await sync.SnapshotAsync(ct);

        Assert.AreEqual(0, again.EntitiesWritten, "an unchanged batch writes no entity");
        Assert.AreEqual(0, again.CasesOpened + again.CasesUpdated, "and no case");
        CollectionAssert.AreEquivalent(before, after, "rows and their ETags are unchanged");
        var counted = await sync.Runs.GetAsync(run.RunId, ct);
        Assert.AreEqual(Entities, counted!.EntitiesSynced, "a redelivered batch counts once");
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task UnchangedResync_WritesNoEntityRow_ButTheRollupShowsWhenEachEntityWasLastFetched()
    {
        var ct = TestContext.CancellationToken;
        await using var sync = await SyncServices.CreateAsync(simulator, ct);
        await sync.ImportAsync(string.Join('\n', registryCsv.Split('\n').Take(41)), ct);
        await sync.Scheduler.StartFullRunAsync(ct);
        await sync.DrainAsync(ct);
        var firstSync = (await sync.Entities.ListAsync(ct)).ToDictionary(e => e.Id);
        var before = await sync.SnapshotAsync(ct);

        var resyncStarted = DateTimeOffset.UtcNow;
        await sync.Scheduler.StartFullRunAsync(ct);
        await sync.DrainAsync(ct);

        CollectionAssert.AreEquivalent(before, await sync.SnapshotAsync(ct), "the re-sync wrote no entity or case row");
        var rollup = await sync.Rollup.RunAsync(ct);
        var rows = await sync.Progress.ListEntityStatusAsync(rollup.Report.Year, ct);
        Assert.HasCount(40, rows);
        foreach (var row in rows)
        {
            Assert.IsNotNull(row.LastSyncedAt);
            Assert.IsGreaterThanOrEqualTo(resyncStarted, row.LastSyncedAt.Value, $"{row.Id} was fetched by the re-sync");
            Assert.IsGreaterThan(firstSync[row.Id].LastSyncedAt!.Value, row.LastSyncedAt.Value);
        }
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Disclosure_WithdrawnOnThePlatform_IsFollowedBackToInProgress()
    {
        var ct = TestContext.CancellationToken;
        await using var sync = await SyncServices.CreateAsync(simulator, ct);
        var id = await FirstKnownIdAsync(ct);
        await sync.ImportAsync($"id,name,kind\n{id},测试企业,supplier\n", ct);
        var year = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).Year;

        await simulator.PutDisclosuresAsync(id, new { year, prtr = "completed", carbon = "completed" }, ct);
        await sync.Scheduler.StartFullRunAsync(ct);
        await sync.DrainAsync(ct);
        var completed = await sync.Entities.GetAsync(id, ct);
        Assert.AreEqual(DisclosureState.Completed, completed!.Prtr.State);
        Assert.IsNotNull(completed.Prtr.CompletedAt);

        await simulator.PutDisclosuresAsync(id, new { year, prtr = "in_progress", carbon = "completed" }, ct);
        await sync.Scheduler.StartFullRunAsync(ct);
        await sync.DrainAsync(ct);
        var withdrawn = await sync.Entities.GetAsync(id, ct);

        Assert.AreEqual(DisclosureState.InProgress, withdrawn!.Prtr.State);
        Assert.IsNull(withdrawn.Prtr.CompletedAt);
        Assert.AreEqual(DisclosureState.Completed, withdrawn.Carbon.State);
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Functions_BatchFailsThenReachesPoison_FailsEachDeliveryThenCountsTheBatchAsFailed()
    {
        var ct = TestContext.CancellationToken;
        await using var sync = await SyncServices.CreateAsync(simulator, ct, platformUrl: new Uri($"http://127.0.0.1:{FreePort.Next()}/"));
        await sync.ImportAsync(registryCsv, ct);
        var run = await sync.Scheduler.StartFullRunAsync(ct);
        var messages = await sync.ReceiveAllAsync(ct);
        var functions = new SyncFunctions(sync.Scheduled, sync.Processor, sync.Runs, TimeProvider.System);

        await Assert.ThrowsAsync<Exception>(() => functions.SyncSupplierBatch(messages[0], ct));
        Assert.AreEqual(0, (await sync.Runs.GetAsync(run.RunId, ct))!.BatchesDone, "a failed delivery is only retried");

        var poisoned = JsonSerializer.Serialize(messages[0], JsonSerializerOptions.Web);
        await functions.RecordFailedSyncBatch(poisoned, ct);
        await functions.RecordFailedSyncBatch(poisoned, ct);
        var counted = await sync.Runs.GetAsync(run.RunId, ct);
        Assert.AreEqual(messages[0].Ids.Count, counted!.EntitiesFailed, "the poisoned batch is counted as failed, once");
        Assert.AreEqual(1, counted.BatchesDone);
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task ChangeFeed_BetweenFullSyncs_SyncsOnlyTheChangedRegisteredEntities()
    {
        var ct = TestContext.CancellationToken;
        await using var sync = await SyncServices.CreateAsync(simulator, ct);
        var lines = registryCsv.Split('\n').Where(l => l.Length > 0).ToList();
        await sync.ImportAsync(string.Join('\n', lines.Take(51)), ct);
        var first = await sync.Scheduled.RunAsync(forceFull: false, ct);
        Assert.AreEqual(50, first!.EntitiesTotal, "no cursor yet: a full sync");
        await sync.DrainAsync(ct);

        var registered = await FirstKnownIdAsync(ct, lines.Skip(1).Take(50));
        var unregistered = await FirstKnownIdAsync(ct, lines.Skip(60));
        var published = await simulator.PostControlAsync("sim/records", new { enterpriseId = registered, summary = "新披露的记录" }, ct);
        await simulator.PostControlAsync("sim/records", new { enterpriseId = unregistered }, ct);

        var incremental = await sync.Scheduled.RunAsync(forceFull: false, ct);
        Assert.IsNotNull(incremental);
        Assert.AreEqual(1, incremental.EntitiesTotal, "only the registered enterprise the feed named");
        await sync.DrainAsync(ct);
        var opened = await sync.Cases.GetAsync(registered, (string)published["recordId"]!, ct);
        Assert.AreEqual("新披露的记录", opened?.Summary);
        Assert.IsEmpty(await sync.Cases.ListForEntityAsync(unregistered, ct), "an unregistered enterprise gets no case");

        Assert.IsNull(await sync.Scheduled.RunAsync(forceFull: false, ct), "nothing changed since: no run");
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task ChangeFeed_CursorExpired_FallsBackToAFullSync()
    {
        var ct = TestContext.CancellationToken;
        await using var sync = await SyncServices.CreateAsync(simulator, ct);
        await sync.ImportAsync(string.Join('\n', registryCsv.Split('\n').Take(21)), ct);
        await sync.Scheduled.RunAsync(forceFull: false, ct);
        await sync.DrainAsync(ct);

        using (var expire = await simulator.Control.PostAsync("sim/changes/expire", null, ct))
        {
            expire.EnsureSuccessStatusCode();
        }

        var run = await sync.Scheduled.RunAsync(forceFull: false, ct);

        Assert.AreEqual(20, run!.EntitiesTotal, "410 Gone: the whole registry again");
    }

    private static async Task<string> FirstKnownIdAsync(CancellationToken ct, IEnumerable<string>? lines = null)
    {
        foreach (var line in (lines ?? registryCsv.Split('\n').Skip(1)).Where(l => l.Length > 0))
        {
            var id = line.Split(',')[0];
            if ((bool)(await simulator.EnterpriseAsync(id, ct))["onPlatform"]!)
            {
                return id;
            }
        }

        throw new AssertFailedException("no enterprise on the platform");
    }

    private static DisclosureState State(string? status) => status switch
    {
        "completed" => DisclosureState.Completed,
        "in_progress" => DisclosureState.InProgress,
        _ => DisclosureState.None,
    };
}
