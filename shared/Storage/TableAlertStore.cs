using Microsoft.Azure.Cosmos.Table;

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

    private const string Type = nameof(Type);
    private const string SupplierId = nameof(SupplierId);
    private const string SupplierName = nameof(SupplierName);
    private const string Kind = nameof(Kind);
    private const string RecordId = nameof(RecordId);
    private const string PublishedAt = nameof(PublishedAt);
    private const string PlanDueOn = nameof(PlanDueOn);
    private const string DaysOverdue = nameof(DaysOverdue);
    private const string ContactEmail = nameof(ContactEmail);
    private const string RaisedAt = nameof(RaisedAt);
    private const string RaisedAtUtc = nameof(RaisedAtUtc);
    private const string DeliveredAt = nameof(DeliveredAt);
    private const string Attempts = nameof(Attempts);
    private const string LastAttemptAt = nameof(LastAttemptAt);
    private const string LastFailedAt = nameof(LastFailedAt);
    private const string Day = nameof(Day);
    private const string CoversFrom = nameof(CoversFrom);
    private const string CoversUntil = nameof(CoversUntil);
    private const string AlertCount = nameof(AlertCount);
    private const string SupplierCount = nameof(SupplierCount);
    private const string BuiltAt = nameof(BuiltAt);

    public async Task<bool> TryAddAsync(StoredAlert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await table.ExecuteAsync(TableOperation.Insert(ToRow(alert)), null, null, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (StorageException e) when (e.IsConflict())
        {
            return false;
        }
    }

    public async Task<StoredAlert?> GetAsync(string alertId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(alertId);
        Keys.ThrowIfInvalid(alertId, "alertId");
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.RetrieveAsync(Partition, alertId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : FromRow(row);
    }

    public async Task<IReadOnlyList<StoredAlert>> ListAsync(DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var filter = TableQuery.GenerateFilterCondition("PartitionKey", QueryComparisons.Equal, Partition);
        if (since is { } from)
        {
            filter = TableQuery.CombineFilters(
                filter,
                TableOperators.And,
                TableQuery.GenerateFilterConditionForDate(RaisedAtUtc, QueryComparisons.GreaterThanOrEqual, from.ToUniversalTime()));
        }

        var rows = await table.QueryAllAsync(new TableQuery().Where(filter), cancellationToken).ConfigureAwait(false);
        return rows.Select(FromRow).OrderBy(a => a.RaisedAt).ThenBy(a => a.AlertId, StringComparer.Ordinal).ToList();
    }

    public async Task<bool> TryReplaceAsync(StoredAlert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        return await table.TryReplaceAsync(ToRow(alert), alert.ETag, "alert", cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> TryAddDigestAsync(StoredDigest digest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await table.ExecuteAsync(TableOperation.Insert(ToRow(digest)), null, null, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (StorageException e) when (e.IsConflict())
        {
            return false;
        }
    }

    public async Task<StoredDigest?> GetDigestAsync(string digestId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(digestId);
        Keys.ThrowIfInvalid(digestId, "digestId");
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.RetrieveAsync(DigestPartition, digestId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : DigestFromRow(row);
    }

    public async Task<bool> TryReplaceDigestAsync(StoredDigest digest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        return await table.TryReplaceAsync(ToRow(digest), digest.ETag, "digest", cancellationToken).ConfigureAwait(false);
    }

    private Task<CloudTable> TableAsync(CancellationToken cancellationToken) =>
        account.GetTableAsync(StorageNames.AlertsTable, cancellationToken);

    private static DynamicTableEntity ToRow(StoredAlert a)
    {
        Keys.ThrowIfInvalid(a.AlertId, "alertId");
        var row = new DynamicTableEntity(Partition, a.AlertId);
        var p = row.Properties;
        p[Type] = new EntityProperty(a.Type);
        p[SupplierId] = new EntityProperty(a.SupplierId);
        p[SupplierName] = new EntityProperty(a.SupplierName);
        p[Kind] = new EntityProperty(Wire.Kind(a.Kind));
        p[RecordId] = new EntityProperty(a.RecordId);
        p[PublishedAt] = new EntityProperty(TableRows.Timestamp(a.PublishedAt));
        p[PlanDueOn] = new EntityProperty(TableRows.Date(a.PlanDueOn));
        p[DaysOverdue] = new EntityProperty(a.DaysOverdue);
        p[ContactEmail] = new EntityProperty(TableRows.Text(a.ContactEmail));
        p[RaisedAt] = new EntityProperty(TableRows.Timestamp(a.RaisedAt));
        p[RaisedAtUtc] = new EntityProperty(a.RaisedAt.UtcDateTime);
        p[DeliveredAt] = new EntityProperty(TableRows.Timestamp(a.DeliveredAt));
        p[Attempts] = new EntityProperty(a.Attempts);
        p[LastAttemptAt] = new EntityProperty(TableRows.Timestamp(a.LastAttemptAt));
        p[LastFailedAt] = new EntityProperty(TableRows.Timestamp(a.LastFailedAt));
        return row;
    }

    private static StoredAlert FromRow(DynamicTableEntity row) =>
        new(
            row.RowKey,
            row.GetText(Type) ?? "",
            row.GetText(SupplierId) ?? "",
            row.GetText(SupplierName) ?? "",
            Wire.ParseKind(row.GetText(Kind)),
            row.GetText(RecordId) ?? "",
            row.GetTimestamp(PublishedAt) ?? default,
            row.GetDate(PlanDueOn) ?? default,
            row.GetInt(DaysOverdue),
            row.GetTextOrNull(ContactEmail),
            row.GetTimestamp(RaisedAt) ?? default)
        {
            DeliveredAt = row.GetTimestamp(DeliveredAt),
            Attempts = row.GetInt(Attempts),
            LastAttemptAt = row.GetTimestamp(LastAttemptAt),
            LastFailedAt = row.GetTimestamp(LastFailedAt),
            ETag = row.ETag,
        };

    private static DynamicTableEntity ToRow(StoredDigest d)
    {
        Keys.ThrowIfInvalid(d.DigestId, "digestId");
        var row = new DynamicTableEntity(DigestPartition, d.DigestId);
        var p = row.Properties;
        p[Day] = new EntityProperty(TableRows.Date(d.Day));
        p[CoversFrom] = new EntityProperty(TableRows.Timestamp(d.CoversFrom));
        p[CoversUntil] = new EntityProperty(TableRows.Timestamp(d.CoversUntil));
        p[AlertCount] = new EntityProperty(d.AlertCount);
        p[SupplierCount] = new EntityProperty(d.SupplierCount);
        p[BuiltAt] = new EntityProperty(TableRows.Timestamp(d.BuiltAt));
        p[DeliveredAt] = new EntityProperty(TableRows.Timestamp(d.DeliveredAt));
        p[Attempts] = new EntityProperty(d.Attempts);
        p[LastAttemptAt] = new EntityProperty(TableRows.Timestamp(d.LastAttemptAt));
        p[LastFailedAt] = new EntityProperty(TableRows.Timestamp(d.LastFailedAt));
        return row;
    }

    private static StoredDigest DigestFromRow(DynamicTableEntity row) =>
        new(
            row.RowKey,
            row.GetDate(Day) ?? default,
            row.GetTimestamp(CoversFrom),
            row.GetTimestamp(CoversUntil) ?? default,
            row.GetInt(AlertCount),
            row.GetInt(SupplierCount),
            row.GetTimestamp(BuiltAt) ?? default)
        {
            DeliveredAt = row.GetTimestamp(DeliveredAt),
            Attempts = row.GetInt(Attempts),
            LastAttemptAt = row.GetTimestamp(LastAttemptAt),
            LastFailedAt = row.GetTimestamp(LastFailedAt),
            ETag = row.ETag,
        };
}
