using Azure.Data.Tables;

namespace DisclosurePipeline.Storage;

/// <summary>
/// <see cref="IAlertStore"/> over the <c>Alerts</c> table: one partition (<c>alert</c>; alerts are few, at most a
/// couple per case per deadline), row key = the deterministic alert id, so adding an alert raised before fails
/// with 409 and stores nothing. <c>RaisedAt</c> keeps the offset as text; <c>RaisedAtUtc</c> is the same instant
/// as a table DateTime, which is what <see cref="ListAsync"/> filters on. Daily digests are rows of partition
/// <c>digest</c> (row key = the digest id), so alert queries never see them.
/// </summary>
internal sealed class TableAlertStore(StorageAccount account) : IAlertStore
{
    private const string Partition = "alert";
    private const string DigestPartition = "digest";

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

    public async Task<bool> TryAddDigestAsync(StoredDigest digest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        return await table.TryAddAsync(DigestRow.From(digest), cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredDigest?> GetDigestAsync(string digestId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(digestId);
        Keys.ThrowIfInvalid(digestId, "digestId");
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.RetrieveAsync<DigestRow>(DigestPartition, digestId, cancellationToken).ConfigureAwait(false);
        return row?.ToDigest();
    }

    public async Task<bool> TryReplaceDigestAsync(StoredDigest digest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        return await table.TryReplaceAsync(DigestRow.From(digest), digest.ETag, "digest", cancellationToken).ConfigureAwait(false);
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

    /// <summary>A digest row of the <c>Alerts</c> table (partition <c>digest</c>).</summary>
    private sealed class DigestRow : TableRow
    {
        public string? Day { get; set; }

        public string? CoversFrom { get; set; }

        public string? CoversUntil { get; set; }

        public int AlertCount { get; set; }

        public int SupplierCount { get; set; }

        public string? BuiltAt { get; set; }

        public string? DeliveredAt { get; set; }

        public int Attempts { get; set; }

        public string? LastAttemptAt { get; set; }

        public string? LastFailedAt { get; set; }

        public static DigestRow From(StoredDigest d)
        {
            Keys.ThrowIfInvalid(d.DigestId, "digestId");
            return new DigestRow
            {
                PartitionKey = DigestPartition,
                RowKey = d.DigestId,
                Day = TableRows.Date(d.Day),
                CoversFrom = TableRows.Timestamp(d.CoversFrom),
                CoversUntil = TableRows.Timestamp(d.CoversUntil),
                AlertCount = d.AlertCount,
                SupplierCount = d.SupplierCount,
                BuiltAt = TableRows.Timestamp(d.BuiltAt),
                DeliveredAt = TableRows.Timestamp(d.DeliveredAt),
                Attempts = d.Attempts,
                LastAttemptAt = TableRows.Timestamp(d.LastAttemptAt),
                LastFailedAt = TableRows.Timestamp(d.LastFailedAt),
            };
        }

        public StoredDigest ToDigest() =>
            new(
                RowKey,
                TableRows.ParseDate(Day) ?? default,
                TableRows.ParseTimestamp(CoversFrom),
                TableRows.ParseTimestamp(CoversUntil) ?? default,
                AlertCount,
                SupplierCount,
                TableRows.ParseTimestamp(BuiltAt) ?? default)
            {
                DeliveredAt = TableRows.ParseTimestamp(DeliveredAt),
                Attempts = Attempts,
                LastAttemptAt = TableRows.ParseTimestamp(LastAttemptAt),
                LastFailedAt = TableRows.ParseTimestamp(LastFailedAt),
                ETag = ETag.ToString(),
            };
    }
}
