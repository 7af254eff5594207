using DisclosurePipeline.Auth;
using DisclosurePipeline.Domain;

namespace DisclosurePipeline.Storage;

/// <summary>
/// Improvement plans, kept in their entity's shard (row key: entity id, record id, plan id). Plans are
/// history: a plan row is added once and only its review fields and document path change later.
/// </summary>
public interface IPlanStore
{
    /// <summary>One plan, or null.</summary>
    Task<ImprovementPlan?> GetAsync(string supplierId, string recordId, string planId, CancellationToken cancellationToken);

    /// <summary>The plans of one case, oldest first.</summary>
    Task<IReadOnlyList<ImprovementPlan>> ListForCaseAsync(string supplierId, string recordId, CancellationToken cancellationToken);

    /// <summary>The plans of one entity's cases, oldest first.</summary>
    Task<IReadOnlyList<ImprovementPlan>> ListForEntityAsync(string supplierId, CancellationToken cancellationToken);

    /// <summary>Every plan.</summary>
    Task<IReadOnlyList<ImprovementPlan>> ListAllAsync(CancellationToken cancellationToken);

    /// <summary>Adds a new plan; false when a plan with that id already exists.</summary>
    Task<bool> TryAddAsync(ImprovementPlan plan, CancellationToken cancellationToken);

    /// <summary>Replaces a plan if its ETag still matches; false when someone else changed it first.</summary>
    Task<bool> TryReplaceAsync(ImprovementPlan plan, CancellationToken cancellationToken);
}

/// <summary>An alert as stored and delivered.</summary>
/// <param name="AlertId">Deterministic for (type, supplier, record, plan due date).</param>
/// <param name="Type"><c>plan_overdue</c> or <c>plan_due_soon</c>.</param>
/// <param name="SupplierId">The entity's USCC.</param>
/// <param name="SupplierName">The entity's name when raised.</param>
/// <param name="Kind">Subsidiary or supplier.</param>
/// <param name="RecordId">The case's record.</param>
/// <param name="PublishedAt">When the record was disclosed.</param>
/// <param name="PlanDueOn">The due date the alert is about.</param>
/// <param name="DaysOverdue">Local days past <paramref name="PlanDueOn"/> when raised (0 for due-soon).</param>
/// <param name="ContactEmail">The entity's contact, if any.</param>
/// <param name="RaisedAt">When the sweep raised it.</param>
public sealed record StoredAlert(
    string AlertId,
    string Type,
    string SupplierId,
    string SupplierName,
    EntityKind Kind,
    string RecordId,
    DateTimeOffset PublishedAt,
    DateOnly PlanDueOn,
    int DaysOverdue,
    string? ContactEmail,
    DateTimeOffset RaisedAt)
{
    /// <summary>When the webhook answered 2xx; null until then (or when no webhook is set).</summary>
    public DateTimeOffset? DeliveredAt { get; init; }

    /// <summary>Delivery attempts so far.</summary>
    public int Attempts { get; init; }

    /// <summary>When the last delivery attempt started (its claim on the alert); null before the first.</summary>
    public DateTimeOffset? LastAttemptAt { get; init; }

    /// <summary>When the last delivery attempt failed (non-2xx or no answer); null while none has.</summary>
    public DateTimeOffset? LastFailedAt { get; init; }

    /// <summary>The store's concurrency token.</summary>
    public string? ETag { get; init; }
}

/// <summary>Alerts, keyed by their deterministic id so raising one twice stores it once.</summary>
public interface IAlertStore
{
    /// <summary>Adds the alert; false when an alert with that id exists already (raised before).</summary>
    Task<bool> TryAddAsync(StoredAlert alert, CancellationToken cancellationToken);

    /// <summary>One alert, or null.</summary>
    Task<StoredAlert?> GetAsync(string alertId, CancellationToken cancellationToken);

    /// <summary>Alerts raised at or after <paramref name="since"/> (all when null), oldest first.</summary>
    Task<IReadOnlyList<StoredAlert>> ListAsync(DateTimeOffset? since, CancellationToken cancellationToken);

    /// <summary>Replaces an alert if its ETag still matches; false otherwise.</summary>
    Task<bool> TryReplaceAsync(StoredAlert alert, CancellationToken cancellationToken);

    /// <summary>Adds a daily digest; false when a digest with that id exists already (built before). Digests are not alerts: <see cref="ListAsync"/> never returns them.</summary>
    Task<bool> TryAddDigestAsync(StoredDigest digest, CancellationToken cancellationToken);

