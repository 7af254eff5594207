using System.Globalization;
using System.Net;
using System.Text.Json;
using DisclosurePipeline.Progress;
using Microsoft.Azure.Cosmos.Table;

namespace DisclosurePipeline.Storage;

/// <summary>
/// <see cref="IProgressStore"/> over two tables meant to be opened by analysts (Storage Explorer, Excel,
/// Power BI), so every figure is a flat, plainly named column:
/// <list type="bullet">
/// <item><c>ProgressSnapshots</c>: partition = year; rows <c>yyyyMMddTHHmmssZ</c> (one per rollup),
/// <c>Q1</c>..<c>Q4</c> (the last rollup within each quarter) and <c>latest</c>. Each row carries the
/// figures as columns and the whole report as JSON in <c>Report</c>.</item>
/// <item><c>EntityStatus</c>: partition = year, row = entity id; the columns are the contract's entity
/// row fields, named as in the contract.</item>
/// </list>
/// </summary>
internal sealed class TableProgressStore(StorageAccount account) : IProgressStore
{
    private const int MaxAttempts = 5;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task SaveSnapshotAsync(ProgressReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var table = await account.GetTableAsync(StorageNames.ProgressSnapshotsTable, cancellationToken).ConfigureAwait(false);
        var partition = YearKey(report.Year);
        var json = JsonSerializer.Serialize(report, Json);

        // Read the rows a newer rollup may own, then write all three in one transaction conditioned on
        // their ETags: a concurrent rollup makes it fail (409/412) and we look again.
        var quarter = report.AsOf.Year == report.Year ? ProgressRowKeys.Quarter(report.AsOf) : null;
        for (var attempt = 1; ; attempt++)
        {
            var batch = new TableBatchOperation
            {
                TableOperation.InsertOrReplace(SnapshotRow(partition, ProgressRowKeys.Snapshot(report.AsOf), SnapshotColumns.Dated, report, json)),
            };
            if (quarter is not null)
            {
                await AddIfNotNewerAsync(table, batch, SnapshotRow(partition, quarter, SnapshotColumns.QuarterEnd, report, json), report.AsOf, cancellationToken).ConfigureAwait(false);
            }

            await AddIfNotNewerAsync(table, batch, SnapshotRow(partition, ProgressRowKeys.Latest, SnapshotColumns.LatestKind, report, json), report.AsOf, cancellationToken).ConfigureAwait(false);
            try
            {
                await table.ExecuteBatchAsync(batch, null, null, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (StorageException e) when ((e.IsConflict() || e.IsPreconditionFailed()) && attempt < MaxAttempts)
            {
                // Someone wrote the quarter or latest row between our read and our write.
            }
        }
    }

    public async Task<IReadOnlyList<ProgressSnapshot>> ListSnapshotsAsync(int year, CancellationToken cancellationToken)
    {
        var table = await account.GetTableAsync(StorageNames.ProgressSnapshotsTable, cancellationToken).ConfigureAwait(false);

        // Dated keys start with a digit; "Q1".."Q4" and "latest" start with letters.
        var query = TableRows.RangeQuery(YearKey(year), "0", ":", lastInclusive: false);
        query.SelectColumns = [SnapshotColumns.AsOf, SnapshotColumns.PrtrCompleted, SnapshotColumns.CarbonCompleted];
        var rows = await table.QueryAllAsync(query, cancellationToken).ConfigureAwait(false);
        return
        [
            .. rows
                .Select(r => new ProgressSnapshot(ParseTimestamp(r.GetText(SnapshotColumns.AsOf)) ?? default, r.GetInt(SnapshotColumns.PrtrCompleted), r.GetInt(SnapshotColumns.CarbonCompleted)))
                .OrderBy(s => s.AsOf),
        ];
    }

    public async Task<ProgressReport?> GetLatestAsync(int year, CancellationToken cancellationToken)
    {
        var table = await account.GetTableAsync(StorageNames.ProgressSnapshotsTable, cancellationToken).ConfigureAwait(false);
        var row = await table.RetrieveAsync(YearKey(year), ProgressRowKeys.Latest, cancellationToken).ConfigureAwait(false);
        return row?.GetTextOrNull(SnapshotColumns.Report) is { } json ? JsonSerializer.Deserialize<ProgressReport>(json, Json) : null;
    }

    public async Task<EntityStatusChanges> SaveEntityStatusAsync(int year, IReadOnlyCollection<EntityProgressRow> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var table = await account.GetTableAsync(StorageNames.EntityStatusTable, cancellationToken).ConfigureAwait(false);
        var partition = YearKey(year);
        var existing = (await table.QueryAllAsync(TableRows.PartitionQuery(partition), cancellationToken).ConfigureAwait(false))
            .ToDictionary(r => r.RowKey, StringComparer.Ordinal);

        var changed = new List<DynamicTableEntity>();
        var given = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            Keys.ThrowIfInvalid(row.Id);
            given.Add(row.Id);
            if (!existing.TryGetValue(row.Id, out var stored) || !SameColumns(stored, row))
            {
                changed.Add(EntityRow(partition, row));
            }
        }

        var gone = existing.Values
            .Where(r => !given.Contains(r.RowKey))
            .Select(r => new DynamicTableEntity(partition, r.RowKey) { ETag = "*" })
            .ToList();

        if (changed.Count > 0)
        {
            await table.WriteBatchesAsync(changed, TableOperation.InsertOrReplace, null, cancellationToken).ConfigureAwait(false);
        }

        if (gone.Count > 0)
        {
            await table.WriteBatchesAsync(gone, TableOperation.Delete, HttpStatusCode.NotFound, cancellationToken).ConfigureAwait(false);
        }

        return new EntityStatusChanges(changed.Count, gone.Count, given.Count - changed.Count);
    }

    public async Task<IReadOnlyList<EntityProgressRow>> ListEntityStatusAsync(int year, CancellationToken cancellationToken)
    {
        var table = await account.GetTableAsync(StorageNames.EntityStatusTable, cancellationToken).ConfigureAwait(false);
        var rows = await table.QueryAllAsync(TableRows.PartitionQuery(YearKey(year)), cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(FromEntityRow).OrderBy(r => r.Id, StringComparer.Ordinal)];
    }

    private static string YearKey(int year) => year.ToString("D4", CultureInfo.InvariantCulture);

    /// <summary>Adds the replacement of a quarter or latest row unless the stored one is from a later rollup.</summary>
    private static async Task AddIfNotNewerAsync(CloudTable table, TableBatchOperation batch, DynamicTableEntity row, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var stored = await table.RetrieveAsync(row.PartitionKey, row.RowKey, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            batch.Add(TableOperation.Insert(row));
        }
        else if (ParseTimestamp(stored.GetText(SnapshotColumns.AsOf)) is not { } storedAsOf || storedAsOf <= asOf)
        {
            row.ETag = stored.ETag;
            batch.Add(TableOperation.Replace(row));
        }
    }

    private static DynamicTableEntity SnapshotRow(string partition, string rowKey, string rowKind, ProgressReport report, string json)
    {
        var row = new DynamicTableEntity(partition, rowKey);
        var p = row.Properties;
        p[SnapshotColumns.RowKind] = new EntityProperty(rowKind);
        p[SnapshotColumns.Year] = new EntityProperty(report.Year);
        p[SnapshotColumns.AsOf] = new EntityProperty(EntityProgressCsv.FormatTimestamp(report.AsOf));
        p[SnapshotColumns.AsOfUtc] = new EntityProperty(report.AsOf.UtcDateTime);
        p[SnapshotColumns.TimeZone] = new EntityProperty(report.TimeZone);
        p[SnapshotColumns.PrtrTarget] = new EntityProperty(report.Prtr.Target);
        p[SnapshotColumns.PrtrCompleted] = new EntityProperty(report.Prtr.Completed);
        p[SnapshotColumns.PrtrSubsidiaries] = new EntityProperty(report.Prtr.Subsidiaries);
        p[SnapshotColumns.PrtrSuppliers] = new EntityProperty(report.Prtr.Suppliers);
        p[SnapshotColumns.CarbonTarget] = new EntityProperty(report.Carbon.Target);
        p[SnapshotColumns.CarbonCompleted] = new EntityProperty(report.Carbon.Completed);
        p[SnapshotColumns.CarbonSubsidiaries] = new EntityProperty(report.Carbon.Subsidiaries);
        p[SnapshotColumns.CarbonSuppliers] = new EntityProperty(report.Carbon.Suppliers);
        p[SnapshotColumns.Open] = new EntityProperty(report.Violations.Open);
        p[SnapshotColumns.Overdue] = new EntityProperty(report.Violations.Overdue);
        p[SnapshotColumns.PlanSubmitted] = new EntityProperty(report.Violations.PlanSubmitted);
        p[SnapshotColumns.PlanApproved] = new EntityProperty(report.Violations.PlanApproved);
        p[SnapshotColumns.Removed] = new EntityProperty(report.Violations.Removed);
        p[SnapshotColumns.SubsidiariesWithActiveRecords] = new EntityProperty(report.Violations.SubsidiariesWithActiveRecords);
        p[SnapshotColumns.SuppliersCompletedRemoval] = new EntityProperty(report.Violations.SuppliersCompletedRemoval);
        p[SnapshotColumns.ProjectedPrtrOn] = new EntityProperty(TableRows.Date(report.Projection.Prtr.ProjectedOn));
        p[SnapshotColumns.ProjectedCarbonOn] = new EntityProperty(TableRows.Date(report.Projection.Carbon.ProjectedOn));
        p[SnapshotColumns.PrtrOnTrack] = new EntityProperty(report.Projection.Prtr.OnTrack);
        p[SnapshotColumns.CarbonOnTrack] = new EntityProperty(report.Projection.Carbon.OnTrack);
        p[SnapshotColumns.Report] = new EntityProperty(json);
        return row;
    }

    private static DynamicTableEntity EntityRow(string partition, EntityProgressRow r)
    {
        var row = new DynamicTableEntity(partition, r.Id);
        var p = row.Properties;
        p[EntityColumns.Id] = new EntityProperty(r.Id);
        p[EntityColumns.Name] = new EntityProperty(r.Name);
        p[EntityColumns.Kind] = new EntityProperty(r.Kind);
        p[EntityColumns.Tier] = new EntityProperty(r.Tier);
        p[EntityColumns.PrtrStatus] = new EntityProperty(r.PrtrStatus);
        p[EntityColumns.CarbonStatus] = new EntityProperty(r.CarbonStatus);
        p[EntityColumns.ActiveRecords] = new EntityProperty(r.ActiveRecords);
        p[EntityColumns.OverdueCases] = new EntityProperty(r.OverdueCases);
        p[EntityColumns.LastSyncedAt] = new EntityProperty(EntityProgressCsv.FormatTimestamp(r.LastSyncedAt));
        return row;
    }

    private static EntityProgressRow FromEntityRow(DynamicTableEntity row) =>
        new(
            row.RowKey,
            row.GetText(EntityColumns.Name) ?? "",
            row.GetText(EntityColumns.Kind) ?? "",
            row.GetInt(EntityColumns.Tier),
            row.GetText(EntityColumns.PrtrStatus) ?? "none",
            row.GetText(EntityColumns.CarbonStatus) ?? "none",
            row.GetInt(EntityColumns.ActiveRecords),
            row.GetInt(EntityColumns.OverdueCases),
            ParseTimestamp(row.GetText(EntityColumns.LastSyncedAt)));

    /// <summary>True when the stored row already holds exactly what <paramref name="row"/> would write.</summary>
    private static bool SameColumns(DynamicTableEntity stored, EntityProgressRow row)
    {
        var expected = EntityRow(stored.PartitionKey, row).Properties;
        return expected.Count == stored.Properties.Count
            && expected.All(e => stored.Properties.TryGetValue(e.Key, out var s) && s.PropertyType == e.Value.PropertyType && Equals(s.PropertyAsObject, e.Value.PropertyAsObject));
    }

    private static DateTimeOffset? ParseTimestamp(string? value) =>
        string.IsNullOrEmpty(value) ? null : DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.None);

