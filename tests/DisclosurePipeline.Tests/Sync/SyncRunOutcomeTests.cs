using DisclosurePipeline.Storage;
using DisclosurePipeline.Sync;

namespace DisclosurePipeline.Tests.Sync;

/// <summary>What <c>outcome</c> says about a run, from its status and counters.</summary>
[TestClass]
public sealed class SyncRunOutcomeTests
{
    private static readonly DateTimeOffset Start = new(2024, 6, 1, 18, 0, 0, TimeSpan.Zero);

    [TestMethod]
    public void Of_RunningRun_IsNull() =>
        Assert.IsNull(SyncRunOutcomes.Of(Run(SyncRunStatus.Running, total: 10, synced: 4, failed: 0)));

    [TestMethod]
    public void Of_CompletedWithEveryEntitySynced_IsAllSynced()
    {
        Assert.AreEqual(SyncRunOutcome.AllSynced, SyncRunOutcomes.Of(Run(SyncRunStatus.Completed, total: 10, synced: 10, failed: 0)));
        Assert.AreEqual(SyncRunOutcome.AllSynced, SyncRunOutcomes.Of(Run(SyncRunStatus.Completed, total: 0, synced: 0, failed: 0)), "an empty registry");
    }

    [TestMethod]
    public void Of_CompletedWithEveryEntityFailed_IsNoneSynced() =>
        Assert.AreEqual(SyncRunOutcome.NoneSynced, SyncRunOutcomes.Of(Run(SyncRunStatus.Completed, total: 320, synced: 0, failed: 320)));

    [TestMethod]
    public void Of_CompletedWithSomeFailed_IsPartial() =>
        Assert.AreEqual(SyncRunOutcome.Partial, SyncRunOutcomes.Of(Run(SyncRunStatus.Completed, total: 10, synced: 7, failed: 3)));

    [TestMethod]
    public void Of_FailedRun_IsPartialOrNoneSynced()
    {
        Assert.AreEqual(SyncRunOutcome.Partial, SyncRunOutcomes.Of(Run(SyncRunStatus.Failed, total: 10, synced: 7, failed: 0)));
        Assert.AreEqual(SyncRunOutcome.NoneSynced, SyncRunOutcomes.Of(Run(SyncRunStatus.Failed, total: 0, synced: 0, failed: 0)), "a tick that failed before a run started");
    }

    private static SyncRun Run(SyncRunStatus status, int total, int synced, int failed) =>
        new("run", Start, total, 1) { Status = status, EntitiesSynced = synced, EntitiesFailed = failed };
}
