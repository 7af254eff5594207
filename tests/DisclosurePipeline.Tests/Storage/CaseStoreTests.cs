using DisclosurePipeline.Domain;

namespace DisclosurePipeline.Tests.Storage;

[TestClass]
public sealed class CaseStoreTests
{
    private static readonly DateTimeOffset Published = new(2024, 5, 3, 9, 12, 0, TimeSpan.FromHours(8));

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task ApplySync_SameOpenedCasesTwice_LeavesExistingRowsAsTheyAre()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var supplier = TestIds.Uscc(11);
        var first = Case(supplier, "BM-2024-0001");
        var second = Case(supplier, "BM-2024-0002");
        await storage.Cases.ApplySyncAsync([first, second], [], ct);

        // A review moves the deadline of the first case.
        var stored = await storage.Cases.GetAsync(supplier, first.RecordId, ct);
        Assert.IsTrue(await storage.Cases.TryReplaceAsync(stored! with { PlanDueOn = new DateOnly(2024, 7, 1) }, ct));
        var afterReview = await storage.Cases.GetAsync(supplier, first.RecordId, ct);

        // The batch is delivered again, with one more record the first delivery did not have.
        var third = Case(supplier, "BM-2024-0003");
        await storage.Cases.ApplySyncAsync([first, second, third], [], ct);

        var cases = await storage.Cases.ListForEntityAsync(supplier, ct);
        Assert.HasCount(3, cases);
        var again = cases.Single(c => c.RecordId == first.RecordId);
        Assert.AreEqual(new DateOnly(2024, 7, 1), again.PlanDueOn);
        Assert.AreEqual(afterReview!.ETag, again.ETag, "the existing row was not written at all");
        Assert.AreEqual(third with { ETag = cases.Single(c => c.RecordId == third.RecordId).ETag }, cases.Single(c => c.RecordId == third.RecordId));
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task ApplySync_Updated_MergesRecordFieldsAndKeepsTheDeadline()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var supplier = TestIds.Uscc(12);
        var opened = Case(supplier, "BM-2024-0100");
        await storage.Cases.ApplySyncAsync([opened], [], ct);
        var reviewed = await storage.Cases.GetAsync(supplier, opened.RecordId, ct);
        Assert.IsTrue(await storage.Cases.TryReplaceAsync(reviewed! with { PlanDueOn = new DateOnly(2024, 8, 8) }, ct));

        // The sync's copy still has the old deadline; only the record fields may be written.
        var removedAt = new DateTimeOffset(2024, 9, 1, 8, 0, 0, TimeSpan.FromHours(8));
        var removed = opened with { RecordRemoved = true, RemovedAt = removedAt, DocumentNumber = null, PenaltyAmountCny = null, Summary = "已整改" };
        await storage.Cases.ApplySyncAsync([], [removed], ct);

        var stored = await storage.Cases.GetAsync(supplier, opened.RecordId, ct);
        Assert.IsNotNull(stored);
        Assert.AreEqual(new DateOnly(2024, 8, 8), stored.PlanDueOn);
        Assert.IsTrue(stored.RecordRemoved);
        Assert.AreEqual(removedAt, stored.RemovedAt);
        Assert.IsNull(stored.DocumentNumber);
        Assert.IsNull(stored.PenaltyAmountCny);
        Assert.AreEqual("已整改", stored.Summary);
        Assert.AreEqual(opened.OpenedAt, stored.OpenedAt);

        // A revoked removal clears the removal time again.
        await storage.Cases.ApplySyncAsync([], [removed with { RecordRemoved = false, RemovedAt = null }], ct);
        var revoked = await storage.Cases.GetAsync(supplier, opened.RecordId, ct);
        Assert.IsFalse(revoked!.RecordRemoved);
        Assert.IsNull(revoked.RemovedAt);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Get_AfterInsert_RoundTripsEveryFieldExactly()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var opened = Case(TestIds.Uscc(13), "BM-2024-0200") with { PenaltyAmountCny = 120000.50m };
        await storage.Cases.ApplySyncAsync([opened], [], ct);

