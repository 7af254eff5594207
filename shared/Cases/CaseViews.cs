using DisclosurePipeline.Domain;

namespace DisclosurePipeline.Cases;

/// <summary>
/// A plan as the HTTP contract shows it inside a case — <c>{"planId","submittedAt","late","decision","reviewedAt","comment"}</c> —
/// followed by what was submitted (an extension of the contract, so staff can read the plan they review and a supplier
/// sees what it sent): <c>summary, rootCause, actions, expectedCompletionOn, contact, hasDocument</c>.
/// </summary>
/// <param name="PlanId">The plan's id.</param>
/// <param name="SubmittedAt">When it was accepted.</param>
/// <param name="Late">True when submitted on a local date after the case's deadline.</param>
/// <param name="Decision">Pending, approved or rejected.</param>
/// <param name="ReviewedAt">When staff decided; null while pending.</param>
/// <param name="Comment">The reviewer's comment, if any.</param>
/// <param name="Summary">The plan in short.</param>
/// <param name="RootCause">Why the violation happened.</param>
/// <param name="Actions">The corrective actions.</param>
/// <param name="ExpectedCompletionOn">When the supplier expects every action done.</param>
/// <param name="Contact">Who to ask.</param>
/// <param name="HasDocument">True once the plan's PDF was uploaded.</param>
public sealed record PlanView(
    string PlanId,
    DateTimeOffset SubmittedAt,
    bool Late,
    PlanDecision Decision,
    DateTimeOffset? ReviewedAt,
    string? Comment,
    string Summary,
    string RootCause,
    IReadOnlyList<PlanAction> Actions,
    DateOnly ExpectedCompletionOn,
    PlanContact Contact,
    bool HasDocument)
{
    /// <summary>The view of <paramref name="plan"/>.</summary>
    public static PlanView From(ImprovementPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var content = plan.Content;
        return new(
            plan.PlanId, plan.SubmittedAt, plan.Late, plan.Decision, plan.ReviewedAt, plan.Comment,
            content.Summary, content.RootCause, content.Actions, content.ExpectedCompletionOn, content.Contact,
            plan.DocumentPath is not null);
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

    /// <summary>Staff revoked a supplier key.</summary>
    public const string KeyRevoked = "key_revoked";

    /// <summary>Staff deactivated the entity (it left the programme).</summary>
    public const string EntityDeactivated = "entity_deactivated";

    /// <summary>Staff reactivated the entity.</summary>
    public const string EntityReactivated = "entity_reactivated";
}
