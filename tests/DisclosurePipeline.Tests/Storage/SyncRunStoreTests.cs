using DisclosurePipeline.Storage;

namespace DisclosurePipeline.Tests.Storage;

[TestClass]
public sealed class SyncRunStoreTests
{
    private static readonly DateTimeOffset Start = new(2024, 6, 1, 2, 0, 0, TimeSpan.Zero);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task RecordBatch_CountersSummedFromBatches_RedeliveryCountsOnce_CompletesWhenAllIn()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        await storage.SyncRuns.CreateAsync(new SyncRun("run-1", Start, EntitiesTotal: 250, BatchesTotal: 3), ct);

        var afterFirst = (await storage.SyncRuns.RecordBatchAsync(new SyncBatchResult("run-1", 0, 100, 0, Start.AddMinutes(1)), ct))!;
        Assert.AreEqual(SyncRunStatus.Running, afterFirst.Status);
        Assert.AreEqual(100, afterFirst.EntitiesSynced);

        // Batch 1 is delivered twice; its second outcome replaces the first.
        await storage.SyncRuns.RecordBatchAsync(new SyncBatchResult("run-1", 1, 97, 3, Start.AddMinutes(2)), ct);
        var redelivered = (await storage.SyncRuns.RecordBatchAsync(new SyncBatchResult("run-1", 1, 98, 2, Start.AddMinutes(3)), ct))!;
        Assert.AreEqual(2, redelivered.BatchesDone);
        Assert.AreEqual(198, redelivered.EntitiesSynced);
        Assert.AreEqual(2, redelivered.EntitiesFailed);
        Assert.AreEqual(SyncRunStatus.Running, redelivered.Status);
        Assert.IsNull(redelivered.FinishedAt);

        var last = (await storage.SyncRuns.RecordBatchAsync(new SyncBatchResult("run-1", 2, 50, 0, Start.AddMinutes(2.5)), ct))!;
        Assert.AreEqual(SyncRunStatus.Completed, last.Status);
        Assert.AreEqual(Start.AddMinutes(3), last.FinishedAt, "the latest batch finish, not the last recorded");
        Assert.AreEqual(248, last.EntitiesSynced);
        Assert.AreEqual(2, last.EntitiesFailed);

        var read = await storage.SyncRuns.GetAsync("run-1", ct);
        Assert.AreEqual(last, read);

        // A batch delivered once more after completion changes nothing.
        Assert.AreEqual(last, await storage.SyncRuns.RecordBatchAsync(new SyncBatchResult("run-1", 2, 50, 0, Start.AddMinutes(2.5)), ct));
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task GetLatest_ReturnsMostRecentlyStartedRun_NullBeforeTheFirst()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        Assert.IsNull(await storage.SyncRuns.GetLatestAsync(ct));

        await storage.SyncRuns.CreateAsync(new SyncRun("b-newer", Start.AddDays(1), 10, 1), ct);
        await storage.SyncRuns.CreateAsync(new SyncRun("a-older", Start, 10, 1), ct);
        await storage.SyncRuns.CreateAsync(new SyncRun("c-oldest", Start.AddDays(-1), 10, 1), ct);

        var latest = await storage.SyncRuns.GetLatestAsync(ct);
        Assert.AreEqual("b-newer", latest!.RunId);
        Assert.AreEqual(Start.AddDays(1), latest.StartedAt);
        Assert.AreEqual(SyncRunStatus.Running, latest.Status);
        Assert.IsNull(await storage.SyncRuns.GetAsync("unknown", ct));
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Create_SameRunTwice_KeepsTheFirst()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        await storage.SyncRuns.CreateAsync(new SyncRun("run-1", Start, 10, 1), ct);

        await storage.SyncRuns.CreateAsync(new SyncRun("run-1", Start, 99, 9), ct);

        Assert.AreEqual(10, (await storage.SyncRuns.GetAsync("run-1", ct))!.EntitiesTotal);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task MarkFailed_RunningRun_StaysFailedWhenLaterBatchesArrive_CompletedRunIsNotFailed()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        await storage.SyncRuns.CreateAsync(new SyncRun("fails", Start, 20, 2), ct);
        await storage.SyncRuns.CreateAsync(new SyncRun("completes", Start.AddHours(1), 10, 1), ct);

