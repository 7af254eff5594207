using DisclosurePipeline.Auth;
using DisclosurePipeline.Domain;
using DisclosurePipeline.Progress;
using DisclosurePipeline.Storage;
using DisclosurePipeline.Tests.Cases;
using Microsoft.Extensions.Time.Testing;

namespace DisclosurePipeline.Tests.Storage;

/// <summary>
/// What the adapters store, read back raw through <see cref="Azure.Data.Tables.TableClient"/>: each table's keys,
/// columns and the EDM type of every column, as they were before the adapters moved SDKs (and, for the analysts'
/// tables, as the README documents them). A column that changed name or type (Int32 → Int64, text → DateTime, …) fails here.
/// </summary>
[TestClass]
public sealed class StoredShapeTests
{
    private const string S = "Edm.String";
    private const string I = "Edm.Int32";
    private const string B = "Edm.Boolean";
    private const string D = "Edm.DateTime";
    private const string Bin = "Edm.Binary";

    private static readonly DateTimeOffset At = new(2024, 5, 6, 8, 0, 0, TimeSpan.Zero);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Entities_RegistryAndSyncColumns_KeepTheirNamesAndTypes()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var entity = TestIds.Entity(TestIds.Uscc(1));
        await storage.Entities.SaveRegistryFieldsAsync([entity], ct);
        await storage.Entities.SaveSyncFieldsAsync(
            [entity with { DisclosureYear = 2024, Prtr = new DisclosureStatus(DisclosureState.Completed, At), NotOnPlatform = false, LastSyncedAt = At }], ct);

        var row = (await storage.RawRowsAsync(StorageNames.EntitiesTable, ct)).Single();

        Assert.AreEqual(Uscc.Shard(entity.Id), row.PartitionKey);
        Assert.AreEqual(entity.Id, row.RowKey);
        row.AssertColumns(
            new Dictionary<string, string>
            {
                ["Name"] = S, ["Kind"] = S, ["Tier"] = I, ["Region"] = S, ["ContactEmail"] = S,
                ["DisclosureYear"] = I, ["PrtrState"] = S, ["PrtrCompletedAt"] = S, ["CarbonState"] = S, ["CarbonCompletedAt"] = S,
                ["NotOnPlatform"] = B, ["LastSyncedAt"] = S,
            },
            "Entities");
        Assert.AreEqual("supplier", row["Kind"]);
        Assert.AreEqual("completed", row["PrtrState"]);
        Assert.AreEqual("2024-05-06T08:00:00.0000000+00:00", row["PrtrCompletedAt"]);
        Assert.AreEqual("", row["CarbonCompletedAt"], "none is stored as the empty string, so a merge can clear it");
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task EntitiesAndKeys_LifecycleColumns_AreAddedBesideTheOthers()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var entity = TestIds.Entity(TestIds.Uscc(2));
        await storage.Entities.SaveRegistryFieldsAsync([entity], ct);
        Assert.IsTrue(await storage.Entities.SaveStatusAsync(entity.Id, active: false, At, ct));
        Assert.IsFalse(await storage.Entities.SaveStatusAsync(TestIds.Uscc(3), active: false, At, ct), "no row is created for an unknown id");
        var stored = SupplierKeys.Issue(entity.Id, new FakeTimeProvider(At)).Stored;
        await storage.Keys.AddAsync(stored, ct);
        Assert.IsTrue(await storage.Keys.RecordUseAsync((await storage.Keys.FindAsync(stored.KeyId, ct))!, At.AddMinutes(1), ct));
        await storage.Keys.RevokeAsync(stored.KeyId, At.AddMinutes(2), ct);

        var row = (await storage.RawRowsAsync(StorageNames.EntitiesTable, ct)).Single();
        row.AssertColumns(
            new Dictionary<string, string>
            {
                ["Name"] = S, ["Kind"] = S, ["Tier"] = I, ["Region"] = S, ["ContactEmail"] = S, ["Status"] = S, ["StatusChangedAt"] = S,
            },
            "Entities with a status");
        Assert.AreEqual("inactive", row["Status"]);
        Assert.AreEqual("2024-05-06T08:00:00.0000000+00:00", row["StatusChangedAt"]);
        var keyRow = (await storage.RawRowsAsync(StorageNames.SupplierKeysTable, ct)).Single();
        keyRow.AssertColumns(
            new Dictionary<string, string> { ["SupplierId"] = S, ["Salt"] = S, ["Hash"] = S, ["IssuedAt"] = S, ["LastUsedAt"] = S, ["RevokedAt"] = S },
            "SupplierKeys used and revoked");
        Assert.AreEqual("2024-05-06T08:02:00.0000000+00:00", keyRow["RevokedAt"]);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Cases_Row_KeepsItsKeysColumnsAndTypes()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var opened = CaseSamples.Case(new DateOnly(2024, 5, 13));

        await storage.Cases.ApplySyncAsync([opened], [], ct);