        var stored = await storage.Cases.GetAsync(opened.SupplierId, opened.RecordId, ct);

        Assert.IsNotNull(stored);
        Assert.IsFalse(string.IsNullOrEmpty(stored.ETag));
        Assert.AreEqual(opened with { ETag = stored.ETag }, stored);
        Assert.AreEqual("120000.50", stored.PenaltyAmountCny!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "scale kept");
        Assert.AreEqual(TimeSpan.FromHours(8), stored.PublishedAt.Offset);
        Assert.IsTrue(stored.HasSameRecord(Record(opened)));
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task TryReplace_StaleETag_ReturnsFalseAndKeepsTheOtherWrite()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var opened = Case(TestIds.Uscc(14), "BM-2024-0300");
        await storage.Cases.ApplySyncAsync([opened], [], ct);
        var readByA = await storage.Cases.GetAsync(opened.SupplierId, opened.RecordId, ct);
        var readByB = await storage.Cases.GetAsync(opened.SupplierId, opened.RecordId, ct);

        Assert.IsTrue(await storage.Cases.TryReplaceAsync(readByA! with { PlanDueOn = new DateOnly(2024, 6, 20) }, ct));
        Assert.IsFalse(await storage.Cases.TryReplaceAsync(readByB! with { PlanDueOn = new DateOnly(2024, 6, 30) }, ct));

        var stored = await storage.Cases.GetAsync(opened.SupplierId, opened.RecordId, ct);
        Assert.AreEqual(new DateOnly(2024, 6, 20), stored!.PlanDueOn);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task TryReplace_CaseDeletedOrNeverStored_ReturnsFalse()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        await storage.Cases.ApplySyncAsync([Case(TestIds.Uscc(15), "BM-1")], [], ct);

        Assert.IsFalse(await storage.Cases.TryReplaceAsync(Case(TestIds.Uscc(15), "BM-2") with { ETag = "W/\"datetime'2024-01-01T00%3A00%3A00.0000000Z'\"" }, ct));
        await Assert.ThrowsExactlyAsync<ArgumentException>(() => storage.Cases.TryReplaceAsync(Case(TestIds.Uscc(15), "BM-1"), ct));
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task ListRange_IncludesEveryRecordOfBothEndsAndNothingOutside()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var shard = "09";
        var ids = TestIds.InOneShard(shard, 5);
        var cases = ids.SelectMany(id => new[] { Case(id, "A-1"), Case(id, "Z-9"), Case(id, "~last") }).ToList();
        await storage.Cases.ApplySyncAsync(cases, [], ct);

        var range = await storage.Cases.ListRangeAsync(shard, ids[1], ids[3], ct);

        CollectionAssert.AreEquivalent(
            cases.Where(c => string.CompareOrdinal(c.SupplierId, ids[1]) >= 0 && string.CompareOrdinal(c.SupplierId, ids[3]) <= 0)
                .Select(c => c.SupplierId + "/" + c.RecordId).ToList(),
            range.Select(c => c.SupplierId + "/" + c.RecordId).ToList());
        Assert.HasCount(9, range);
        Assert.HasCount(3, await storage.Cases.ListForEntityAsync(ids[4], ct));
        Assert.HasCount(15, await storage.Cases.ListAllAsync(ct));
    }

    private static ViolationCase Case(string supplierId, string recordId) =>
        ViolationCase.Open(
            new ViolationRecord(
                recordId, supplierId, "深圳市某某电子有限公司", "深圳市生态环境局", "深环罚〔2024〕123号", "water", "超标排放废水",
                120000.00m, new DateOnly(2024, 4, 28), Published, false, null),
            new DateOnly(2024, 5, 13),
            new DateTimeOffset(2024, 5, 3, 2, 0, 0, TimeSpan.Zero));

    private static ViolationRecord Record(ViolationCase c) =>
        new(c.RecordId, c.SupplierId, "", c.Authority, c.DocumentNumber, c.Category, c.Summary, c.PenaltyAmountCny, c.IssuedOn, c.PublishedAt, c.RecordRemoved, c.RemovedAt);
}
