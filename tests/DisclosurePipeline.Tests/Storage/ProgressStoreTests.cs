using DisclosurePipeline.Progress;
using DisclosurePipeline.Storage;

namespace DisclosurePipeline.Tests.Storage;

[TestClass]
public sealed class ProgressStoreTests
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task SaveSnapshot_RollupsAcrossAQuarterEnd_KeepsDatedRowsQuarterEndRowsAndLatest()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var store = new TableProgressStore(storage.Account);
        var march10 = Report(new DateTimeOffset(2024, 3, 10, 2, 0, 0, TimeSpan.Zero), 10, 5);
        var march31 = Report(new DateTimeOffset(2024, 3, 31, 15, 0, 0, TimeSpan.Zero), 12, 6); // 23:00 in Shanghai
        var april1 = Report(new DateTimeOffset(2024, 3, 31, 17, 0, 0, TimeSpan.Zero), 13, 6);  // 01:00 on 1 April in Shanghai

        await store.SaveSnapshotAsync(march10, ct);
        await store.SaveSnapshotAsync(march31, ct);
        await store.SaveSnapshotAsync(april1, ct);

        var rows = (await storage.RawRowsAsync(StorageNames.ProgressSnapshotsTable, ct)).ToDictionary(r => r.RowKey);
        CollectionAssert.AreEquivalent(
            new[] { "20240310T020000Z", "20240331T150000Z", "20240331T170000Z", "Q1", "Q2", "latest" },
            rows.Keys.ToArray());
        Assert.IsTrue(rows.Values.All(r => r.PartitionKey == "2024"));
        Assert.AreEqual(12, rows["Q1"]["PrtrCompleted"], "Q1 holds the last rollup of the quarter (local time)");
        Assert.AreEqual("2024-03-31T23:00:00+08:00", rows["Q1"]["AsOf"]);
        Assert.AreEqual("quarter", rows["Q1"]["RowKind"]);
        Assert.AreEqual(13, rows["Q2"]["PrtrCompleted"]);
        Assert.AreEqual(13, rows["latest"]["PrtrCompleted"]);
        Assert.AreEqual("snapshot", rows["20240310T020000Z"]["RowKind"]);

        var dated = rows["20240331T150000Z"];
        Assert.AreEqual(2024, dated["Year"]);
        Assert.AreEqual(new DateTimeOffset(2024, 3, 31, 15, 0, 0, TimeSpan.Zero), dated["AsOfUtc"]);
        Assert.AreEqual("Asia/Shanghai", dated["TimeZone"]);
        Assert.AreEqual(200, dated["PrtrTarget"]);
        Assert.AreEqual(11, dated["PrtrSubsidiaries"]);
        Assert.AreEqual(1, dated["PrtrSuppliers"]);
        Assert.AreEqual(180, dated["CarbonTarget"]);
        Assert.AreEqual(6, dated["CarbonCompleted"]);
        Assert.AreEqual(0, dated["CarbonSubsidiaries"]);
        Assert.AreEqual(6, dated["CarbonSuppliers"]);
        Assert.AreEqual(1, dated["Open"]);
        Assert.AreEqual(2, dated["Overdue"]);
        Assert.AreEqual(3, dated["PlanSubmitted"]);
        Assert.AreEqual(4, dated["PlanApproved"]);
        Assert.AreEqual(5, dated["Removed"]);
        Assert.AreEqual(6, dated["SubsidiariesWithActiveRecords"]);
        Assert.AreEqual(7, dated["SuppliersCompletedRemoval"]);
        Assert.AreEqual("2024-11-02", dated["ProjectedPrtrOn"]);
        Assert.AreEqual("", dated["ProjectedCarbonOn"]);
        Assert.IsTrue(dated.GetBoolean("PrtrOnTrack"));
        Assert.IsFalse(dated.GetBoolean("CarbonOnTrack"));
        Assert.Contains("\"prtr\":{\"target\":200,\"completed\":12", dated.GetString("Report"));

        Assert.AreEqual(april1, await store.GetLatestAsync(2024, ct));
        CollectionAssert.AreEqual(
            new[] { march10.ToSnapshot(), march31.ToSnapshot(), april1.ToSnapshot() },
            (await store.ListSnapshotsAsync(2024, ct)).ToArray(),
            "dated rows only, oldest first");
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task SaveSnapshot_OlderRollupArrivesLate_DoesNotReplaceLatestOrQuarter()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var store = new TableProgressStore(storage.Account);
        var newer = Report(new DateTimeOffset(2024, 5, 2, 0, 0, 0, TimeSpan.Zero), 20, 9);
        var older = Report(new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero), 19, 9);

        await store.SaveSnapshotAsync(newer, ct);
        await store.SaveSnapshotAsync(older, ct);

        Assert.AreEqual(newer, await store.GetLatestAsync(2024, ct));
        var q2 = await storage.RawTable(StorageNames.ProgressSnapshotsTable).GetEntityAsync<Azure.Data.Tables.TableEntity>("2024", "Q2", null, ct);
        Assert.AreEqual(20, q2.Value["PrtrCompleted"]);
        Assert.HasCount(2, await store.ListSnapshotsAsync(2024, ct), "the late rollup still has its dated row");
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task SaveSnapshot_RollupTakenAfterItsTargetYear_WritesNoQuarterRow()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var store = new TableProgressStore(storage.Account);
        var lateRollup = Report(new DateTimeOffset(2025, 1, 5, 0, 0, 0, TimeSpan.Zero), 190, 170, year: 2024);

        await store.SaveSnapshotAsync(lateRollup, ct);

        var keys = (await storage.RawRowsAsync(StorageNames.ProgressSnapshotsTable, ct)).Select(r => r.RowKey).ToArray();
        CollectionAssert.AreEquivalent(new[] { "20250105T000000Z", "latest" }, keys, "2025's first quarter must not overwrite 2024's Q1");
        Assert.AreEqual(lateRollup, await store.GetLatestAsync(2024, ct));
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task GetLatest_YearNeverRolledUp_ReturnsNullAndNoSnapshots()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var store = new TableProgressStore(storage.Account);
        await store.SaveSnapshotAsync(Report(new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero), 1, 1), ct);

        Assert.IsNull(await store.GetLatestAsync(2023, ct));
        Assert.IsEmpty(await store.ListSnapshotsAsync(2023, ct));
        Assert.IsEmpty(await store.ListEntityStatusAsync(2023, ct));
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task SaveEntityStatus_SecondRollupChangesFewRows_RewritesOnlyThoseAndDeletesTheGone()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var store = new TableProgressStore(storage.Account);
        var synced = new DateTimeOffset(2024, 6, 1, 2, 0, 0, TimeSpan.FromHours(8));
        var first = TestIds.Many(150)
            .Select((id, n) => new EntityProgressRow(id, $"深圳市供应商{n}有限公司", n % 3 == 0 ? "subsidiary" : "supplier", 1 + (n % 2),
                n % 2 == 0 ? "completed" : "in_progress", "none", n % 4, n % 5 == 0 ? 1 : 0, n == 7 ? null : synced.AddMinutes(n)))
            .ToList();

        var created = await store.SaveEntityStatusAsync(2024, first, ct);
        var before = (await storage.RawRowsAsync(StorageNames.EntityStatusTable, ct)).ToDictionary(r => r.RowKey, r => r.ETag);

        var second = first.ToList();
        second[10] = second[10] with { PrtrStatus = "completed", ActiveRecords = 9 };
        second[7] = second[7] with { LastSyncedAt = synced };
        second.RemoveAt(20);
        var added = new EntityProgressRow(TestIds.Uscc(500), "新增子公司", "subsidiary", 1, "none", "none", 0, 0, null);
        second.Add(added);
        var again = await store.SaveEntityStatusAsync(2024, second, ct);

        Assert.AreEqual(new EntityStatusChanges(150, 0, 0), created);
        Assert.AreEqual(new EntityStatusChanges(3, 1, 147), again);
        var after = (await storage.RawRowsAsync(StorageNames.EntityStatusTable, ct)).ToDictionary(r => r.RowKey, r => r.ETag);
        var rewritten = after.Where(a => before.TryGetValue(a.Key, out var etag) && etag != a.Value).Select(a => a.Key).Order().ToArray();
        CollectionAssert.AreEqual(new[] { first[7].Id, first[10].Id }.Order().ToArray(), rewritten, "unchanged rows keep their ETag");
        Assert.IsFalse(after.ContainsKey(first[20].Id));
        Assert.IsTrue(after.ContainsKey(added.Id));
        CollectionAssert.AreEqual(second.OrderBy(r => r.Id, StringComparer.Ordinal).ToArray(), (await store.ListEntityStatusAsync(2024, ct)).ToArray());
        Assert.AreEqual(TimeSpan.FromHours(8), (await store.ListEntityStatusAsync(2024, ct)).Single(r => r.Id == first[7].Id).LastSyncedAt!.Value.Offset);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task SaveEntityStatus_Row_HasExactlyTheContractColumns()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var store = new TableProgressStore(storage.Account);
        var row = new EntityProgressRow(TestIds.Uscc(3), "广州某化工有限公司", "supplier", 2, "completed", "in_progress", 2, 1,
            new DateTimeOffset(2024, 6, 1, 2, 0, 0, TimeSpan.FromHours(8)));

        await store.SaveEntityStatusAsync(2024, [row], ct);

        var raw = (await storage.RawRowsAsync(StorageNames.EntityStatusTable, ct)).Single();
        Assert.AreEqual("2024", raw.PartitionKey);
        Assert.AreEqual(row.Id, raw.RowKey);
        CollectionAssert.AreEquivalent(
            new[] { "id", "name", "kind", "tier", "prtrStatus", "carbonStatus", "activeRecords", "overdueCases", "lastSyncedAt" },
            raw.Columns().Keys.ToArray());
        Assert.AreEqual("广州某化工有限公司", raw["name"]);
        Assert.AreEqual(2, raw["tier"]);
        Assert.AreEqual("2024-06-01T02:00:00+08:00", raw["lastSyncedAt"]);
    }

    internal static ProgressReport Report(DateTimeOffset asOf, int prtr, int carbon, int year = 2024) =>
        new(
            year,
            TimeZoneInfo.ConvertTime(asOf, Shanghai),
            new DisclosureProgress(200, prtr, prtr - 1, 1),
            new DisclosureProgress(180, carbon, 0, carbon),
            new ViolationProgress(1, 2, 3, 4, 5, 6, 7),
            new ProgressProjection(
                new TargetProjection(200, prtr, 0.5, new DateOnly(2024, 11, 2), true, false, false),
                new TargetProjection(180, carbon, null, null, false, false, true)),
            "Asia/Shanghai");
}
