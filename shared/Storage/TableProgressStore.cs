using System.Globalization;
using System.Net;
using System.Text.Json;
using DisclosurePipeline.Progress;
using Azure;
using Azure.Data.Tables;

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

    private static readonly string[] HistoryColumns = ["AsOf", "PrtrCompleted", "CarbonCompleted"];

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
            var batch = new List<TableTransactionAction>
            {
                new(TableTransactionActionType.UpsertReplace, SnapshotRow.From(partition, ProgressRowKeys.Snapshot(report.AsOf), SnapshotRow.Dated, report, json)),
            };
            if (quarter is not null)
            {
                await AddIfNotNewerAsync(table, batch, SnapshotRow.From(partition, quarter, SnapshotRow.QuarterEnd, report, json), report.AsOf, cancellationToken).ConfigureAwait(false);
            }

            await AddIfNotNewerAsync(table, batch, SnapshotRow.From(partition, ProgressRowKeys.Latest, SnapshotRow.LatestKind, report, json), report.AsOf, cancellationToken).ConfigureAwait(false);
            try
            {
                await table.SubmitTransactionAsync(batch, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (RequestFailedException e) when ((e.IsConflict() || e.IsPreconditionFailed()) && attempt < MaxAttempts)
            {
                // Someone wrote the quarter or latest row between our read and our write.
            }
        }
    }

    public async Task<IReadOnlyList<ProgressSnapshot>> ListSnapshotsAsync(int year, CancellationToken cancellationToken)
    {
        var table = await account.GetTableAsync(StorageNames.ProgressSnapshotsTable, cancellationToken).ConfigureAwait(false);

        // Dated keys start with a digit; "Q1".."Q4" and "latest" start with letters.
        var filter = TableRows.RangeFilter(YearKey(year), "0", ":", lastInclusive: false);
        var rows = await table.QueryAllAsync<SnapshotRow>(filter, HistoryColumns, cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => new ProgressSnapshot(ParseTimestamp(r.AsOf) ?? default, r.PrtrCompleted, r.CarbonCompleted)).OrderBy(s => s.AsOf)];
    }

    public async Task<ProgressReport?> GetLatestAsync(int year, CancellationToken cancellationToken)
    {
        var table = await account.GetTableAsync(StorageNames.ProgressSnapshotsTable, cancellationToken).ConfigureAwait(false);
        var row = await table.RetrieveAsync<SnapshotRow>(YearKey(year), ProgressRowKeys.Latest, cancellationToken).ConfigureAwait(false);
        return TableRows.TextOrNull(row?.Report) is { } json ? JsonSerializer.Deserialize<ProgressReport>(json, Json) : null;
    }

    public async Task<EntityStatusChanges> SaveEntityStatusAsync(int year, IReadOnlyCollection<EntityProgressRow> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var table = await account.GetTableAsync(StorageNames.EntityStatusTable, cancellationToken).ConfigureAwait(false);
        var partition = YearKey(year);
        var existing = (await table.QueryAllAsync<EntityStatusRow>(TableRows.PartitionFilter(partition), null, cancellationToken).ConfigureAwait(false))
            .ToDictionary(r => r.RowKey, StringComparer.Ordinal);

        var changed = new List<EntityStatusRow>();
        var given = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            Keys.ThrowIfInvalid(row.Id);
            given.Add(row.Id);
            var wanted = EntityStatusRow.From(partition, row);
            if (!existing.TryGetValue(row.Id, out var stored) || !stored.SameColumns(wanted))
            {
                changed.Add(wanted);
            }
        }

        var gone = existing.Values
            .Where(r => !given.Contains(r.RowKey))
            .Select(r => new EntityStatusRow { PartitionKey = partition, RowKey = r.RowKey })
            .ToList();

        if (changed.Count > 0)
        {
            await table.WriteBatchesAsync(changed, TableTransactionActionType.UpsertReplace, null, cancellationToken).ConfigureAwait(false);
        }

        if (gone.Count > 0)
        {
            await table.WriteBatchesAsync(gone, TableTransactionActionType.Delete, HttpStatusCode.NotFound, cancellationToken).ConfigureAwait(false);
        }

        return new EntityStatusChanges(changed.Count, gone.Count, given.Count - changed.Count);
    }

    public async Task<IReadOnlyList<EntityProgressRow>> ListEntityStatusAsync(int year, CancellationToken cancellationToken)
    {
        var table = await account.GetTableAsync(StorageNames.EntityStatusTable, cancellationToken).ConfigureAwait(false);
        var rows = await table.QueryAllAsync<EntityStatusRow>(TableRows.PartitionFilter(YearKey(year)), null, cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToRow()).OrderBy(r => r.Id, StringComparer.Ordinal)];
    }

    private static string YearKey(int year) => year.ToString("D4", CultureInfo.InvariantCulture);

    /// <summary>Adds the replacement of a quarter or latest row unless the stored one is from a later rollup.</summary>
    private static async Task AddIfNotNewerAsync(TableClient table, List<TableTransactionAction> batch, SnapshotRow row, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var stored = await table.RetrieveAsync<SnapshotRow>(row.PartitionKey, row.RowKey, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            batch.Add(new TableTransactionAction(TableTransactionActionType.Add, row));
        }
        else if (ParseTimestamp(stored.AsOf) is not { } storedAsOf || storedAsOf <= asOf)
        {
            batch.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, stored.ETag));
        }
    }

    private static DateTimeOffset? ParseTimestamp(string? value) =>
        string.IsNullOrEmpty(value) ? null : DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.None);

    /// <summary>A <c>ProgressSnapshots</c> row (columns documented in the README's "Analysts' tables").</summary>
    private sealed class SnapshotRow : TableRow
    {
        public const string Dated = "snapshot";
        public const string QuarterEnd = "quarter";
        public const string LatestKind = "latest";

        public string? RowKind { get; set; }

        public int Year { get; set; }

        public string? AsOf { get; set; }

        public DateTimeOffset AsOfUtc { get; set; }

        public string? TimeZone { get; set; }

        public int PrtrTarget { get; set; }

        public int PrtrCompleted { get; set; }

        public int PrtrSubsidiaries { get; set; }

        public int PrtrSuppliers { get; set; }

        public int CarbonTarget { get; set; }

        public int CarbonCompleted { get; set; }

        public int CarbonSubsidiaries { get; set; }

        public int CarbonSuppliers { get; set; }

        public int Open { get; set; }

        public int Overdue { get; set; }

        public int PlanSubmitted { get; set; }

        public int PlanApproved { get; set; }

        public int Removed { get; set; }

        public int SubsidiariesWithActiveRecords { get; set; }

        public int SuppliersCompletedRemoval { get; set; }

        public string? ProjectedPrtrOn { get; set; }

        public string? ProjectedCarbonOn { get; set; }

        public bool PrtrOnTrack { get; set; }

        public bool CarbonOnTrack { get; set; }

        public string? Report { get; set; }

        public static SnapshotRow From(string partition, string rowKey, string rowKind, ProgressReport report, string json) => new()
        {
            PartitionKey = partition,
            RowKey = rowKey,
            RowKind = rowKind,
            Year = report.Year,
            AsOf = EntityProgressCsv.FormatTimestamp(report.AsOf),
            AsOfUtc = report.AsOf.ToUniversalTime(),
            TimeZone = report.TimeZone,
            PrtrTarget = report.Prtr.Target,
            PrtrCompleted = report.Prtr.Completed,
            PrtrSubsidiaries = report.Prtr.Subsidiaries,
            PrtrSuppliers = report.Prtr.Suppliers,
            CarbonTarget = report.Carbon.Target,
            CarbonCompleted = report.Carbon.Completed,
            CarbonSubsidiaries = report.Carbon.Subsidiaries,
            CarbonSuppliers = report.Carbon.Suppliers,
            Open = report.Violations.Open,
            Overdue = report.Violations.Overdue,
            PlanSubmitted = report.Violations.PlanSubmitted,
            PlanApproved = report.Violations.PlanApproved,
            Removed = report.Violations.Removed,
            SubsidiariesWithActiveRecords = report.Violations.SubsidiariesWithActiveRecords,
            SuppliersCompletedRemoval = report.Violations.SuppliersCompletedRemoval,
            ProjectedPrtrOn = TableRows.Date(report.Projection.Prtr.ProjectedOn),
            ProjectedCarbonOn = TableRows.Date(report.Projection.Carbon.ProjectedOn),
            PrtrOnTrack = report.Projection.Prtr.OnTrack,
            CarbonOnTrack = report.Projection.Carbon.OnTrack,
            Report = json,
        };
    }

    /// <summary>An <c>EntityStatus</c> row: the contract's entity row fields, named as in the contract.</summary>
    private sealed class EntityStatusRow : TableRow
    {
        public string? id { get; set; }

        public string? name { get; set; }

        public string? kind { get; set; }

        public int tier { get; set; }

        public string? prtrStatus { get; set; }

        public string? carbonStatus { get; set; }

        public int activeRecords { get; set; }

        public int overdueCases { get; set; }

        public string? lastSyncedAt { get; set; }

        public static EntityStatusRow From(string partition, EntityProgressRow r) => new()
        {
            PartitionKey = partition,
            RowKey = r.Id,
            id = r.Id,
            name = r.Name,
            kind = r.Kind,
            tier = r.Tier,
            prtrStatus = r.PrtrStatus,
            carbonStatus = r.CarbonStatus,
            activeRecords = r.ActiveRecords,
            overdueCases = r.OverdueCases,
            lastSyncedAt = EntityProgressCsv.FormatTimestamp(r.LastSyncedAt),
        };

        /// <summary>True when this stored row already holds exactly what <paramref name="wanted"/> would write.</summary>
        public bool SameColumns(EntityStatusRow wanted) =>
            id == wanted.id && name == wanted.name && kind == wanted.kind && tier == wanted.tier
            && prtrStatus == wanted.prtrStatus && carbonStatus == wanted.carbonStatus
            && activeRecords == wanted.activeRecords && overdueCases == wanted.overdueCases && lastSyncedAt == wanted.lastSyncedAt;

        public EntityProgressRow ToRow() =>
            new(RowKey, name ?? "", kind ?? "", tier, prtrStatus ?? "none", carbonStatus ?? "none", activeRecords, overdueCases, ParseTimestamp(lastSyncedAt));
    }
}
