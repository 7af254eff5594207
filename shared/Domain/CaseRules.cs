using DisclosurePipeline.Configuration;

namespace DisclosurePipeline.Domain;

/// <summary>Whether a supplier may submit a new plan for a case now.</summary>
public enum SubmissionCheck
{
    /// <summary>A plan may be submitted.</summary>
    Ok,

    /// <summary>The record is removed on the platform: the case is final (HTTP 409).</summary>
    Removed,

    /// <summary>A plan already waits for review (HTTP 409).</summary>
    PendingExists,
}

/// <summary>Staff's decision in a review request (<c>"approve"</c> or <c>"reject"</c> in JSON).</summary>
public enum ReviewDecision
{
    /// <summary>Approve the plan.</summary>
    Approve,

    /// <summary>Reject the plan; a comment is required and the case gets a new <c>planDueOn</c>.</summary>
    Reject,
}

/// <summary>The outcome of <see cref="CaseRules.Submit"/>: exactly one of the nested records.</summary>
public abstract record SubmissionOutcome
{
    private SubmissionOutcome()
    {
    }

    /// <summary>The plan was accepted; store it (it is pending, <see cref="ImprovementPlan.Late"/> is set).</summary>
    /// <param name="Plan">The new plan.</param>
    public sealed record Accepted(ImprovementPlan Plan) : SubmissionOutcome;

    /// <summary>The plan was refused (HTTP 409).</summary>
    /// <param name="Reason">Why: <see cref="SubmissionCheck.Removed"/> or <see cref="SubmissionCheck.PendingExists"/>.</param>
    public sealed record Refused(SubmissionCheck Reason) : SubmissionOutcome;
}

/// <summary>The outcome of <see cref="CaseRules.Review"/>: exactly one of the nested records.</summary>
public abstract record ReviewOutcome
{
    private ReviewOutcome()
    {
    }

    /// <summary>The plan was decided. Store the plan, and the case when <paramref name="CaseChanged"/>.</summary>
    /// <param name="Plan">The plan with its decision, reviewer, time and comment.</param>
    /// <param name="Case">The case; after a rejection its <see cref="ViolationCase.PlanDueOn"/> is moved.</param>
    /// <param name="CaseChanged">True when <paramref name="Case"/> differs from the case passed in (a rejection).</param>
    public sealed record Decided(ImprovementPlan Plan, ViolationCase Case, bool CaseChanged) : ReviewOutcome;

    /// <summary>The plan is not pending (HTTP 409).</summary>
    /// <param name="Current">Its decision as it stands.</param>
    public sealed record NotPending(PlanDecision Current) : ReviewOutcome;

    /// <summary>A rejection without a comment (HTTP 400, field <c>comment</c>).</summary>
    public sealed record CommentRequired : ReviewOutcome;
}

/// <summary>Alert types.</summary>
public static class AlertTypes
{
    /// <summary>A case is past its <c>planDueOn</c> with no plan pending or approved (the contract's alert).</summary>
    public const string PlanOverdue = "plan_overdue";

    /// <summary>
    /// A reminder: an open case's <c>planDueOn</c> is at most <see cref="CaseRules.DueSoonDays"/> local days
    /// away. An extension of the contract.
    /// </summary>
    public const string PlanDueSoon = "plan_due_soon";
}

/// <summary>An alert that applies to a case now.</summary>
/// <param name="Type">One of <see cref="AlertTypes"/>.</param>
/// <param name="SupplierId">The case's entity.</param>
/// <param name="RecordId">The case's record.</param>
/// <param name="PlanDueOn">The deadline the alert is about.</param>
/// <param name="DaysOverdue">Local days past <paramref name="PlanDueOn"/>; 0 for a reminder.</param>
public sealed record AlertDue(string Type, string SupplierId, string RecordId, DateOnly PlanDueOn, int DaysOverdue)
{
    /// <summary>The alert's deterministic id (<see cref="AlertId.For"/>).</summary>
    public string AlertId => Domain.AlertId.For(Type, SupplierId, RecordId, PlanDueOn);
}

/// <summary>
/// The rules of a violation case: its status, its deadline, who may submit and review plans, and
/// which alerts apply. Pure: no storage, no HTTP; "now" comes from the injected <see cref="TimeProvider"/>
/// and days are local calendar days in the pipeline's zone. The static members take everything
/// they need as arguments.
/// </summary>
public sealed class CaseRules
{
    /// <summary>How many local days before <c>planDueOn</c> the due-soon reminder starts (inclusive).</summary>
    public const int DueSoonDays = 2;

    private readonly TimeProvider time;

    /// <summary>Rules with the deadlines and zone of <paramref name="options"/>.</summary>
    public CaseRules(PipelineOptions options, TimeProvider time)
        : this(Resolve(options).ResolveZone(), options.PlanDeadlineDays, options.ResubmissionDays, time)
    {
    }

