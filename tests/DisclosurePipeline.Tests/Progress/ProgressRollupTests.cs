using System.Text.Json;
using System.Text.Json.Nodes;
using DisclosurePipeline.Domain;
using DisclosurePipeline.Progress;

namespace DisclosurePipeline.Tests.Progress;

[TestClass]
public sealed class ProgressRollupTests
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly ProgressTargets Targets = new(200, 180);
    private static readonly DateTimeOffset AsOf = new(2026, 6, 30, 15, 0, 0, TimeSpan.Zero);

    [TestMethod]
    public void Compute_MixedRegistry_CountsOnlyCompletedDisclosuresOfTheYearSplitByKind()
    {
        RegisteredEntity[] registry =
        [
            Entity(1, EntityKind.Subsidiary, 2026, DisclosureState.Completed, DisclosureState.Completed),
            Entity(2, EntityKind.Subsidiary, 2026, DisclosureState.Completed, DisclosureState.InProgress),
            Entity(3, EntityKind.Supplier, 2026, DisclosureState.Completed, DisclosureState.Completed),
            Entity(4, EntityKind.Supplier, 2026, DisclosureState.InProgress, DisclosureState.None),
            Entity(5, EntityKind.Supplier, 2025, DisclosureState.Completed, DisclosureState.Completed), // last synced for another year
            Entity(6, EntityKind.Supplier, 2026, DisclosureState.Completed, DisclosureState.Completed) with { NotOnPlatform = true },
            Entity(7, EntityKind.Supplier, 0, DisclosureState.None, DisclosureState.None), // never synced
            Entity(8, EntityKind.Supplier, 2026, DisclosureState.None, DisclosureState.Completed),
        ];

        var report = Compute(2026, registry, []);

        Assert.AreEqual(new DisclosureProgress(200, 3, 2, 1), report.Prtr);
        Assert.AreEqual(new DisclosureProgress(180, 3, 1, 2), report.Carbon);
        Assert.AreEqual(2026, report.Year);
    }

    [TestMethod]
    public void Compute_DuplicateRegistryRows_CountsAnEntityOnce()
    {
        var entity = Entity(1, EntityKind.Supplier, 2026, DisclosureState.Completed, DisclosureState.Completed);

        var report = Compute(2026, [entity, entity], [Case(entity, "r1")], _ => CaseStatus.Open);

        Assert.AreEqual(1, report.Prtr.Completed);
        Assert.AreEqual(1, report.Violations.Open);
    }

    [TestMethod]
    public void Compute_Cases_CountsByStatusOnlyForRegisteredEntities()
    {
        var sub = Entity(1, EntityKind.Subsidiary, 2026, DisclosureState.None, DisclosureState.None);
        var sup = Entity(2, EntityKind.Supplier, 2026, DisclosureState.None, DisclosureState.None);
        var stranger = Entity(3, EntityKind.Supplier, 2026, DisclosureState.None, DisclosureState.None);
        var statuses = new Dictionary<string, CaseStatus>
        {
            ["a"] = CaseStatus.Open, ["b"] = CaseStatus.Overdue, ["c"] = CaseStatus.Overdue,
            ["d"] = CaseStatus.PlanSubmitted, ["e"] = CaseStatus.PlanApproved, ["f"] = CaseStatus.Removed,
            ["g"] = CaseStatus.Open,
        };
        ViolationCase[] cases =
        [
            Case(sub, "a"), Case(sub, "b"), Case(sup, "c"), Case(sup, "d"), Case(sup, "e"),
            Case(sup, "f") with { RecordRemoved = true, RemovedAt = AsOf.AddDays(-3) },
            Case(stranger, "g"), // not in the registry: not counted
        ];

        var report = Compute(2026, [sub, sup], cases, c => statuses[c.RecordId]);

        var v = report.Violations;
        Assert.AreEqual((1, 2, 1, 1, 1), (v.Open, v.Overdue, v.PlanSubmitted, v.PlanApproved, v.Removed));
        Assert.AreEqual(6, v.Open + v.Overdue + v.PlanSubmitted + v.PlanApproved + v.Removed, "every registered case once");
    }

    [TestMethod]
    public void Compute_ActiveRecords_CountsDistinctSubsidiariesWithAnActiveRecord()
    {
        var subTwoActive = Entity(1, EntityKind.Subsidiary, 2026, DisclosureState.None, DisclosureState.None);
        var subOnlyRemoved = Entity(2, EntityKind.Subsidiary, 2026, DisclosureState.None, DisclosureState.None);
        var subMixed = Entity(3, EntityKind.Subsidiary, 2026, DisclosureState.None, DisclosureState.None);
        var supplierActive = Entity(4, EntityKind.Supplier, 2026, DisclosureState.None, DisclosureState.None);
        var removed = AsOf.AddDays(-10);
        ViolationCase[] cases =
        [
            Case(subTwoActive, "a1"), Case(subTwoActive, "a2"),
            Case(subOnlyRemoved, "b1") with { RecordRemoved = true, RemovedAt = removed },
            Case(subMixed, "c1") with { RecordRemoved = true, RemovedAt = removed }, Case(subMixed, "c2"),
            Case(supplierActive, "d1"),
        ];

        var report = Compute(2026, [subTwoActive, subOnlyRemoved, subMixed, supplierActive], cases, StatusFromRecord);

        Assert.AreEqual(2, report.Violations.SubsidiariesWithActiveRecords);
    }

    [TestMethod]
    public void Compute_RemovalAtUtcEveningOfNewYearsEve_CountsForTheNextLocalYear()
    {
        var supplier = Entity(1, EntityKind.Supplier, 2026, DisclosureState.None, DisclosureState.None);
        var removal = Case(supplier, "r1") with { RecordRemoved = true, RemovedAt = new DateTimeOffset(2025, 12, 31, 20, 0, 0, TimeSpan.Zero) };

        var in2026 = Compute(2026, [supplier], [removal], StatusFromRecord);
        var in2025 = Compute(2025, [supplier], [removal], StatusFromRecord);
        var in2025Utc = ProgressRollup.Compute(2025, Targets, [supplier], [removal], StatusFromRecord, [], TimeZoneInfo.Utc, AsOf);

        Assert.AreEqual(1, in2026.Violations.SuppliersCompletedRemoval, "2026-01-01 04:00 in Shanghai");
        Assert.AreEqual(0, in2025.Violations.SuppliersCompletedRemoval);
        Assert.AreEqual(1, in2025Utc.Violations.SuppliersCompletedRemoval, "still 2025 in UTC");
    }

    [TestMethod]
    public void Compute_Removals_CountsEachSupplierOnceAndIgnoresSubsidiariesAndRestoredRecords()
    {
        var twice = Entity(1, EntityKind.Supplier, 2026, DisclosureState.None, DisclosureState.None);
        var subsidiary = Entity(2, EntityKind.Subsidiary, 2026, DisclosureState.None, DisclosureState.None);
        var restored = Entity(3, EntityKind.Supplier, 2026, DisclosureState.None, DisclosureState.None);
        var lastYear = Entity(4, EntityKind.Supplier, 2026, DisclosureState.None, DisclosureState.None);
        var at = new DateTimeOffset(2026, 3, 1, 2, 0, 0, TimeSpan.Zero);
        ViolationCase[] cases =
        [
            Case(twice, "a1") with { RecordRemoved = true, RemovedAt = at },
            Case(twice, "a2") with { RecordRemoved = true, RemovedAt = at.AddDays(5) },
            Case(subsidiary, "b1") with { RecordRemoved = true, RemovedAt = at },
            Case(restored, "c1") with { RecordRemoved = false, RemovedAt = at }, // back on the platform
            Case(lastYear, "d1") with { RecordRemoved = true, RemovedAt = new DateTimeOffset(2025, 12, 31, 15, 59, 0, TimeSpan.Zero) },
        ];

        var report = Compute(2026, [twice, subsidiary, restored, lastYear], cases, StatusFromRecord);

        Assert.AreEqual(1, report.Violations.SuppliersCompletedRemoval);
    }

    [TestMethod]
    public void Compute_UtcAsOf_ReportsItWithTheZonesOffset()
    {
        var report = Compute(2026, [], []);

        Assert.AreEqual(TimeSpan.FromHours(8), report.AsOf.Offset);
        Assert.AreEqual(AsOf, report.AsOf);
        Assert.AreEqual(new ProgressSnapshot(report.AsOf, 0, 0), report.ToSnapshot());
    }

    [TestMethod]
    public void Compute_Report_SerializesToTheContractsJson()
    {
        var supplier = Entity(1, EntityKind.Supplier, 2026, DisclosureState.Completed, DisclosureState.None);
        var history = new[] { new ProgressSnapshot(new DateTimeOffset(2026, 6, 20, 23, 0, 0, TimeSpan.FromHours(8)), 0, 0) };
        var report = ProgressRollup.Compute(
            2026, Targets, [supplier], [Case(supplier, "r1")], _ => CaseStatus.Overdue, history, Shanghai,
            new DateTimeOffset(2026, 6, 30, 23, 0, 0, TimeSpan.FromHours(8)));

        var json = JsonSerializer.SerializeToNode(report, new JsonSerializerOptions(JsonSerializerDefaults.Web))!.AsObject();

        CollectionAssert.AreEqual(new[] { "year", "asOf", "prtr", "carbon", "violations", "projection", "timeZone" }, json.Select(p => p.Key).ToArray());
        Assert.AreEqual(2026, (int)json["year"]!);
        Assert.AreEqual("2026-06-30T23:00:00+08:00", (string)json["asOf"]!);
        Assert.AreEqual("Asia/Shanghai", (string)json["timeZone"]!);
        CollectionAssert.AreEqual(new[] { "target", "completed", "subsidiaries", "suppliers" }, Keys(json["prtr"]));
        CollectionAssert.AreEqual(new[] { "target", "completed", "subsidiaries", "suppliers" }, Keys(json["carbon"]));
        Assert.AreEqual(200, (int)json["prtr"]!["target"]!);
        Assert.AreEqual(1, (int)json["prtr"]!["suppliers"]!);
        CollectionAssert.AreEqual(
            new[] { "open", "overdue", "planSubmitted", "planApproved", "removed", "subsidiariesWithActiveRecords", "suppliersCompletedRemoval" },
            Keys(json["violations"]));
        Assert.AreEqual(1, (int)json["violations"]!["overdue"]!);
        CollectionAssert.AreEqual(new[] { "prtr", "carbon" }, Keys(json["projection"]));
        CollectionAssert.AreEqual(
            new[] { "target", "completed", "ratePerDay", "projectedOn", "onTrack", "reached", "insufficientData" },
            Keys(json["projection"]!["prtr"]));
        Assert.IsNotNull(json["projection"]!["prtr"]!["projectedOn"], "one completion in 10 days is a (slow) pace");
        Assert.MatchesRegex(@"^\d{4}-\d{2}-\d{2}$", (string)json["projection"]!["prtr"]!["projectedOn"]!);
        Assert.IsNull(json["projection"]!["carbon"]!["projectedOn"], "no carbon completions: no pace");
    }

    [TestMethod]
    public void EntityRows_Registry_GivesOneRowPerEntityWithStatusesForTheYearOnly()
    {
        var synced = new DateTimeOffset(2026, 6, 1, 2, 0, 0, TimeSpan.Zero);
        var sub = Entity(2, EntityKind.Subsidiary, 2026, DisclosureState.Completed, DisclosureState.InProgress) with { LastSyncedAt = synced };
        var oldYear = Entity(1, EntityKind.Supplier, 2025, DisclosureState.Completed, DisclosureState.InProgress) with { Tier = 2, LastSyncedAt = synced };
        var unknown = Entity(3, EntityKind.Supplier, 2026, DisclosureState.Completed, DisclosureState.Completed) with { NotOnPlatform = true };
        var stranger = Entity(4, EntityKind.Supplier, 2026, DisclosureState.None, DisclosureState.None);
        ViolationCase[] cases =
        [
            Case(sub, "a1"), Case(sub, "a2"), Case(sub, "a3") with { RecordRemoved = true, RemovedAt = synced },
            Case(oldYear, "b1"),
            Case(stranger, "z1"),
        ];
        var overdue = new HashSet<string> { "a1", "b1", "z1" };

        var rows = ProgressRollup.EntityRows(2026, [sub, oldYear, unknown], cases, c => overdue.Contains(c.RecordId) ? CaseStatus.Overdue : StatusFromRecord(c));

        Assert.HasCount(3, rows);
        Assert.AreEqual(new EntityProgressRow(oldYear.Id, oldYear.Name, "supplier", 2, "none", "none", 1, 1, synced), rows[0]);
        Assert.AreEqual(new EntityProgressRow(sub.Id, sub.Name, "subsidiary", 1, "completed", "in_progress", 2, 1, synced), rows[1]);
        Assert.AreEqual(new EntityProgressRow(unknown.Id, unknown.Name, "supplier", 1, "none", "none", 0, 0, null), rows[2]);
    }

    [TestMethod]
    public void Project_OneSnapshot_IsInsufficientData()
    {
        var p = ProgressRollup.Project(2026, 200, 50, [(AsOf, 50)], Shanghai, AsOf);

        Assert.AreEqual(new TargetProjection(200, 50, null, null, false, false, true), p);
    }

    [TestMethod]
    public void Project_SnapshotsSpanningUnderADay_IsInsufficientData()
    {
        var p = ProgressRollup.Project(2026, 200, 60, [(AsOf.AddHours(-23), 10), (AsOf, 60)], Shanghai, AsOf);

        Assert.IsTrue(p.InsufficientData);
        Assert.IsNull(p.RatePerDay);
        Assert.IsFalse(p.OnTrack);
    }

    [TestMethod]
    public void Project_SteadyPace_ProjectsTheLocalDateTheTargetIsReached()
    {
        // 1 a day from 2026-01-01 00:00 Shanghai; 100 done at 2026-04-11 00:00; 100 more days → 2026-07-20.
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(8));
        var points = Enumerable.Range(0, 11).Select(i => (start.AddDays(10 * i), 10 * i)).ToList();
        var now = start.AddDays(100);

        var p = ProgressRollup.Project(2026, 200, 100, points, Shanghai, now);

        Assert.AreEqual(1.0, p.RatePerDay!.Value, 1e-9);
        Assert.AreEqual(new DateOnly(2026, 7, 20), p.ProjectedOn);
        Assert.IsTrue(p.OnTrack);
        Assert.IsFalse(p.Reached);
        Assert.IsFalse(p.InsufficientData);
    }

    [TestMethod]
    public void Project_SlowPace_IsNotOnTrack()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(8));
        var now = start.AddDays(100);

        var p = ProgressRollup.Project(2026, 200, 50, [(start, 0), (now, 50)], Shanghai, now);

        Assert.AreEqual(0.5, p.RatePerDay!.Value, 1e-9);
        Assert.AreEqual(new DateOnly(2026, 1, 1).AddDays(400), p.ProjectedOn);
        Assert.IsFalse(p.OnTrack);
    }

    [TestMethod]
    public void Project_OneOddSnapshot_UsesTheLeastSquaresSlopeNotFirstToLast()
    {
        var start = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.FromHours(8));
        // x = 0, 1, 2, 3 days; y = 0, 10, 20, 12 (the last dips: a sync missed some entities).
        var points = new[] { (start, 0), (start.AddDays(1), 10), (start.AddDays(2), 20), (start.AddDays(3), 12) };

        var p = ProgressRollup.Project(2026, 200, 12, points, Shanghai, start.AddDays(3));

        // x̄ = 1.5, ȳ = 10.5; Σdx·dy = (-1.5)(-10.5) + (-0.5)(-0.5) + (0.5)(9.5) + (1.5)(1.5) = 23; Σdx² = 5.
        Assert.AreEqual(4.6, p.RatePerDay!.Value, 1e-9);
        Assert.AreEqual(new DateOnly(2026, 4, 13), p.ProjectedOn, "188 left at 4.6 a day: 40.9 days after 2026-03-04 00:00");
    }

    [TestMethod]
    public void Project_NoProgress_HasNoDateAndIsNotOnTrack()
    {
        var p = ProgressRollup.Project(2026, 200, 30, [(AsOf.AddDays(-30), 40), (AsOf, 30)], Shanghai, AsOf);

        Assert.IsLessThan(0.0, p.RatePerDay!.Value);
        Assert.IsNull(p.ProjectedOn);
        Assert.IsFalse(p.OnTrack);
        Assert.IsFalse(p.Reached);
    }

    [TestMethod]
    public void Project_TargetReached_IsOnTrackOnTheDateItWasFirstReached()
    {
        var p = ProgressRollup.Project(
            2026, 200, 205,
            [(AsOf, 205), (AsOf.AddDays(-20), 150), (new DateTimeOffset(2026, 6, 20, 17, 0, 0, TimeSpan.Zero), 201)],
            Shanghai, AsOf);

        Assert.IsTrue(p.Reached);
        Assert.IsTrue(p.OnTrack);
        Assert.AreEqual(new DateOnly(2026, 6, 21), p.ProjectedOn, "17:00 UTC is the next day in Shanghai");
    }

    [TestMethod]
    public void Compute_History_UsesOnlyEarlierSnapshotsOfTheYearPlusNow()
    {
        var supplier = Entity(1, EntityKind.Supplier, 2026, DisclosureState.Completed, DisclosureState.Completed);
        ProgressSnapshot[] history =
        [
            new(new DateTimeOffset(2025, 12, 31, 15, 0, 0, TimeSpan.Zero), 500, 500), // 2025-12-31 23:00 local: last year
            new(AsOf.AddDays(-10), 0, 1),
            new(AsOf.AddDays(5), 900, 900), // after asOf: ignored
        ];

        var report = ProgressRollup.Compute(2026, Targets, [supplier], [], StatusFromRecord, history, Shanghai, AsOf);

        Assert.AreEqual(0.1, report.Projection.Prtr.RatePerDay!.Value, 1e-9);
        Assert.AreEqual(0.0, report.Projection.Carbon.RatePerDay!.Value, 1e-9);
        Assert.IsNull(report.Projection.Carbon.ProjectedOn);
    }

    private static ProgressReport Compute(int year, RegisteredEntity[] registry, ViolationCase[] cases, Func<ViolationCase, CaseStatus>? statusOf = null) =>
        ProgressRollup.Compute(year, Targets, registry, cases, statusOf ?? StatusFromRecord, [], Shanghai, AsOf);

    private static CaseStatus StatusFromRecord(ViolationCase c) => c.RecordRemoved ? CaseStatus.Removed : CaseStatus.Open;

    private static string[] Keys(JsonNode? node) => [.. node!.AsObject().Select(p => p.Key)];

    internal static RegisteredEntity Entity(int n, EntityKind kind, int year, DisclosureState prtr, DisclosureState carbon)
    {
        var prefix = "9131000" + n.ToString("D10", System.Globalization.CultureInfo.InvariantCulture);
        return new RegisteredEntity(prefix + Uscc.CheckCharacter(prefix), $"企业{n}", kind, 1, null, null)
        {
            DisclosureYear = year,
            Prtr = new DisclosureStatus(prtr, prtr == DisclosureState.Completed ? AsOf.AddDays(-1) : null),
            Carbon = new DisclosureStatus(carbon, carbon == DisclosureState.Completed ? AsOf.AddDays(-1) : null),
        };
    }

    private static ViolationCase Case(RegisteredEntity entity, string recordId) =>
        new(entity.Id, recordId) { PublishedAt = AsOf.AddDays(-30), PlanDueOn = new DateOnly(2026, 6, 10) };
}