    /// <summary>One digest, or null.</summary>
    Task<StoredDigest?> GetDigestAsync(string digestId, CancellationToken cancellationToken);

    /// <summary>Replaces a digest if its ETag still matches; false otherwise.</summary>
    Task<bool> TryReplaceDigestAsync(StoredDigest digest, CancellationToken cancellationToken);
}

/// <summary>
/// The daily digest to staff: it covers the <c>plan_overdue</c> alerts raised in [<paramref name="CoversFrom"/>,
/// <paramref name="CoversUntil"/>), and is delivered exactly once like an alert.
/// </summary>
/// <param name="DigestId">Deterministic for its local day: <c>digest-yyyy-MM-dd</c>.</param>
/// <param name="Day">The local day it is for.</param>
/// <param name="CoversFrom">Where the previous digest stopped; null for the first digest (it covers every earlier overdue alert not posted on its own).</param>
/// <param name="CoversUntil">The day's digest time (exclusive).</param>
/// <param name="AlertCount">How many alerts it covers.</param>
/// <param name="SupplierCount">How many suppliers those alerts are for.</param>
/// <param name="BuiltAt">When the sweep built it.</param>
public sealed record StoredDigest(
    string DigestId,
    DateOnly Day,
    DateTimeOffset? CoversFrom,
    DateTimeOffset CoversUntil,
    int AlertCount,
    int SupplierCount,
    DateTimeOffset BuiltAt)
{
    /// <summary>When the webhook answered 2xx; null until then.</summary>
    public DateTimeOffset? DeliveredAt { get; init; }

    /// <summary>Delivery attempts so far.</summary>
    public int Attempts { get; init; }

    /// <summary>When the last delivery attempt started (its claim); null before the first.</summary>
    public DateTimeOffset? LastAttemptAt { get; init; }

    /// <summary>When the last delivery attempt failed; null while none has.</summary>
    public DateTimeOffset? LastFailedAt { get; init; }

    /// <summary>The store's concurrency token.</summary>
    public string? ETag { get; init; }
}

/// <summary>Supplier keys, stored only as salted hashes, found by their non-secret key id.</summary>
public interface ISupplierKeyStore
{
    /// <summary>Stores a newly issued key.</summary>
    Task AddAsync(StoredKey key, CancellationToken cancellationToken);

    /// <summary>The stored key with that id (revoked or not), or null. Always read from the store: nothing is cached.</summary>
    Task<StoredKey?> FindAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>Every key issued for one entity (revoked ones included), oldest first.</summary>
    Task<IReadOnlyList<StoredKey>> ListForSupplierAsync(string supplierId, CancellationToken cancellationToken);

    /// <summary>
    /// Marks a key revoked at <paramref name="at"/>, unless it already is; returns the key as it then stands (its
    /// <see cref="StoredKey.RevokedAt"/> says when it was revoked first), or null when there is no such key.
    /// </summary>
    Task<StoredKey?> RevokeAsync(string keyId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Records that <paramref name="key"/> (as read, with its ETag) was used at <paramref name="at"/>. Conditional on the
    /// ETag: when the row changed meanwhile (another instance recorded a use, or staff revoked it) nothing is written,
    /// so a use never undoes a revocation. False when nothing was written.
    /// </summary>
    Task<bool> RecordUseAsync(StoredKey key, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>One thing that happened to a case or an entity, with its time and actor. Never overwritten.</summary>
/// <param name="SupplierId">The entity it concerns.</param>
/// <param name="At">When it happened.</param>
/// <param name="Actor">Who did it: <c>staff</c>, <c>supplier:&lt;id&gt;</c>, <c>sync</c>, <c>sweep</c>.</param>
/// <param name="Event">What happened, e.g. <c>plan_submitted</c>, <c>plan_approved</c>, <c>case_removed</c>, <c>key_issued</c>.</param>
/// <param name="RecordId">The case's record, when it concerns a case.</param>
/// <param name="Detail">A short text (a plan id, a comment).</param>
public sealed record HistoryEvent(string SupplierId, DateTimeOffset At, string Actor, string Event, string? RecordId, string? Detail);

/// <summary>The append-only history of what people and the pipeline did.</summary>
public interface IHistoryStore
{
    /// <summary>Appends events (never replaces one).</summary>
    Task AppendAsync(IReadOnlyCollection<HistoryEvent> events, CancellationToken cancellationToken);

    /// <summary>An entity's history, oldest first.</summary>
    Task<IReadOnlyList<HistoryEvent>> ListForEntityAsync(string supplierId, CancellationToken cancellationToken);
}