    /// <summary>The <c>ProgressSnapshots</c> columns (documented in the README's "Analysts' tables").</summary>
    private static class SnapshotColumns
    {
        public const string Dated = "snapshot";
        public const string QuarterEnd = "quarter";
        public const string LatestKind = "latest";

        public const string RowKind = nameof(RowKind);
        public const string Year = nameof(Year);
        public const string AsOf = nameof(AsOf);
        public const string AsOfUtc = nameof(AsOfUtc);
        public const string TimeZone = nameof(TimeZone);
        public const string PrtrTarget = nameof(PrtrTarget);
        public const string PrtrCompleted = nameof(PrtrCompleted);
        public const string PrtrSubsidiaries = nameof(PrtrSubsidiaries);
        public const string PrtrSuppliers = nameof(PrtrSuppliers);
        public const string CarbonTarget = nameof(CarbonTarget);
        public const string CarbonCompleted = nameof(CarbonCompleted);
        public const string CarbonSubsidiaries = nameof(CarbonSubsidiaries);
        public const string CarbonSuppliers = nameof(CarbonSuppliers);
        public const string Open = nameof(Open);
        public const string Overdue = nameof(Overdue);
        public const string PlanSubmitted = nameof(PlanSubmitted);
        public const string PlanApproved = nameof(PlanApproved);
        public const string Removed = nameof(Removed);
        public const string SubsidiariesWithActiveRecords = nameof(SubsidiariesWithActiveRecords);
        public const string SuppliersCompletedRemoval = nameof(SuppliersCompletedRemoval);
        public const string ProjectedPrtrOn = nameof(ProjectedPrtrOn);
        public const string ProjectedCarbonOn = nameof(ProjectedCarbonOn);
        public const string PrtrOnTrack = nameof(PrtrOnTrack);
        public const string CarbonOnTrack = nameof(CarbonOnTrack);
        public const string Report = nameof(Report);
    }

    /// <summary>The <c>EntityStatus</c> columns: the contract's entity row fields, named as in the contract.</summary>
    private static class EntityColumns
    {
        public const string Id = "id";
        public const string Name = "name";
        public const string Kind = "kind";
        public const string Tier = "tier";
        public const string PrtrStatus = "prtrStatus";
        public const string CarbonStatus = "carbonStatus";
        public const string ActiveRecords = "activeRecords";
        public const string OverdueCases = "overdueCases";
        public const string LastSyncedAt = "lastSyncedAt";
    }
}
