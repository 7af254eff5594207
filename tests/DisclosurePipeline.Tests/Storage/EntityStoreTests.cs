using DisclosurePipeline.Domain;

namespace DisclosurePipeline.Tests.Storage;

[TestClass]
public sealed class EntityStoreTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task SaveFields_RegistryAndSyncWrittenSeparately_NeitherClobbersTheOther()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var id = TestIds.Uscc(1);
        var completedAt = new DateTimeOffset(2024, 3, 18, 10, 0, 0, TimeSpan.FromHours(8));
        var syncedAt = new DateTimeOffset(2024, 6, 1, 2, 0, 0, TimeSpan.Zero);

        await storage.Entities.SaveRegistryFieldsAsync([TestIds.Entity(id)], ct);
        await storage.Entities.SaveSyncFieldsAsync(
            [TestIds.Entity(id, name: "stale name from the sync's copy") with
            {
                DisclosureYear = 2024,
                Prtr = new DisclosureStatus(DisclosureState.Completed, completedAt),
                Carbon = new DisclosureStatus(DisclosureState.InProgress, null),
                NotOnPlatform = true,
                LastSyncedAt = syncedAt,
            }],
            ct);
        await storage.Entities.SaveRegistryFieldsAsync([new RegisteredEntity(id, "新名称有限公司", EntityKind.Subsidiary, 2, null, null)], ct);

        var stored = await storage.Entities.GetAsync(id, ct);
        Assert.IsNotNull(stored);
        Assert.AreEqual("新名称有限公司", stored.Name);
        Assert.AreEqual(EntityKind.Subsidiary, stored.Kind);
        Assert.AreEqual(2, stored.Tier);
        Assert.IsNull(stored.Region, "a region removed by the import is cleared, not kept");
        Assert.IsNull(stored.ContactEmail);
        Assert.AreEqual(2024, stored.DisclosureYear);
        Assert.AreEqual(new DisclosureStatus(DisclosureState.Completed, completedAt), stored.Prtr);
        Assert.AreEqual(TimeSpan.FromHours(8), stored.Prtr.CompletedAt!.Value.Offset, "the timestamp keeps its offset");
        Assert.AreEqual(new DisclosureStatus(DisclosureState.InProgress, null), stored.Carbon);
        Assert.IsTrue(stored.NotOnPlatform);
        Assert.AreEqual(syncedAt, stored.LastSyncedAt);
        Assert.IsFalse(string.IsNullOrEmpty(stored.ETag));

        // A withdrawn disclosure clears its completion time (a merge must overwrite, not skip, the empty value).
        await storage.Entities.SaveSyncFieldsAsync([stored with { Prtr = new DisclosureStatus(DisclosureState.InProgress, null), NotOnPlatform = false }], ct);
        var again = await storage.Entities.GetAsync(id, ct);
        Assert.AreEqual(new DisclosureStatus(DisclosureState.InProgress, null), again!.Prtr);
        Assert.IsFalse(again.NotOnPlatform);
        Assert.AreEqual("新名称有限公司", again.Name);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task GetAsync_UnknownId_ReturnsNull()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);

        Assert.IsNull(await storage.Entities.GetAsync(TestIds.Uscc(7), ct));
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task SaveSyncFields_EntityNotInRegistry_IsSkippedNotCreated()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var ids = TestIds.InOneShard("03", 3);
        await storage.Entities.SaveRegistryFieldsAsync([TestIds.Entity(ids[0]), TestIds.Entity(ids[2])], ct);

        await storage.Entities.SaveSyncFieldsAsync(ids.Select(id => TestIds.Entity(id) with { DisclosureYear = 2024 }).ToList(), ct);

        var all = await storage.Entities.ListAsync(ct);
        CollectionAssert.AreEqual(new[] { ids[0], ids[2] }, all.Select(e => e.Id).ToArray());
        Assert.IsTrue(all.All(e => e.DisclosureYear == 2024), "the other rows of the failed transaction were still written");
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task ListRangeAsync_OneShard_ReturnsIdsInClosedRangeOnly()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var shard = "05";
        var ids = TestIds.InOneShard(shard, 6);
        var otherShard = TestIds.Many(200).First(id => Uscc.Shard(id) != shard);
        await storage.Entities.SaveRegistryFieldsAsync(ids.Append(otherShard).Select(id => TestIds.Entity(id)).ToList(), ct);

        var range = await storage.Entities.ListRangeAsync(shard, ids[1], ids[4], ct);

        CollectionAssert.AreEqual(ids[1..5], range.Select(e => e.Id).ToList());
    }

    [TestMethod]
    [Timeout(60000, CooperativeCancellation = true)]
    public async Task SaveRegistryFields_MoreThanOneTransactionPerShard_WritesEveryEntity()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var ids = TestIds.Many(2500);
        Assert.IsTrue(ids.GroupBy(Uscc.Shard).Any(g => g.Count() > 100), "the test needs a shard with more than 100 entities");

        await storage.Entities.SaveRegistryFieldsAsync(ids.Select(id => TestIds.Entity(id, name: "企业" + id)).ToList(), ct);

        var all = await storage.Entities.ListAsync(ct);
        Assert.HasCount(ids.Count, all);
        var expectedOrder = ids.OrderBy(Uscc.Shard, StringComparer.Ordinal).ThenBy(id => id, StringComparer.Ordinal).ToList();
        CollectionAssert.AreEqual(expectedOrder, all.Select(e => e.Id).ToList(), "listed by shard, then id");
        Assert.IsTrue(all.All(e => e.Name == "企业" + e.Id));
    }
}