        var row = (await storage.RawRowsAsync(StorageNames.CasesTable, ct)).Single();
        Assert.AreEqual(Uscc.Shard(CaseSamples.SupplierId), row.PartitionKey);
        Assert.AreEqual(CaseSamples.SupplierId + "|" + CaseSamples.RecordId, row.RowKey);
        row.AssertColumns(
            new Dictionary<string, string>
            {
                ["SupplierId"] = S, ["RecordId"] = S, ["Authority"] = S, ["DocumentNumber"] = S, ["Category"] = S, ["Summary"] = S,
                ["PenaltyAmountCny"] = S, ["IssuedOn"] = S, ["PublishedAt"] = S, ["RecordRemoved"] = B, ["RemovedAt"] = S,
                ["PlanDueOn"] = S, ["OpenedAt"] = S, ["LastPlanId"] = S, ["LastPlanAt"] = S,
            },
            "Cases");
        Assert.AreEqual("100000", row["PenaltyAmountCny"]);
        Assert.AreEqual("2024-05-13", row["PlanDueOn"]);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task SyncRuns_RunIndexBatchCoverageAndStateRows_KeepTheirKeysColumnsAndTypes()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        await storage.SyncRuns.CreateAsync(new SyncRun("r1", At, 5, 1), ct);
        await storage.SyncRuns.RecordBatchAsync(new SyncBatchResult("r1", 0, 4, 1, At.AddMinutes(1)), ct);
        await storage.SyncRuns.RecordCoverageAsync(new SyncCoverage("07", "A", "B", At.AddMinutes(1)), ct);
        await new TableSyncStateStore(storage.Account).SaveAsync(new SyncState("cursor-1", At), ct);

        var rows = (await storage.RawRowsAsync(StorageNames.SyncRunsTable, ct)).ToDictionary(r => r.PartitionKey + "/" + r.RowKey);

        Assert.HasCount(5, rows);
        rows["run/id|r1"].AssertColumns(
            new Dictionary<string, string>
            {
                ["RunId"] = S, ["StartedAt"] = S, ["FinishedAt"] = S, ["EntitiesTotal"] = I, ["BatchesTotal"] = I, ["Status"] = S,
                ["Reason"] = S, ["Scope"] = S,
            },
            "run row");
        Assert.AreEqual("completed", rows["run/id|r1"]["Status"]);
        Assert.AreEqual("full", rows["run/id|r1"]["Reason"]);
        var index = rows.Single(r => r.Key.StartsWith("run/started|", StringComparison.Ordinal));
        Assert.EndsWith("|r1", index.Key);
        index.Value.AssertColumns(new Dictionary<string, string> { ["RunId"] = S }, "index row");
        rows["batch|r1/000000"].AssertColumns(
            new Dictionary<string, string> { ["BatchNumber"] = I, ["EntitiesSynced"] = I, ["EntitiesFailed"] = I, ["FinishedAt"] = S },
            "batch row");
        rows["coverage/07|A"].AssertColumns(
            new Dictionary<string, string> { ["Shard"] = S, ["FirstId"] = S, ["LastId"] = S, ["SyncedAt"] = S },
            "coverage row");
        rows["state/sync"].AssertColumns(new Dictionary<string, string> { ["ChangeCursor"] = S, ["LastFullRunAt"] = S }, "state row");
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Plans_Row_KeepsTextColumnsAndBinaryContentChunks()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var plan = new ImprovementPlan(CaseSamples.SupplierId, CaseSamples.RecordId, "p00000000000000000010000abcd",
            new PlanContent("修复排污口", "阀门故障", [new PlanAction("更换阀门", "厂长", new DateOnly(2024, 6, 1))], new DateOnly(2024, 7, 1), PlanContact.None))
        {
            SubmittedAt = At,
            Late = true,
        };

        Assert.IsTrue(await storage.Plans.TryAddAsync(plan, ct));

        var row = (await storage.RawRowsAsync(StorageNames.PlansTable, ct)).Single();
        Assert.AreEqual(CaseSamples.SupplierId + "|" + CaseSamples.RecordId + "|" + plan.PlanId, row.RowKey);
        row.AssertColumns(
            new Dictionary<string, string>
            {
                ["SupplierId"] = S, ["RecordId"] = S, ["PlanId"] = S, ["SubmittedAt"] = S, ["Late"] = B, ["Decision"] = S,
                ["ReviewedAt"] = S, ["ReviewedBy"] = S, ["Comment"] = S, ["DocumentPath"] = S, ["ContentChunks"] = I, ["Content0"] = Bin,
            },
            "Plans");
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task AlertsKeysAndHistory_Rows_KeepTheirColumnsAndTypes()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var due = new DateOnly(2024, 5, 13);
        var alert = new StoredAlert(
            AlertId.For(AlertTypes.PlanOverdue, CaseSamples.SupplierId, CaseSamples.RecordId, due), AlertTypes.PlanOverdue, CaseSamples.SupplierId,
            "某某化工", EntityKind.Supplier, CaseSamples.RecordId, At, due, 2, null, At.ToOffset(TimeSpan.FromHours(8)));
        Assert.IsTrue(await storage.Alerts.TryAddAsync(alert, ct));
        await storage.Keys.AddAsync(SupplierKeys.Issue(CaseSamples.SupplierId, new FakeTimeProvider(At)).Stored, ct);
        await storage.History.AppendAsync([new HistoryEvent(CaseSamples.SupplierId, At, "staff", "plan_approved", CaseSamples.RecordId, null)], ct);

