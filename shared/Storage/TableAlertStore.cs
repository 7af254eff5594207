using Azure.Data.Tables;

namespace DisclosurePipeline.Storage;

/// <summary>
/// <see cref="IAlertStore"/> over the <c>Alerts</c> table: one partition (<c>alert</c>; alerts are few, at most a
/// couple per case per deadline), row key = the deterministic alert id, so adding an alert raised before fails
/// with 409 and stores nothing. <c>RaisedAt</c> keeps the offset as text; <c>RaisedAtUtc</c> is the same instant
/// as a table DateTime, which is what <see cref="ListAsync"/> filters on.
/// </summary>
internal sealed class TableAlertStore(StorageAccount account) : IAlertStore
{
    private const string Partition = "alert";

    public async Task<bool> TryAddAsync(StoredAlert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        return await table.TryAddAsync(AlertRow.From(alert), cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredAlert?> GetAsync(string alertId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(alertId);
        Keys.ThrowIfInvalid(alertId, "alertId");
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.RetrieveAsync<AlertRow>(Partition, alertId, cancellationToken).ConfigureAwait(false);
        return row?.ToAlert();
    }

    public async Task<IReadOnlyList<StoredAlert>> ListAsync(DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var filter = since is { } from
            ? TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RaisedAtUtc ge {from.ToUniversalTime()}")
            : TableRows.PartitionFilter(Partition);
        var rows = await table.QueryAllAsync<AlertRow>(filter, null, cancellationToken).ConfigureAwait(false);
        return rows.Select(r => r.ToAlert()).OrderBy(a => a.RaisedAt).ThenBy(a => a.AlertId, StringComparer.Ordinal).ToList();
    }

    public async Task<bool> TryReplaceAsync(StoredAlert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        return await table.TryReplaceAsync(AlertRow.From(alert), alert.ETag, "alert", cancellationToken).ConfigureAwait(false);
    }

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) =>
        account.GetTableAsync(StorageNames.AlertsTable, cancellationToken);

    /// <summary>An <c>Alerts</c> row.</summary>
    private sealed class AlertRow : TableRow
    {
        public string? Type { get; set; }

        public string? SupplierId { get; set; }

        public string? SupplierName { get; set; }

        public string? Kind { get; set; }

        public string? RecordId { get; set; }

        public string? PublishedAt { get; set; }

        public string? PlanDueOn { get; set; }

        public int DaysOverdue { get; set; }

        public string? ContactEmail { get; set; }

        public string? RaisedAt { get; set; }

        public DateTimeOffset RaisedAtUtc { get; set; }

        public string? DeliveredAt { get; set; }

        public int Attempts { get; set; }

        public string? LastAttemptAt { get; set; }

        public string? LastFailedAt { get; set; }

        public static AlertRow From(StoredAlert a)
        {
            Keys.ThrowIfInvalid(a.AlertId, "alertId");
            return new AlertRow
            {
                PartitionKey = Partition,
                RowKey = a.AlertId,
                Type = a.Type,
                SupplierId = a.SupplierId,
                SupplierName = a.SupplierName,
                Kind = Wire.Kind(a.Kind),
                RecordId = a.RecordId,
                PublishedAt = TableRows.Timestamp(a.PublishedAt),
                PlanDueOn = TableRows.Date(a.PlanDueOn),
                DaysOverdue = a.DaysOverdue,
                ContactEmail = TableRows.Text(a.ContactEmail),
                RaisedAt = TableRows.Timestamp(a.RaisedAt),
                RaisedAtUtc = a.RaisedAt.ToUniversalTime(),
                DeliveredAt = TableRows.Timestamp(a.DeliveredAt),
                Attempts = a.Attempts,
                LastAttemptAt = TableRows.Timestamp(a.LastAttemptAt),
                LastFailedAt = TableRows.Timestamp(a.LastFailedAt),
            };
        }

        public StoredAlert ToAlert() =>
            new(
                RowKey,
                Type ?? "",
                SupplierId ?? "",
                SupplierName ?? "",
                Wire.ParseKind(Kind),
                RecordId ?? "",
                TableRows.ParseTimestamp(PublishedAt) ?? default,
                TableRows.ParseDate(PlanDueOn) ?? default,
                DaysOverdue,
                TableRows.TextOrNull(ContactEmail),
                TableRows.ParseTimestamp(RaisedAt) ?? default)
            {
                DeliveredAt = TableRows.ParseTimestamp(DeliveredAt),
                Attempts = Attempts,
                LastAttemptAt = TableRows.ParseTimestamp(LastAttemptAt),
                LastFailedAt = TableRows.ParseTimestamp(LastFailedAt),
                ETag = ETag.ToString(),
            };
    }
}
