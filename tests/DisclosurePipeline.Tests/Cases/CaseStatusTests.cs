using DisclosurePipeline.Configuration;
using DisclosurePipeline.Domain;
using static DisclosurePipeline.Tests.Cases.CaseSamples;
using Microsoft.Extensions.Time.Testing;

namespace DisclosurePipeline.Tests.Cases;

[TestClass]
public sealed class CaseStatusTests
{
    private static readonly DateOnly Due = new(2024, 5, 13);

    [TestMethod]
    [DataRow(false, "", -1, CaseStatus.Open, DisplayName = "no plan, before due: open")]
    [DataRow(false, "", 0, CaseStatus.Open, DisplayName = "no plan, on the due date: open")]
    [DataRow(false, "", 1, CaseStatus.Overdue, DisplayName = "no plan, day after due: overdue")]
    [DataRow(false, "R", 0, CaseStatus.Open, DisplayName = "rejected only, on due: open")]
    [DataRow(false, "R", 1, CaseStatus.Overdue, DisplayName = "rejected only, past due: overdue")]
    [DataRow(false, "P", -3, CaseStatus.PlanSubmitted, DisplayName = "pending before due")]
    [DataRow(false, "P", 5, CaseStatus.PlanSubmitted, DisplayName = "pending wins over overdue")]
    [DataRow(false, "R,P", 5, CaseStatus.PlanSubmitted, DisplayName = "rejected then pending")]
    [DataRow(false, "A", -5, CaseStatus.PlanApproved, DisplayName = "approved before due")]
    [DataRow(false, "A", 5, CaseStatus.PlanApproved, DisplayName = "approved wins over overdue")]
    [DataRow(false, "R,A", 5, CaseStatus.PlanApproved, DisplayName = "rejected then approved")]
    [DataRow(false, "A,R", 5, CaseStatus.PlanApproved, DisplayName = "any approved plan counts after a later rejection")]
    [DataRow(false, "A,P", 5, CaseStatus.PlanSubmitted, DisplayName = "pending wins over approved")]
    [DataRow(true, "", -1, CaseStatus.Removed, DisplayName = "removed, no plan, before due")]
    [DataRow(true, "", 5, CaseStatus.Removed, DisplayName = "removed wins over overdue")]
    [DataRow(true, "P", 0, CaseStatus.Removed, DisplayName = "removed wins over pending")]
    [DataRow(true, "A", 0, CaseStatus.Removed, DisplayName = "removed wins over approved")]
    [DataRow(true, "R", 5, CaseStatus.Removed, DisplayName = "removed wins over rejected")]
    [DataRow(true, "R,A,P", 5, CaseStatus.Removed, DisplayName = "removed wins over every plan state")]
    public void StatusOf_Table_FollowsPrecedence(bool removed, string decisions, int daysAfterDue, CaseStatus expected)
    {
        var status = CaseRules.StatusOf(Case(Due, removed), Plans(decisions), Due.AddDays(daysAfterDue));

        Assert.AreEqual(expected, status);
    }

    [TestMethod]
    public void StatusOf_PlanOrder_DoesNotMatter()
    {
        var plans = Plans("A,R,P");
        var reversed = plans.AsEnumerable().Reverse().ToList();

        Assert.AreEqual(CaseStatus.PlanSubmitted, CaseRules.StatusOf(Case(Due), plans, Due.AddDays(9)));
        Assert.AreEqual(CaseStatus.PlanSubmitted, CaseRules.StatusOf(Case(Due), reversed, Due.AddDays(9)));
    }

    [TestMethod]
    public void InitialPlanDueOn_PublishedJustAfterLocalMidnightInShanghai_CountsFromTheLocalDate()
    {
        // 2024-05-03T00:30+08:00 is still 2024-05-02 in UTC.
        var rules = new CaseRules(new PipelineOptions(), new FakeTimeProvider());
        var publishedAt = new DateTimeOffset(2024, 5, 2, 16, 30, 0, TimeSpan.Zero);

        Assert.AreEqual(new DateOnly(2024, 5, 13), rules.InitialPlanDueOn(publishedAt));
        Assert.AreEqual(new DateOnly(2024, 5, 12), rules.InitialPlanDueOn(publishedAt.AddMinutes(-31)));
    }

