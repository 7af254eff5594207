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

        var afterFirst = await storage.SyncRuns.RecordBatchAsync(new SyncBatchResult("run-1", 0, 100, 0, Start.AddMinutes(1)), ct);
        Assert.AreEqual(SyncRunStatus.Running, afterFirst.Status);
        Assert.AreEqual(100, afterFirst.EntitiesSynced);

        // Batch 1 is delivered twice; its second outcome replaces the first.
        await storage.SyncRuns.RecordBatchAsync(new SyncBatchResult("run-1", 1, 97, 3, Start.AddMinutes(2)), ct);
        var redelivered = await storage.SyncRuns.RecordBatchAsync(new SyncBatchResult("run-1", 1, 98, 2, Start.AddMinutes(3)), ct);
        Assert.AreEqual(2, redelivered.BatchesDone);
        Assert.AreEqual(198, redelivered.EntitiesSynced);
        Assert.AreEqual(2, redelivered.EntitiesFailed);
        Assert.AreEqual(SyncRunStatus.Running, redelivered.Status);
        Assert.IsNull(redelivered.FinishedAt);

        var last = await storage.SyncRuns.RecordBatchAsync(new SyncBatchResult("run-1", 2, 50, 0, Start.AddMinutes(2.5)), ct);
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

        await storage.SyncRuns.MarkFailedAsync("fails", Start.AddMinutes(5), ct);
        await storage.SyncRuns.RecordBatchAsync(new SyncBatchResult("fails", 0, 10, 0, Start.AddMinutes(6)), ct);
        var failed = await storage.SyncRuns.RecordBatchAsync(new SyncBatchResult("fails", 1, 10, 0, Start.AddMinutes(7)), ct);
        Assert.AreEqual(SyncRunStatus.Failed, failed.Status);
        Assert.AreEqual(Start.AddMinutes(5), failed.FinishedAt);
        Assert.AreEqual(20, failed.EntitiesSynced);

        await storage.SyncRuns.RecordBatchAsync(new SyncBatchResult("completes", 0, 10, 0, Start.AddHours(1.5)), ct);
        await storage.SyncRuns.MarkFailedAsync("completes", Start.AddHours(2), ct);
        Assert.AreEqual(SyncRunStatus.Completed, (await storage.SyncRuns.GetAsync("completes", ct))!.Status);
    }
}