        await storage.SyncRuns.MarkFailedAsync("fails", Start.AddMinutes(5), "test: marked failed", ct);
        await storage.SyncRuns.RecordBatchAsync(new SyncBatchResult("fails", 0, 10, 0, Start.AddMinutes(6)), ct);
        var failed = (await storage.SyncRuns.RecordBatchAsync(new SyncBatchResult("fails", 1, 10, 0, Start.AddMinutes(7)), ct))!;
        Assert.AreEqual(SyncRunStatus.Failed, failed.Status);
        Assert.AreEqual(Start.AddMinutes(5), failed.FinishedAt);
        Assert.AreEqual(20, failed.EntitiesSynced);

        await storage.SyncRuns.RecordBatchAsync(new SyncBatchResult("completes", 0, 10, 0, Start.AddHours(1.5)), ct);
        await storage.SyncRuns.MarkFailedAsync("completes", Start.AddHours(2), "test: marked failed", ct);
        Assert.AreEqual(SyncRunStatus.Completed, (await storage.SyncRuns.GetAsync("completes", ct))!.Status);
    }

    [TestMethod]
    [Timeout(60000, CooperativeCancellation = true)]
    public async Task RecordBatch_ManyBatches_OnlyTheLastOnesReadTheRun_ReadersSeeCompletionWhicheverBatchCameLast()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        const int batches = 30;
        await storage.SyncRuns.CreateAsync(new SyncRun("long", Start, batches * 10, batches), ct);

        // The last batches by number arrive first; the run's first batch is the last one in.
        for (var n = batches - 1; n >= 1; n--)
        {
            var run = await storage.SyncRuns.RecordBatchAsync(new SyncBatchResult("long", n, 10, 0, Start.AddMinutes(n)), ct);
            Assert.AreEqual(n >= batches - 8, run is not null, $"batch {n}: only the last batches by number look at the run");
            Assert.AreEqual(SyncRunStatus.Running, run?.Status ?? SyncRunStatus.Running);
        }

        Assert.IsNull(await storage.SyncRuns.RecordBatchAsync(new SyncBatchResult("long", 0, 9, 1, Start.AddMinutes(40)), ct));

        var read = await storage.SyncRuns.GetLatestAsync(ct);
        Assert.AreEqual(SyncRunStatus.Completed, read!.Status);
        Assert.AreEqual(Start.AddMinutes(40), read.FinishedAt);
        Assert.AreEqual(batches * 10 - 1, read.EntitiesSynced);
        Assert.AreEqual(1, read.EntitiesFailed);
        Assert.AreEqual(batches, read.BatchesDone);

        // The reader stored the completion: the run row itself now says completed, so it cannot be failed any more.
        await storage.SyncRuns.MarkFailedAsync("long", Start.AddHours(7), "test: marked failed", ct);
        var row = await storage.RawTable(StorageNames.SyncRunsTable).GetEntityAsync<Azure.Data.Tables.TableEntity>("run", "id|long", null, ct);
        Assert.AreEqual("completed", row.Value.GetString("Status"));
        Assert.AreEqual(read, await storage.SyncRuns.GetAsync("long", ct));
    }

    [TestMethod]
    [Timeout(60000, CooperativeCancellation = true)]
    public async Task RecordCoverage_ManyBatchesAtOnce_EveryRowIsStoredAndTheLatestTimeWins()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var ids = TestIds.InOneShard("03", 120);

        await Parallel.ForEachAsync(
            Enumerable.Range(0, 60),
            new ParallelOptions { MaxDegreeOfParallelism = 12, CancellationToken = ct },
            async (i, token) => await storage.SyncRuns.RecordCoverageAsync(new SyncCoverage("03", ids[2 * i], ids[(2 * i) + 1], Start.AddMinutes(i)), token));
        await storage.SyncRuns.RecordCoverageAsync(new SyncCoverage("03", ids[0], ids[1], Start.AddHours(1)), ct);

        var coverage = await storage.SyncRuns.ListCoverageAsync(ct);
        Assert.HasCount(60, coverage);
        Assert.AreEqual(Start.AddHours(1), coverage.Single(c => c.FirstId == ids[0]).SyncedAt);
        Assert.AreEqual(Start.AddMinutes(59), coverage.Single(c => c.FirstId == ids[118]).SyncedAt);
        Assert.AreEqual(ids[119], coverage.Single(c => c.FirstId == ids[118]).LastId);
        Assert.AreEqual(Start.AddMinutes(59), SyncCoverage.LatestFor(ids[119], coverage.ToLookup(c => c.Shard)));
    }
}