    [TestMethod]
    public void StatusNow_AroundLocalMidnightAfterTheDueDateInShanghai_TurnsOverdueAtMidnight()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 5, 13, 23, 59, 0, TimeSpan.FromHours(8)));
        var rules = new CaseRules(new PipelineOptions(), clock);
        var opened = rules.Open(Record(new DateTimeOffset(2024, 5, 3, 0, 30, 0, TimeSpan.FromHours(8))));
        Assert.AreEqual(new DateOnly(2024, 5, 13), opened.PlanDueOn);

        Assert.AreEqual(new DateOnly(2024, 5, 13), rules.Today());
        Assert.AreEqual(CaseStatus.Open, rules.StatusNow(opened, []));

        clock.SetUtcNow(new DateTimeOffset(2024, 5, 13, 23, 59, 59, TimeSpan.FromHours(8)));
        Assert.AreEqual(CaseStatus.Open, rules.StatusNow(opened, []));

        clock.SetUtcNow(new DateTimeOffset(2024, 5, 14, 0, 0, 0, TimeSpan.FromHours(8)));
        Assert.AreEqual(new DateOnly(2024, 5, 14), rules.Today());
        Assert.AreEqual(CaseStatus.Overdue, rules.StatusNow(opened, []));
    }

    [TestMethod]
    public void Open_StampsTheClockAndCopiesTheRecord()
    {
        var now = new DateTimeOffset(2024, 5, 2, 17, 0, 0, TimeSpan.Zero);
        var rules = new CaseRules(new PipelineOptions(), new FakeTimeProvider(now));
        var record = Record(new DateTimeOffset(2024, 5, 2, 16, 30, 0, TimeSpan.Zero));

        var opened = rules.Open(record);

        Assert.AreEqual(now, opened.OpenedAt);
        Assert.AreEqual(record.PublishedAt, opened.PublishedAt);
        Assert.AreEqual(SupplierId, opened.SupplierId);
        Assert.AreEqual(RecordId, opened.RecordId);
        Assert.IsTrue(opened.HasSameRecord(record));
    }

    [TestMethod]
    public void Rules_InNewYork_CountDaysInThatZoneNotShanghai()
    {
        // The same instant is 2024-05-03 in Shanghai but 2024-05-02 in New York.
        var publishedAt = new DateTimeOffset(2024, 5, 2, 16, 30, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider();
        var shanghai = new CaseRules(Shanghai, 10, 10, clock);
        var newYork = new CaseRules(new PipelineOptions { TimeZone = "America/New_York" }, clock);

        Assert.AreEqual(new DateOnly(2024, 5, 13), shanghai.InitialPlanDueOn(publishedAt));
        Assert.AreEqual(new DateOnly(2024, 5, 12), newYork.InitialPlanDueOn(publishedAt));
    }

    [TestMethod]
    public void StatusNow_InNewYorkAcrossTheSpringDstChange_UsesTheDaylightOffset()
    {
        // Published 2024-03-09 23:30 EST (-05:00); clocks go forward on 2024-03-10. Due 2024-03-19.
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 3, 10, 4, 30, 0, TimeSpan.Zero));
        var rules = new CaseRules(NewYork, 10, 10, clock);
        var opened = rules.Open(Record(new DateTimeOffset(2024, 3, 9, 23, 30, 0, TimeSpan.FromHours(-5))));
        Assert.AreEqual(new DateOnly(2024, 3, 19), opened.PlanDueOn);

        // 2024-03-20T03:59:59Z is 23:59:59 EDT on the due date.
        clock.SetUtcNow(new DateTimeOffset(2024, 3, 20, 3, 59, 59, TimeSpan.Zero));
        Assert.AreEqual(CaseStatus.Open, rules.StatusNow(opened, []));

        // 04:30Z is 00:30 EDT on 2024-03-20 (with the winter offset it would still be the 19th).
        clock.SetUtcNow(new DateTimeOffset(2024, 3, 20, 4, 30, 0, TimeSpan.Zero));
        Assert.AreEqual(new DateOnly(2024, 3, 20), rules.Today());
        Assert.AreEqual(CaseStatus.Overdue, rules.StatusNow(opened, []));
    }

    [TestMethod]
    public void Today_InNewYorkOnTheAutumnDstChange_IsTheLocalDate()
    {
        // 2024-11-03 01:30 happens twice in New York; both instants are on the 3rd, 05:00Z the next day is the 3rd too (EST).
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 11, 3, 5, 30, 0, TimeSpan.Zero));
        Assert.AreEqual(new DateOnly(2024, 11, 3), CaseRules.Today(clock, NewYork));

        clock.SetUtcNow(new DateTimeOffset(2024, 11, 4, 4, 59, 59, TimeSpan.Zero));
        Assert.AreEqual(new DateOnly(2024, 11, 3), CaseRules.Today(clock, NewYork));

        clock.SetUtcNow(new DateTimeOffset(2024, 11, 4, 5, 0, 0, TimeSpan.Zero));
        Assert.AreEqual(new DateOnly(2024, 11, 4), CaseRules.Today(clock, NewYork));
    }

    [TestMethod]
    public void StatusOf_RecordRemovedThenRestored_RecomputesFromPlansAndDueDate()
    {
        var active = Record(new DateTimeOffset(2024, 5, 2, 16, 30, 0, TimeSpan.Zero));
        var removedRecord = active with { Removed = true, RemovedAt = new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero) };
        var opened = ViolationCase.Open(active, Due, active.PublishedAt);
        var removed = opened.WithRecord(removedRecord);
        var restored = removed.WithRecord(active);
        var approved = Plans("R,A");
        var pastDue = Due.AddDays(20);

        Assert.AreEqual(CaseStatus.Removed, CaseRules.StatusOf(removed, approved, pastDue));
        Assert.AreEqual(CaseStatus.Removed, CaseRules.StatusOf(removed, [], pastDue));

        Assert.IsFalse(restored.RecordRemoved);
        Assert.IsNull(restored.RemovedAt);
        Assert.AreEqual(Due, restored.PlanDueOn);
        Assert.AreEqual(CaseStatus.PlanApproved, CaseRules.StatusOf(restored, approved, pastDue));
        Assert.AreEqual(CaseStatus.Overdue, CaseRules.StatusOf(restored, [], pastDue));
        Assert.AreEqual(CaseStatus.Open, CaseRules.StatusOf(restored, [], Due));
        Assert.AreEqual(CaseStatus.PlanSubmitted, CaseRules.StatusOf(restored, Plans("R,P"), pastDue));
    }

    [TestMethod]
    public void StatusOf_RemovedCase_KeepsItsPlansUntouched()
    {
        var plans = Plans("R,P");
        var snapshot = plans.ToList();

        var status = CaseRules.StatusOf(Case(Due, removed: true), plans, Due);

        Assert.AreEqual(CaseStatus.Removed, status);
        CollectionAssert.AreEqual(snapshot, plans);
        Assert.AreEqual(PlanDecision.Pending, plans[1].Decision);
    }

    [TestMethod]
    public void Constructor_BadArguments_Throw()
    {
        var clock = new FakeTimeProvider();
        Assert.ThrowsExactly<ArgumentNullException>(() => new CaseRules(null!, clock));
        Assert.ThrowsExactly<ArgumentNullException>(() => new CaseRules(new PipelineOptions(), null!));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new CaseRules(Shanghai, -1, 10, clock));
    }
}