    /// <summary>Rules with explicit deadlines and zone.</summary>
    /// <param name="zone">The zone days are counted in.</param>
    /// <param name="planDeadlineDays">Days after disclosure that a plan is due.</param>
    /// <param name="resubmissionDays">Days after a rejection that a new plan is due.</param>
    /// <param name="time">The clock.</param>
    public CaseRules(TimeZoneInfo zone, int planDeadlineDays, int resubmissionDays, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegative(planDeadlineDays);
        ArgumentOutOfRangeException.ThrowIfNegative(resubmissionDays);
        Zone = zone;
        PlanDeadlineDays = planDeadlineDays;
        ResubmissionDays = resubmissionDays;
        this.time = time;
    }

    /// <summary>The zone days are counted in.</summary>
    public TimeZoneInfo Zone { get; }

    /// <summary>Days after disclosure that a plan is due.</summary>
    public int PlanDeadlineDays { get; }

    /// <summary>Days after a rejection that a new plan is due.</summary>
    public int ResubmissionDays { get; }

    /// <summary>Today's local date in <see cref="Zone"/>.</summary>
    public DateOnly Today() => Today(time, Zone);

    /// <summary>Today's local date in <paramref name="zone"/> by <paramref name="time"/>'s clock.</summary>
    public static DateOnly Today(TimeProvider time, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(time);
        return PlanDeadline.LocalDate(time.GetUtcNow(), zone);
    }

    /// <summary>A new case's <c>planDueOn</c>: the local date of <paramref name="publishedAt"/> plus <see cref="PlanDeadlineDays"/>.</summary>
    public DateOnly InitialPlanDueOn(DateTimeOffset publishedAt) => PlanDeadline.DueOn(publishedAt, Zone, PlanDeadlineDays);

    /// <summary>The <c>planDueOn</c> after a rejection: the local date of <paramref name="rejectedAt"/> plus <see cref="ResubmissionDays"/>.</summary>
    public DateOnly ResubmissionPlanDueOn(DateTimeOffset rejectedAt) => PlanDeadline.DueOn(rejectedAt, Zone, ResubmissionDays);

    /// <summary>Opens a case for a record first seen now, due <see cref="InitialPlanDueOn"/>.</summary>
    public ViolationCase Open(ViolationRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return ViolationCase.Open(record, InitialPlanDueOn(record.PublishedAt), time.GetUtcNow());
    }

    /// <summary>
    /// A case's status on <paramref name="today"/>, in this order of precedence: <see cref="CaseStatus.Removed"/>
    /// while the record is removed (whatever the plans); else <see cref="CaseStatus.PlanSubmitted"/> when a plan is
    /// pending; else <see cref="CaseStatus.PlanApproved"/> when any plan was approved; else
    /// <see cref="CaseStatus.Overdue"/> when <paramref name="today"/> is after <see cref="ViolationCase.PlanDueOn"/>;
    /// else <see cref="CaseStatus.Open"/>. A record restored on the platform simply falls through to the other rules.
    /// </summary>
    /// <param name="violationCase">The case.</param>
    /// <param name="plans">The case's plans, in any order.</param>
    /// <param name="today">Today's local date (<see cref="Today()"/>).</param>
    public static CaseStatus StatusOf(ViolationCase violationCase, IReadOnlyList<ImprovementPlan> plans, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(violationCase);
        ArgumentNullException.ThrowIfNull(plans);
        if (violationCase.RecordRemoved)
        {
            return CaseStatus.Removed;
        }

        if (Any(plans, PlanDecision.Pending))
        {
            return CaseStatus.PlanSubmitted;
        }

        if (Any(plans, PlanDecision.Approved))
        {
            return CaseStatus.PlanApproved;
        }

        return today > violationCase.PlanDueOn ? CaseStatus.Overdue : CaseStatus.Open;
    }

    /// <summary>The case's status now (<see cref="StatusOf"/> on <see cref="Today()"/>).</summary>
    public CaseStatus StatusNow(ViolationCase violationCase, IReadOnlyList<ImprovementPlan> plans) =>
        StatusOf(violationCase, plans, Today());

    /// <summary>
    /// Whether a plan may be submitted: not while the record is removed, not while a plan is pending.
    /// After an approval or a rejection a new plan may be submitted (the contract refuses only those two).
    /// </summary>
    public static SubmissionCheck CanSubmit(ViolationCase violationCase, IReadOnlyList<ImprovementPlan> plans)
    {
        ArgumentNullException.ThrowIfNull(violationCase);
        ArgumentNullException.ThrowIfNull(plans);
        if (violationCase.RecordRemoved)
        {
            return SubmissionCheck.Removed;
        }

        return Any(plans, PlanDecision.Pending) ? SubmissionCheck.PendingExists : SubmissionCheck.Ok;
    }

    /// <summary>True when a plan submitted at <paramref name="submittedAt"/> is late: its local date is after <paramref name="planDueOn"/>.</summary>
    public bool IsLate(DateTimeOffset submittedAt, DateOnly planDueOn) => PlanDeadline.LocalDate(submittedAt, Zone) > planDueOn;

