using DisclosurePipeline.Configuration;
using DisclosurePipeline.Domain;
using static DisclosurePipeline.Tests.Cases.CaseSamples;
using Microsoft.Extensions.Time.Testing;

namespace DisclosurePipeline.Tests.Cases;

[TestClass]
public sealed class PlanLifecycleTests
{
    private static readonly DateOnly Due = new(2024, 5, 13);
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);

    private static (CaseRules Rules, FakeTimeProvider Clock) Rules(DateTimeOffset now)
    {
        var clock = new FakeTimeProvider(now);
        return (new CaseRules(new PipelineOptions(), clock), clock);
    }

    [TestMethod]
    [DataRow(false, "", SubmissionCheck.Ok)]
    [DataRow(false, "R", SubmissionCheck.Ok)]
    [DataRow(false, "A", SubmissionCheck.Ok)]
    [DataRow(false, "R,A", SubmissionCheck.Ok)]
    [DataRow(false, "P", SubmissionCheck.PendingExists)]
    [DataRow(false, "R,P", SubmissionCheck.PendingExists)]
    [DataRow(true, "", SubmissionCheck.Removed)]
    [DataRow(true, "A", SubmissionCheck.Removed)]
    [DataRow(true, "P", SubmissionCheck.Removed)]
    public void CanSubmit_Table_RefusesOnlyRemovedOrPending(bool removed, string decisions, SubmissionCheck expected)
    {
        Assert.AreEqual(expected, CaseRules.CanSubmit(Case(Due, removed), Plans(decisions)));
    }

    [TestMethod]
    public void Submit_OnTime_AcceptsAPendingPlanStampedNow()
    {
        var now = new DateTimeOffset(2024, 5, 10, 9, 0, 0, Cst);
        var (rules, _) = Rules(now);
        var content = Content();

        var outcome = rules.Submit(Case(Due), Plans("R"), content);

        var plan = Assert.IsInstanceOfType<SubmissionOutcome.Accepted>(outcome).Plan;
        Assert.AreEqual(SupplierId, plan.SupplierId);
        Assert.AreEqual(RecordId, plan.RecordId);
        Assert.AreEqual(now, plan.SubmittedAt);
        Assert.AreEqual(PlanDecision.Pending, plan.Decision);
        Assert.IsFalse(plan.Late);
        Assert.AreSame(content, plan.Content);
        Assert.IsNull(plan.ReviewedAt);
        Assert.IsNull(plan.DocumentPath);
        Assert.StartsWith("p", plan.PlanId);
        Assert.AreEqual($"{SupplierId}/{RecordId}/{plan.PlanId}.pdf", plan.DefaultDocumentPath);
        Assert.AreEqual(CaseStatus.PlanSubmitted, CaseRules.StatusOf(Case(Due), [.. Plans("R"), plan], Due.AddDays(3)));
    }

    [TestMethod]
    [DataRow(true, "P", SubmissionCheck.Removed)]
    [DataRow(false, "P", SubmissionCheck.PendingExists)]
    [DataRow(true, "", SubmissionCheck.Removed)]
    public void Submit_Conflicts_AreRefusedWithTheReason(bool removed, string decisions, SubmissionCheck reason)
    {
        var (rules, _) = Rules(new DateTimeOffset(2024, 5, 10, 9, 0, 0, Cst));

        var outcome = rules.Submit(Case(Due, removed), Plans(decisions), Content());

        Assert.AreEqual(reason, Assert.IsInstanceOfType<SubmissionOutcome.Refused>(outcome).Reason);
    }

    [TestMethod]
    [DataRow(2024, 5, 13, 23, 59, 59, false, DisplayName = "last second of the due date: on time")]
    [DataRow(2024, 5, 14, 0, 0, 0, true, DisplayName = "local midnight after the due date: late")]
    [DataRow(2024, 5, 1, 8, 0, 0, false, DisplayName = "well before: on time")]
    [DataRow(2024, 6, 30, 8, 0, 0, true, DisplayName = "weeks after: late")]
    public void Submit_AroundTheDueDate_MarksLateByLocalDate(int y, int mo, int d, int h, int mi, int s, bool late)
    {
        var (rules, _) = Rules(new DateTimeOffset(y, mo, d, h, mi, s, Cst));

        var outcome = rules.Submit(Case(Due), [], Content());

        Assert.AreEqual(late, Assert.IsInstanceOfType<SubmissionOutcome.Accepted>(outcome).Plan.Late);
    }

    [TestMethod]
    public void IsLate_InNewYork_UsesThatZonesDate()
    {
        var clock = new FakeTimeProvider();
        var rules = new CaseRules(NewYork, 10, 10, clock);
        var dueOn = new DateOnly(2024, 5, 13);

        // 2024-05-14T03:30Z is 23:30 EDT on the 13th (but already the 14th in Shanghai).
        Assert.IsFalse(rules.IsLate(new DateTimeOffset(2024, 5, 14, 3, 30, 0, TimeSpan.Zero), dueOn));
        Assert.IsTrue(new CaseRules(Shanghai, 10, 10, clock).IsLate(new DateTimeOffset(2024, 5, 14, 3, 30, 0, TimeSpan.Zero), dueOn));
        Assert.IsTrue(rules.IsLate(new DateTimeOffset(2024, 5, 14, 4, 0, 0, TimeSpan.Zero), dueOn));
    }

    [TestMethod]
    public void NewPlanId_SortsBySubmissionTimeAndIsKeySafe()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 5, 10, 0, 0, 0, TimeSpan.Zero));
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add(ImprovementPlan.NewPlanId(clock));
            clock.Advance(TimeSpan.FromTicks(1 + (i * 997)));
        }

        CollectionAssert.AreEqual(ids, ids.Order(StringComparer.Ordinal).ToList());
        foreach (var id in ids)
        {
            Assert.AreEqual(28, id.Length);
            Assert.IsTrue(id.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9')), id);
        }

        var sameTick = Enumerable.Range(0, 50).Select(_ => ImprovementPlan.NewPlanId(clock)).ToHashSet();
        Assert.HasCount(50, sameTick);
    }

    [TestMethod]
    public void Review_ApprovePending_DecidesAndLeavesTheCase()
    {
        var now = new DateTimeOffset(2024, 5, 20, 10, 0, 0, Cst);
        var (rules, _) = Rules(now);
        var violationCase = Case(Due);
        var plan = Plan(PlanDecision.Pending);

        var outcome = rules.Review(violationCase, plan, ReviewDecision.Approve, "Looks good", "staff:1");

        var decided = Assert.IsInstanceOfType<ReviewOutcome.Decided>(outcome);
        Assert.AreEqual(PlanDecision.Approved, decided.Plan.Decision);
        Assert.AreEqual(now, decided.Plan.ReviewedAt);
        Assert.AreEqual("staff:1", decided.Plan.ReviewedBy);
        Assert.AreEqual("Looks good", decided.Plan.Comment);
        Assert.AreEqual(plan.PlanId, decided.Plan.PlanId);
        Assert.AreEqual(plan.SubmittedAt, decided.Plan.SubmittedAt);
        Assert.IsFalse(decided.CaseChanged);
        Assert.AreSame(violationCase, decided.Case);
        Assert.AreEqual(CaseStatus.PlanApproved, CaseRules.StatusOf(decided.Case, [decided.Plan], Due.AddDays(30)));
    }

    [TestMethod]
    public void Review_ApproveWithoutComment_LeavesCommentNull()
    {
        var (rules, _) = Rules(new DateTimeOffset(2024, 5, 20, 10, 0, 0, Cst));

        var outcome = rules.Review(Case(Due), Plan(PlanDecision.Pending), ReviewDecision.Approve, "  ", "staff");

        Assert.IsNull(Assert.IsInstanceOfType<ReviewOutcome.Decided>(outcome).Plan.Comment);
    }

    [TestMethod]
    public void Review_RejectJustAfterLocalMidnight_MovesTheDeadlineFromTheRejectionsLocalDate()
    {
        // 2024-05-20T16:10Z is 2024-05-21 00:10 in Shanghai: due 2024-05-31, not the 30th.
        var rejectedAt = new DateTimeOffset(2024, 5, 20, 16, 10, 0, TimeSpan.Zero);
        var (rules, clock) = Rules(rejectedAt);
        var violationCase = Case(Due);

        var outcome = rules.Review(violationCase, Plan(PlanDecision.Pending), ReviewDecision.Reject, "Root cause is vague", "staff");

        var decided = Assert.IsInstanceOfType<ReviewOutcome.Decided>(outcome);
        Assert.AreEqual(PlanDecision.Rejected, decided.Plan.Decision);
        Assert.AreEqual("Root cause is vague", decided.Plan.Comment);
        Assert.AreEqual(rejectedAt, decided.Plan.ReviewedAt);
        Assert.IsTrue(decided.CaseChanged);
        Assert.AreEqual(new DateOnly(2024, 5, 31), decided.Case.PlanDueOn);
        Assert.AreEqual(Due, violationCase.PlanDueOn);

        var plans = new[] { decided.Plan };
        Assert.AreEqual(CaseStatus.Open, CaseRules.StatusOf(decided.Case, plans, new DateOnly(2024, 5, 31)));
        Assert.AreEqual(CaseStatus.Overdue, CaseRules.StatusOf(decided.Case, plans, new DateOnly(2024, 6, 1)));

        // A plan resubmitted on the new due date is on time; on the next local day it is late.
        clock.SetUtcNow(new DateTimeOffset(2024, 5, 31, 23, 59, 0, Cst));
        Assert.IsFalse(Assert.IsInstanceOfType<SubmissionOutcome.Accepted>(rules.Submit(decided.Case, plans, Content())).Plan.Late);
        clock.SetUtcNow(new DateTimeOffset(2024, 6, 1, 0, 0, 0, Cst));
        Assert.IsTrue(Assert.IsInstanceOfType<SubmissionOutcome.Accepted>(rules.Submit(decided.Case, plans, Content())).Plan.Late);
    }

    [TestMethod]
    public void Review_RejectWithResubmissionDaysSetting_UsesThatSetting()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 5, 20, 10, 0, 0, Cst));
        var rules = new CaseRules(new PipelineOptions { PlanDeadlineDays = 10, ResubmissionDays = 3 }, clock);

        var outcome = rules.Review(Case(Due), Plan(PlanDecision.Pending), ReviewDecision.Reject, "Redo", "staff");

        Assert.AreEqual(new DateOnly(2024, 5, 23), Assert.IsInstanceOfType<ReviewOutcome.Decided>(outcome).Case.PlanDueOn);
    }

    [TestMethod]
    [DataRow(null)]
    [DataRow("")]
    [DataRow("   ")]
    public void Review_RejectWithoutComment_NeedsAComment(string? comment)
    {
        var (rules, _) = Rules(new DateTimeOffset(2024, 5, 20, 10, 0, 0, Cst));

        var outcome = rules.Review(Case(Due), Plan(PlanDecision.Pending), ReviewDecision.Reject, comment, "staff");

        Assert.IsInstanceOfType<ReviewOutcome.CommentRequired>(outcome);
    }

    [TestMethod]
    [DataRow(PlanDecision.Approved, ReviewDecision.Approve)]
    [DataRow(PlanDecision.Approved, ReviewDecision.Reject)]
    [DataRow(PlanDecision.Rejected, ReviewDecision.Approve)]
    [DataRow(PlanDecision.Rejected, ReviewDecision.Reject)]
    public void Review_PlanNotPending_IsAConflict(PlanDecision current, ReviewDecision decision)
    {
        var (rules, _) = Rules(new DateTimeOffset(2024, 5, 20, 10, 0, 0, Cst));

        var outcome = rules.Review(Case(Due), Plan(current), decision, "comment", "staff");

        Assert.AreEqual(current, Assert.IsInstanceOfType<ReviewOutcome.NotPending>(outcome).Current);
    }

    [TestMethod]
    public void Review_PendingPlanOfRemovedCase_IsDecidedAndCaseStaysRemoved()
    {
        var (rules, _) = Rules(new DateTimeOffset(2024, 5, 20, 10, 0, 0, Cst));
        var removed = Case(Due, removed: true);

        var outcome = rules.Review(removed, Plan(PlanDecision.Pending), ReviewDecision.Reject, "Too late anyway", "staff");

        var decided = Assert.IsInstanceOfType<ReviewOutcome.Decided>(outcome);
        Assert.AreEqual(CaseStatus.Removed, CaseRules.StatusOf(decided.Case, [decided.Plan], Due.AddDays(100)));
    }

    [TestMethod]
    public void Review_PlanOfAnotherCase_Throws()
    {
        var (rules, _) = Rules(new DateTimeOffset(2024, 5, 20, 10, 0, 0, Cst));
        var other = Plan(PlanDecision.Pending) with { RecordId = "BM-2024-9999999" };

        Assert.ThrowsExactly<ArgumentException>(() => rules.Review(Case(Due), other, ReviewDecision.Approve, null, "staff"));
    }

    [TestMethod]
    public void Lifecycle_SubmitRejectResubmitApproveAfterRemovalAndRestore_EndsApproved()
    {
        var (rules, clock) = Rules(new DateTimeOffset(2024, 5, 2, 16, 30, 0, TimeSpan.Zero));
        var record = Record(clock.GetUtcNow());
        var violationCase = rules.Open(record);
        var plans = new List<ImprovementPlan>();

        clock.SetUtcNow(new DateTimeOffset(2024, 5, 15, 9, 0, 0, Cst));
        Assert.AreEqual(CaseStatus.Overdue, rules.StatusNow(violationCase, plans));
        var first = Assert.IsInstanceOfType<SubmissionOutcome.Accepted>(rules.Submit(violationCase, plans, Content())).Plan;
        Assert.IsTrue(first.Late);
        plans.Add(first);
        Assert.AreEqual(CaseStatus.PlanSubmitted, rules.StatusNow(violationCase, plans));
        Assert.IsInstanceOfType<SubmissionOutcome.Refused>(rules.Submit(violationCase, plans, Content()));

        clock.Advance(TimeSpan.FromDays(1));
        var rejected = Assert.IsInstanceOfType<ReviewOutcome.Decided>(rules.Review(violationCase, first, ReviewDecision.Reject, "More detail", "staff"));
        violationCase = rejected.Case;
        plans[0] = rejected.Plan;
        Assert.AreEqual(new DateOnly(2024, 5, 26), violationCase.PlanDueOn);
        Assert.AreEqual(CaseStatus.Open, rules.StatusNow(violationCase, plans));

        violationCase = violationCase.WithRecord(record with { Removed = true, RemovedAt = clock.GetUtcNow() });
        Assert.AreEqual(CaseStatus.Removed, rules.StatusNow(violationCase, plans));
        Assert.AreEqual(SubmissionCheck.Removed, CaseRules.CanSubmit(violationCase, plans));

        violationCase = violationCase.WithRecord(record);
        clock.Advance(TimeSpan.FromDays(2));
        var second = Assert.IsInstanceOfType<SubmissionOutcome.Accepted>(rules.Submit(violationCase, plans, Content())).Plan;
        Assert.IsFalse(second.Late);
        Assert.IsLessThan(0, string.CompareOrdinal(first.PlanId, second.PlanId));
        plans.Add(second);

        var approved = Assert.IsInstanceOfType<ReviewOutcome.Decided>(rules.Review(violationCase, second, ReviewDecision.Approve, null, "staff"));
        plans[1] = approved.Plan;
        clock.Advance(TimeSpan.FromDays(60));
        Assert.AreEqual(CaseStatus.PlanApproved, rules.StatusNow(approved.Case, plans));
    }
}