        var alertRow = (await storage.RawRowsAsync(StorageNames.AlertsTable, ct)).Single();
        Assert.AreEqual("alert", alertRow.PartitionKey);
        alertRow.AssertColumns(
            new Dictionary<string, string>
            {
                ["Type"] = S, ["SupplierId"] = S, ["SupplierName"] = S, ["Kind"] = S, ["RecordId"] = S, ["PublishedAt"] = S, ["PlanDueOn"] = S,
                ["DaysOverdue"] = I, ["ContactEmail"] = S, ["RaisedAt"] = S, ["RaisedAtUtc"] = D, ["DeliveredAt"] = S, ["Attempts"] = I,
                ["LastAttemptAt"] = S, ["LastFailedAt"] = S,
            },
            "Alerts");
        Assert.AreEqual("2024-05-06T16:00:00.0000000+08:00", alertRow["RaisedAt"]);
        Assert.AreEqual(At, alertRow["RaisedAtUtc"]);

        var keyRow = (await storage.RawRowsAsync(StorageNames.SupplierKeysTable, ct)).Single();
        Assert.AreEqual("key", keyRow.PartitionKey);
        keyRow.AssertColumns(new Dictionary<string, string> { ["SupplierId"] = S, ["Salt"] = S, ["Hash"] = S, ["IssuedAt"] = S }, "SupplierKeys");

        var historyRow = (await storage.RawRowsAsync(StorageNames.HistoryTable, ct)).Single();
        Assert.StartsWith(CaseSamples.SupplierId + "|" + At.UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture) + "|", historyRow.RowKey);
        historyRow.AssertColumns(
            new Dictionary<string, string> { ["SupplierId"] = S, ["At"] = S, ["Actor"] = S, ["Event"] = S, ["RecordId"] = S, ["Detail"] = S },
            "History");
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task AnalystsTables_ProgressSnapshotsAndEntityStatus_HaveTheDocumentedColumnsAndTypes()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var store = new TableProgressStore(storage.Account);
        await store.SaveSnapshotAsync(ProgressStoreTests.Report(new DateTimeOffset(2024, 6, 30, 15, 0, 0, TimeSpan.Zero), 12, 6), ct);
        await store.SaveEntityStatusAsync(
            2024, [new EntityProgressRow(TestIds.Uscc(3), "广州某化工有限公司", "supplier", 2, "completed", "none", 2, 1, null)], ct);

        var snapshots = (await storage.RawRowsAsync(StorageNames.ProgressSnapshotsTable, ct)).ToDictionary(r => r.RowKey);
        CollectionAssert.AreEquivalent(new[] { "20240630T150000Z", "Q2", "latest" }, snapshots.Keys.ToArray());
        var documented = new Dictionary<string, string>
        {
            ["RowKind"] = S, ["Year"] = I, ["AsOf"] = S, ["AsOfUtc"] = D, ["TimeZone"] = S,
            ["PrtrTarget"] = I, ["CarbonTarget"] = I, ["PrtrCompleted"] = I, ["CarbonCompleted"] = I,
            ["PrtrSubsidiaries"] = I, ["PrtrSuppliers"] = I, ["CarbonSubsidiaries"] = I, ["CarbonSuppliers"] = I,
            ["Open"] = I, ["Overdue"] = I, ["PlanSubmitted"] = I, ["PlanApproved"] = I, ["Removed"] = I,
            ["SubsidiariesWithActiveRecords"] = I, ["SuppliersCompletedRemoval"] = I,
            ["ProjectedPrtrOn"] = S, ["ProjectedCarbonOn"] = S, ["PrtrOnTrack"] = B, ["CarbonOnTrack"] = B, ["Report"] = S,
        };
        foreach (var (key, row) in snapshots)
        {
            Assert.AreEqual("2024", row.PartitionKey);
            row.AssertColumns(documented, "ProgressSnapshots/" + key);
        }

        var status = (await storage.RawRowsAsync(StorageNames.EntityStatusTable, ct)).Single();
        Assert.AreEqual("2024", status.PartitionKey);
        status.AssertColumns(
            new Dictionary<string, string>
            {
                ["id"] = S, ["name"] = S, ["kind"] = S, ["tier"] = I, ["prtrStatus"] = S, ["carbonStatus"] = S,
                ["activeRecords"] = I, ["overdueCases"] = I, ["lastSyncedAt"] = S,
            },
            "EntityStatus");
        Assert.AreEqual("", status["lastSyncedAt"], "empty before the first sync");
    }
}