    /// <summary>
    /// Submits a plan now: refused when <see cref="CanSubmit"/> says so, else a new pending plan with a new id,
    /// submitted now, and marked late when today's local date is after the case's <c>planDueOn</c>.
    /// Two concurrent submissions can both pass this check; the store must serialise them (see the case's ETag).
    /// </summary>
    public SubmissionOutcome Submit(ViolationCase violationCase, IReadOnlyList<ImprovementPlan> plans, PlanContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var check = CanSubmit(violationCase, plans);
        if (check != SubmissionCheck.Ok)
        {
            return new SubmissionOutcome.Refused(check);
        }

        var now = time.GetUtcNow();
        var plan = new ImprovementPlan(violationCase.SupplierId, violationCase.RecordId, ImprovementPlan.NewPlanId(time), content)
        {
            SubmittedAt = now,
            Late = IsLate(now, violationCase.PlanDueOn),
        };
        return new SubmissionOutcome.Accepted(plan);
    }

    /// <summary>
    /// Reviews a plan now. Only a pending plan can be decided; a rejection needs a comment and moves the
    /// case's <c>planDueOn</c> to <see cref="ResubmissionPlanDueOn"/> of now. An approval leaves the case as it is.
    /// A plan of a removed case can still be reviewed (the case stays removed).
    /// </summary>
    /// <param name="violationCase">The plan's case.</param>
    /// <param name="plan">The plan; must belong to <paramref name="violationCase"/>.</param>
    /// <param name="decision">Approve or reject.</param>
    /// <param name="comment">The reviewer's comment; required (not blank) for a rejection.</param>
    /// <param name="reviewedBy">Who reviews.</param>
    public ReviewOutcome Review(ViolationCase violationCase, ImprovementPlan plan, ReviewDecision decision, string? comment, string? reviewedBy)
    {
        ArgumentNullException.ThrowIfNull(violationCase);
        ArgumentNullException.ThrowIfNull(plan);
        if (!string.Equals(plan.SupplierId, violationCase.SupplierId, StringComparison.Ordinal)
            || !string.Equals(plan.RecordId, violationCase.RecordId, StringComparison.Ordinal))
        {
            throw new ArgumentException("The plan belongs to another case.", nameof(plan));
        }

        if (plan.Decision != PlanDecision.Pending)
        {
            return new ReviewOutcome.NotPending(plan.Decision);
        }

        var hasComment = !string.IsNullOrWhiteSpace(comment);
        if (decision == ReviewDecision.Reject && !hasComment)
        {
            return new ReviewOutcome.CommentRequired();
        }

        var now = time.GetUtcNow();
        var decided = plan with
        {
            Decision = decision == ReviewDecision.Approve ? PlanDecision.Approved : PlanDecision.Rejected,
            ReviewedAt = now,
            ReviewedBy = reviewedBy,
            Comment = hasComment ? comment : null,
        };
        if (decision == ReviewDecision.Approve)
        {
            return new ReviewOutcome.Decided(decided, violationCase, CaseChanged: false);
        }

        var moved = violationCase with { PlanDueOn = ResubmissionPlanDueOn(now) };
        return new ReviewOutcome.Decided(decided, moved, CaseChanged: moved.PlanDueOn != violationCase.PlanDueOn);
    }

    /// <summary>Local days from <paramref name="planDueOn"/> to <paramref name="today"/>; 0 when not past due.</summary>
    public static int DaysOverdue(DateOnly planDueOn, DateOnly today) => Math.Max(0, today.DayNumber - planDueOn.DayNumber);

    /// <summary>
    /// The alerts that apply to a case on <paramref name="today"/>: <see cref="AlertTypes.PlanOverdue"/> while the
    /// case is <see cref="CaseStatus.Overdue"/>; <see cref="AlertTypes.PlanDueSoon"/> while it is
    /// <see cref="CaseStatus.Open"/> and <paramref name="today"/> is within <see cref="DueSoonDays"/> days before
    /// <c>planDueOn</c> (inclusive of both ends). Each comes with its deterministic id, so raising what this returns on
    /// every sweep stores each alert once per due date.
    /// </summary>
    public static IReadOnlyList<AlertDue> AlertsDue(ViolationCase violationCase, IReadOnlyList<ImprovementPlan> plans, DateOnly today)
    {
        var status = StatusOf(violationCase, plans, today);
        var due = violationCase.PlanDueOn;
        return status switch
        {
            CaseStatus.Overdue =>
                [new AlertDue(AlertTypes.PlanOverdue, violationCase.SupplierId, violationCase.RecordId, due, DaysOverdue(due, today))],
            CaseStatus.Open when today >= due.AddDays(-DueSoonDays) && today <= due =>
                [new AlertDue(AlertTypes.PlanDueSoon, violationCase.SupplierId, violationCase.RecordId, due, 0)],
            _ => [],
        };
    }

    private static bool Any(IReadOnlyList<ImprovementPlan> plans, PlanDecision decision)
    {
        for (var i = 0; i < plans.Count; i++)
        {
            if (plans[i].Decision == decision)
            {
                return true;
            }
        }

        return false;
    }

    private static PipelineOptions Resolve(PipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options;
    }
}
