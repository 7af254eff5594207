using DisclosurePipeline.Domain;
using DisclosurePipeline.Sync;

namespace DisclosurePipeline.Tests.Sync;

[TestClass]
public sealed class SyncSchedulerTests
{
    [TestMethod]
    public void Cut_ManyIds_MakesSortedSingleShardBatchesOfAtMostOneHundred()
    {
        var ids = Enumerable.Range(0, 2500).Select(i => MakeId(i)).ToList();

        var batches = SyncScheduler.Cut(ids.Concat(ids.Take(10)), "run-1", 2026);

        Assert.AreEqual(2500, batches.Sum(b => b.Ids.Count), "every id once, duplicates dropped");
        CollectionAssert.AreEquivalent(ids, batches.SelectMany(b => b.Ids).ToList());
        foreach (var batch in batches)
        {
            Assert.IsLessThanOrEqualTo(SyncScheduler.BatchSize, batch.Ids.Count);
            Assert.IsTrue(batch.Ids.All(id => Uscc.Shard(id) == batch.Shard), "a batch stays in one shard");
            CollectionAssert.AreEqual(batch.Ids.Order(StringComparer.Ordinal).ToList(), batch.Ids.ToList(), "ids are sorted");
            Assert.AreEqual("run-1", batch.RunId);
            Assert.AreEqual(2026, batch.Year);
        }

        CollectionAssert.AreEqual(Enumerable.Range(0, batches.Count).ToList(), batches.Select(b => b.BatchNumber).ToList());
    }

    [TestMethod]
    public void Cut_NoIds_MakesNoBatches()
    {
        Assert.IsEmpty(SyncScheduler.Cut([], "run-1", 2026));
    }

    internal static string MakeId(int i)
    {
        var prefix = "9144030" + i.ToString("D10", System.Globalization.CultureInfo.InvariantCulture);
        return prefix + Uscc.CheckCharacter(prefix);
    }
}
