namespace DisclosurePipeline.Domain;

/// <summary>A case's status, exactly as the HTTP contract names them.</summary>
public enum CaseStatus
{
    /// <summary>Record active, no plan pending or approved, not past due.</summary>
    Open,

    /// <summary>Record active, no plan pending or approved, and today is after <c>planDueOn</c>.</summary>
    Overdue,

    /// <summary>A plan waits for review.</summary>
    PlanSubmitted,

    /// <summary>A plan was approved; the record is still active.</summary>
    PlanApproved,

    /// <summary>The record is removed on the platform (final, whatever the plan state).</summary>
    Removed,
}

/// <summary>
/// One violation record of a registered entity, followed from disclosure to removal.
/// The record fields are owned by the sync; <see cref="PlanDueOn"/> is set when the case opens
/// and moved by a rejection.
/// </summary>
/// <param name="SupplierId">The entity's USCC.</param>
/// <param name="RecordId">The platform's record id.</param>
public sealed record ViolationCase(string SupplierId, string RecordId)
{
    /// <summary>The issuing authority.</summary>
    public string Authority { get; init; } = "";

    /// <summary>The penalty document's number, if published.</summary>
    public string? DocumentNumber { get; init; }

    /// <summary>One of <see cref="ViolationCategories.All"/>.</summary>
    public string Category { get; init; } = "other";

    /// <summary>The platform's summary of the violation.</summary>
    public string Summary { get; init; } = "";

    /// <summary>The penalty, if published.</summary>
    public decimal? PenaltyAmountCny { get; init; }

    /// <summary>When the authority issued the decision.</summary>
    public DateOnly? IssuedOn { get; init; }

    /// <summary>When the record was disclosed on the platform.</summary>
    public DateTimeOffset PublishedAt { get; init; }

    /// <summary>True while the platform shows the record as removed.</summary>
    public bool RecordRemoved { get; init; }

    /// <summary>When the platform removed the record; null while active.</summary>
    public DateTimeOffset? RemovedAt { get; init; }

    /// <summary>The local date by which an improvement plan is due.</summary>
    public DateOnly PlanDueOn { get; init; }

    /// <summary>When the pipeline first saw the record.</summary>
    public DateTimeOffset OpenedAt { get; init; }

    /// <summary>
    /// The id of the plan most recently accepted for this case (written, with the case's ETag, before the plan
    /// row is added): while no plan row with this id exists yet, a submission is in flight and a second one
    /// is refused. Null before the first submission.
    /// </summary>
    public string? LastPlanId { get; init; }

    /// <summary>When <see cref="LastPlanId"/> was accepted; a marker older than a few minutes without its plan row is a crashed submission and is ignored.</summary>
    public DateTimeOffset? LastPlanAt { get; init; }

    /// <summary>The store's concurrency token; null for a case not read from the store.</summary>
    public string? ETag { get; init; }

    /// <summary>Builds a new case for a record first seen now.</summary>
    public static ViolationCase Open(ViolationRecord record, DateOnly planDueOn, DateTimeOffset openedAt)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new ViolationCase(record.EnterpriseId, record.RecordId)
        {
            PlanDueOn = planDueOn,
            OpenedAt = openedAt,
        }.WithRecord(record);
    }

    /// <summary>This case with the record fields taken from the platform's current record.</summary>
    public ViolationCase WithRecord(ViolationRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return this with
        {
            Authority = record.Authority,
            DocumentNumber = record.DocumentNumber,
            Category = record.Category,
            Summary = record.Summary,
            PenaltyAmountCny = record.PenaltyAmountCny,
            IssuedOn = record.IssuedOn,
            PublishedAt = record.PublishedAt,
            RecordRemoved = record.Removed,
            RemovedAt = record.RemovedAt,
        };
    }

    /// <summary>True when the record fields equal the platform record's (what a sync compares).</summary>
    public bool HasSameRecord(ViolationRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        // Storage keeps "no document number" as an empty string; null and "" are the same here.
        return Authority == record.Authority && (DocumentNumber ?? "") == (record.DocumentNumber ?? "")
            && Category == record.Category && Summary == record.Summary
            && PenaltyAmountCny == record.PenaltyAmountCny && IssuedOn == record.IssuedOn
            && PublishedAt == record.PublishedAt && RecordRemoved == record.Removed
            && RemovedAt == record.RemovedAt;
    }
}

/// <summary>How a deadline counts days: local calendar days in the pipeline's time zone.</summary>
public static class PlanDeadline
{
    /// <summary>The local date of <paramref name="at"/> in <paramref name="zone"/>.</summary>
    public static DateOnly LocalDate(DateTimeOffset at, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);
    }

    /// <summary>The local date of <paramref name="from"/> plus <paramref name="days"/>.</summary>
    public static DateOnly DueOn(DateTimeOffset from, TimeZoneInfo zone, int days) => LocalDate(from, zone).AddDays(days);
}
