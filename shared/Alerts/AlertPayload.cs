using DisclosurePipeline.Domain;
using DisclosurePipeline.Storage;

namespace DisclosurePipeline.Alerts;

/// <summary>
/// The JSON an alert is POSTed as (web defaults, camelCase):
/// <c>{"alertId","type","supplierId","supplierName","kind","recordId","publishedAt","planDueOn","daysOverdue","contactEmail"}</c>.
/// </summary>
/// <param name="AlertId">Deterministic id; also the <c>Idempotency-Key</c> header.</param>
/// <param name="Type"><c>plan_overdue</c> or <c>plan_due_soon</c>.</param>
/// <param name="SupplierId">The entity's USCC.</param>
/// <param name="SupplierName">The entity's name.</param>
/// <param name="Kind"><c>subsidiary</c> or <c>supplier</c>.</param>
/// <param name="RecordId">The case's record.</param>
/// <param name="PublishedAt">When the record was disclosed.</param>
/// <param name="PlanDueOn">The deadline the alert is about.</param>
/// <param name="DaysOverdue">Local days past the deadline when raised (0 for a reminder).</param>
/// <param name="ContactEmail">The entity's contact, if any (who a due-soon reminder is for).</param>
public sealed record AlertPayload(
    string AlertId,
    string Type,
    string SupplierId,
    string SupplierName,
    string Kind,
    string RecordId,
    DateTimeOffset PublishedAt,
    DateOnly PlanDueOn,
    int DaysOverdue,
    string? ContactEmail)
{
    /// <summary>The payload of a stored alert.</summary>
    public static AlertPayload From(StoredAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return new(
            alert.AlertId,
            alert.Type,
            alert.SupplierId,
            alert.SupplierName,
            alert.Kind == EntityKind.Subsidiary ? "subsidiary" : "supplier",
            alert.RecordId,
            alert.PublishedAt,
            alert.PlanDueOn,
            alert.DaysOverdue,
            alert.ContactEmail);
    }
}

/// <summary>The message on queue <see cref="StorageNames.AlertsQueue"/>: <c>{"alertId"}</c>; the alert itself is read from storage.</summary>
/// <param name="AlertId">The stored alert to deliver.</param>
public sealed record AlertMessage(string AlertId);
