using DisclosurePipeline.Domain;
using static DisclosurePipeline.Tests.Cases.CaseSamples;

namespace DisclosurePipeline.Tests.Cases;

[TestClass]
public sealed class AlertRulesTests
{
    private static readonly DateOnly Due = new(2024, 5, 13);

    [TestMethod]
    public void For_SameInputs_GivesTheSameId()
    {
        var a = AlertId.For(AlertTypes.PlanOverdue, SupplierId, RecordId, Due);
        var b = AlertId.For("plan_overdue", new string(SupplierId.ToCharArray()), new string(RecordId.ToCharArray()), new DateOnly(2024, 5, 13));

        Assert.AreEqual(a, b);
        Assert.StartsWith("plan_overdue-20240513-", a);
        Assert.AreEqual("plan_overdue-20240513-".Length + 32, a.Length);
    }

    [TestMethod]
    public void For_AnyFieldDiffering_GivesDistinctIds()
    {
        string[] ids =
        [
            AlertId.For(AlertTypes.PlanOverdue, SupplierId, RecordId, Due),
            AlertId.For(AlertTypes.PlanOverdue, SupplierId, RecordId, Due.AddDays(1)),
            AlertId.For(AlertTypes.PlanOverdue, SupplierId, RecordId, new DateOnly(2025, 5, 13)),
            AlertId.For(AlertTypes.PlanDueSoon, SupplierId, RecordId, Due),
            AlertId.For(AlertTypes.PlanOverdue, "91110000600037341L", RecordId, Due),
            AlertId.For(AlertTypes.PlanOverdue, SupplierId, "BM-2024-0001235", Due),
            AlertId.For(AlertTypes.PlanOverdue, "AB", "C", Due),
            AlertId.For(AlertTypes.PlanOverdue, "A", "BC", Due),
        ];

        Assert.HasCount(ids.Length, ids.Distinct(StringComparer.Ordinal));
    }

    [TestMethod]
    [DataRow("BM/2024#12?x\\y")]
    [DataRow("记录-2024-\t01")]
    [DataRow("")]
    public void For_RecordIdWithUnsafeCharacters_GivesARowKeySafeId(string recordId)
    {
        var id = AlertId.For(AlertTypes.PlanOverdue, SupplierId, recordId, Due);

        Assert.IsTrue(id.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-'), id);
    }

    [TestMethod]
    [DataRow("Plan_Overdue")]
    [DataRow("plan/overdue")]
    [DataRow("plan-overdue")]
    [DataRow("")]
    public void For_TypeWithUnsafeCharacters_Throws(string type)
    {
        Assert.ThrowsExactly<ArgumentException>(() => AlertId.For(type, SupplierId, RecordId, Due));
    }

    [TestMethod]
    [DataRow(-5, 0)]
    [DataRow(0, 0)]
    [DataRow(1, 1)]
    [DataRow(31, 31)]
    [DataRow(400, 400)]
    public void DaysOverdue_CountsLocalDaysPastDue(int daysAfterDue, int expected)
    {
        Assert.AreEqual(expected, CaseRules.DaysOverdue(Due, Due.AddDays(daysAfterDue)));
    }

    [TestMethod]
    [DataRow("", -3, null, DisplayName = "open, three days before: nothing yet")]
    [DataRow("", -2, AlertTypes.PlanDueSoon, DisplayName = "open, two days before: due soon")]
    [DataRow("", -1, AlertTypes.PlanDueSoon, DisplayName = "open, one day before: due soon")]
    [DataRow("", 0, AlertTypes.PlanDueSoon, DisplayName = "open, on the due date: due soon")]
    [DataRow("", 1, AlertTypes.PlanOverdue, DisplayName = "day after due: overdue")]
    [DataRow("R", 9, AlertTypes.PlanOverdue, DisplayName = "rejected, past due: overdue")]
    [DataRow("R", -1, AlertTypes.PlanDueSoon, DisplayName = "rejected, due soon")]
    [DataRow("P", -1, null, DisplayName = "pending before due: nothing")]
    [DataRow("P", 3, null, DisplayName = "pending past due: nothing")]
    [DataRow("A", 3, null, DisplayName = "approved past due: nothing")]
    [DataRow("A", 0, null, DisplayName = "approved on the due date: nothing")]
    public void AlertsDue_Table_FollowsTheStatus(string decisions, int daysAfterDue, string? expectedType)
    {
        var alerts = CaseRules.AlertsDue(Case(Due), Plans(decisions), Due.AddDays(daysAfterDue));

        if (expectedType is null)
        {
            Assert.IsEmpty(alerts);
            return;
        }

        var alert = Assert.ContainsSingle(alerts);
        Assert.AreEqual(expectedType, alert.Type);
        Assert.AreEqual(Due, alert.PlanDueOn);
        Assert.AreEqual(SupplierId, alert.SupplierId);
        Assert.AreEqual(RecordId, alert.RecordId);
        Assert.AreEqual(CaseRules.DaysOverdue(Due, Due.AddDays(daysAfterDue)), alert.DaysOverdue);
        Assert.AreEqual(AlertId.For(expectedType, SupplierId, RecordId, Due), alert.AlertId);
    }

    [TestMethod]
    [DataRow(-1)]
    [DataRow(0)]
    [DataRow(5)]
    public void AlertsDue_RemovedCase_RaisesNothing(int daysAfterDue)
    {
        Assert.IsEmpty(CaseRules.AlertsDue(Case(Due, removed: true), [], Due.AddDays(daysAfterDue)));
    }

    [TestMethod]
    public void AlertsDue_OverdueOnLaterSweeps_KeepsTheSameIdUntilTheDeadlineMoves()
    {
        var violationCase = Case(Due);
        var first = Assert.ContainsSingle(CaseRules.AlertsDue(violationCase, [], Due.AddDays(1)));
        var later = Assert.ContainsSingle(CaseRules.AlertsDue(violationCase, [], Due.AddDays(4)));
        var moved = Assert.ContainsSingle(CaseRules.AlertsDue(violationCase with { PlanDueOn = Due.AddDays(12) }, Plans("R"), Due.AddDays(13)));

        Assert.AreEqual(first.AlertId, later.AlertId);
        Assert.AreEqual(4, later.DaysOverdue);
        Assert.AreEqual(AlertTypes.PlanOverdue, moved.Type);
        Assert.AreNotEqual(first.AlertId, moved.AlertId);
    }
}
