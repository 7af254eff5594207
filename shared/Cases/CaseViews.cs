using DisclosurePipeline.Domain;

namespace DisclosurePipeline.Cases;

/// <summary>
/// A plan as the HTTP contract shows it inside a case: <c>{"planId","submittedAt","late","decision","reviewedAt","comment"}</c>.
/// </summary>
/// <param name="PlanId">The plan's id.</param>
/// <param name="SubmittedAt">When it was accepted.</param>
/// <param name="Late">True when submitted on a local date after the case's deadline.</param>
/// <param name="Decision">Pending, approved or rejected.</param>
/// <param name="ReviewedAt">When staff decided; null while pending.</param>
/// <param name="Comment">The reviewer's comment, if any.</param>
public sealed record PlanView(string PlanId, DateTimeOffset SubmittedAt, bool Late, PlanDecision Decision, DateTimeOffset? ReviewedAt, string? Comment)
{
    /// <summary>The view of <paramref name="plan"/>.</summary>
    public static PlanView From(ImprovementPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new(plan.PlanId, plan.SubmittedAt, plan.Late, plan.Decision, plan.ReviewedAt, plan.Comment);
    }
}

/// <summary>
/// A case as the HTTP contract shows it, its properties in the contract's order (serialise with web defaults and
/// snake_case enums): <c>{"supplierId","supplierName","kind","recordId","authority","category","summary",
/// "publishedAt","planDueOn","status","removedAt","plans"}</c>.
/// </summary>
/// <param name="SupplierId">The entity's USCC.</param>
/// <param name="SupplierName">The entity's registered name.</param>
/// <param name="Kind">Subsidiary or supplier.</param>
/// <param name="RecordId">The platform's record id.</param>
/// <param name="Authority">The issuing authority.</param>
/// <param name="Category">The record's category.</param>
/// <param name="Summary">The platform's summary.</param>
/// <param name="PublishedAt">When the record was disclosed.</param>
/// <param name="PlanDueOn">The local date a plan is due.</param>
/// <param name="Status">The status now (see <see cref="CaseRules.StatusOf"/>).</param>
/// <param name="RemovedAt">When the platform removed the record; null while active.</param>
/// <param name="Plans">The plans, oldest first.</param>
public sealed record CaseView(
    string SupplierId,
    string SupplierName,
    EntityKind Kind,
    string RecordId,
    string Authority,
    string Category,
    string Summary,
    DateTimeOffset PublishedAt,
    DateOnly PlanDueOn,
    CaseStatus Status,
    DateTimeOffset? RemovedAt,
    IReadOnlyList<PlanView> Plans)
{
    /// <summary>The view of a case with its plans and entity, its status on <paramref name="today"/>.</summary>
    public static CaseView From(ViolationCase violationCase, IReadOnlyList<ImprovementPlan> plans, RegisteredEntity? entity, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(violationCase);
        ArgumentNullException.ThrowIfNull(plans);
        var c = violationCase;
        return new CaseView(
            c.SupplierId,
            entity?.Name ?? "",
            entity?.Kind ?? EntityKind.Supplier,
            c.RecordId,
            c.Authority,
            c.Category,
            c.Summary,
            c.PublishedAt,
            c.PlanDueOn,
            CaseRules.StatusOf(c, plans, today),
            c.RecordRemoved ? c.RemovedAt : null,
            [.. plans.OrderBy(p => p.SubmittedAt).ThenBy(p => p.PlanId, StringComparer.Ordinal).Select(PlanView.From)]);
    }
}

/// <summary>Who did something, as history records it.</summary>
public static class Actors
{
    /// <summary>Supply-chain staff.</summary>
    public const string Staff = "staff";

    /// <summary>The sync.</summary>
    public const string Sync = "sync";

    /// <summary>The deadline sweep.</summary>
    public const string Sweep = "sweep";

    /// <summary>A supplier acting with its key: <c>supplier:{id}</c>.</summary>
    public static string Supplier(string supplierId) => "supplier:" + supplierId;
}

/// <summary>History event names.</summary>
public static class HistoryEvents
{
    /// <summary>The sync saw a new record and opened its case.</summary>
    public const string CaseOpened = "case_opened";

    /// <summary>The sync saw the record removed on the platform.</summary>
    public const string CaseRemoved = "case_removed";

    /// <summary>The sync saw a removed record active again.</summary>
    public const string CaseRestored = "case_restored";

    /// <summary>A supplier submitted a plan.</summary>
    public const string PlanSubmitted = "plan_submitted";

    /// <summary>A supplier uploaded a plan's PDF.</summary>
    public const string PlanDocumentUploaded = "plan_document_uploaded";

    /// <summary>Staff approved a plan.</summary>
    public const string PlanApproved = "plan_approved";

    /// <summary>Staff rejected a plan (the case's deadline moved).</summary>
    public const string PlanRejected = "plan_rejected";

    /// <summary>Staff issued a supplier key.</summary>
    public const string KeyIssued = "key_issued";
}
