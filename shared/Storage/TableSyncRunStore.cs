using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace DisclosurePipeline.Storage;

/// <summary>
/// <see cref="ISyncRunStore"/> over the <c>SyncRuns</c> table.
/// Partition <c>run</c> holds, per run, the run row (<c>id|{runId}</c>) and an index row
/// (<c>started|{inverted start ticks}|{runId}</c>, written in the same transaction) so that the most
/// recently started run is the first index row. Partition <c>batch|{runId}</c> holds one row per batch
/// (row key = batch number, zero-padded), written with insert-or-replace: a redelivered batch replaces its
/// own row and counts once. The run's counters are always summed from its batch rows, and a run whose batch
/// rows are all in is completed (its last batch's time is when it finished) whether or not its run row says so
/// yet: the row is brought up to date by whoever sees it first (one of the run's last batches, or a reader).
/// Partition <c>coverage</c> holds one row per shard and first id of a batch: when that stretch of ids was last
/// fetched. Batch and coverage rows are written through group commits, so concurrent batches share transactions.
/// </summary>
internal sealed partial class TableSyncRunStore : ISyncRunStore
{
    /// <summary>Batches this close to a run's last batch number check, after recording, whether the run is complete.</summary>
    internal const int CompletionCheckWindow = 8;

    private const string RunPartition = "run";
    private const string IdPrefix = "id|";
    private const string StartedPrefix = "started|";
    private const string StartedEnd = "started}";
    private const string BatchPartitionPrefix = "batch|";
    private const string CoveragePartition = "coverage";

    private static readonly string[] BatchColumns = ["EntitiesSynced", "EntitiesFailed", "FinishedAt"];

    private readonly StorageAccount account;
    private readonly ILogger<TableSyncRunStore> logger;
    private readonly TableGroupCommit batchRows;
    private readonly TableGroupCommit coverageRows;

    /// <summary>Runs' totals by id (they never change once created), so a batch does not read its run row again.</summary>
    private readonly ConcurrentDictionary<string, int> batchesTotal = new(StringComparer.Ordinal);

    public TableSyncRunStore(StorageAccount account, ILogger<TableSyncRunStore>? logger = null)
    {
        this.account = account;
        this.logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<TableSyncRunStore>.Instance;
        batchRows = new TableGroupCommit(TableAsync);
        coverageRows = new TableGroupCommit(TableAsync);
    }

    public async Task CreateAsync(SyncRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        Keys.ThrowIfInvalid(run.RunId, "runId");
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var runRow = new RunRow
        {
            PartitionKey = RunPartition,
            RowKey = IdPrefix + run.RunId,
            RunId = run.RunId,
            StartedAt = TableRows.Timestamp(run.StartedAt),
            FinishedAt = TableRows.Timestamp(run.FinishedAt),
            EntitiesTotal = run.EntitiesTotal,
            BatchesTotal = run.BatchesTotal,
            Status = StatusText(run.Status),
            Error = run.Error,
            Reason = ReasonText(run.Reason),
            Scope = run.Scope,
        };
        var indexRow = new IndexRow { PartitionKey = RunPartition, RowKey = StartedKey(run), RunId = run.RunId };
        try
        {
            await table.SubmitTransactionAsync(
                [new TableTransactionAction(TableTransactionActionType.Add, runRow), new TableTransactionAction(TableTransactionActionType.Add, indexRow)],
                cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.IsConflict())
        {
            // The run exists already (a schedule fired twice with the same id): it is left as it is.
        }
    }

    public async Task<SyncRun?> GetLatestAsync(CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var index = await table.QueryFirstAsync<IndexRow>(TableRows.RangeFilter(RunPartition, StartedPrefix, StartedEnd, lastInclusive: false), cancellationToken).ConfigureAwait(false);
        return index?.RunId is { } runId ? await GetAsync(table, runId, cancellationToken).ConfigureAwait(false) : null;
    }

    public async Task<SyncRun?> GetAsync(string runId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        return await GetAsync(table, runId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int?> GetBatchesTotalAsync(string runId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        if (!Keys.IsValid(runId))
        {
            return null; // no run can have such an id
        }

        if (batchesTotal.TryGetValue(runId, out var known))
        {
            return known;
        }

        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var runRow = await table.RetrieveAsync<RunRow>(RunPartition, IdPrefix + runId, cancellationToken).ConfigureAwait(false);
        return runRow is null ? null : batchesTotal.GetOrAdd(runId, runRow.BatchesTotal);
    }

    public async Task<SyncRun?> RecordBatchAsync(SyncBatchResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentOutOfRangeException.ThrowIfNegative(result.BatchNumber);
        Keys.ThrowIfInvalid(result.RunId, "runId");
        var row = new BatchRow
        {
            PartitionKey = BatchPartitionPrefix + result.RunId,
            RowKey = result.BatchNumber.ToString("D6", CultureInfo.InvariantCulture),
            BatchNumber = result.BatchNumber,
            EntitiesSynced = result.EntitiesSynced,
            EntitiesFailed = result.EntitiesFailed,
            FinishedAt = TableRows.Timestamp(result.FinishedAt),
        };
        await batchRows.UpsertAsync(row, cancellationToken).ConfigureAwait(false);

        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var total = await GetBatchesTotalAsync(result.RunId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"sync run '{result.RunId}' does not exist");

        // Only the run's last batches look at all batch rows: reading them after every batch would cost
        // batches² rows per run. A run completed by an earlier batch is brought up to date by its next reader.
        return result.BatchNumber >= total - CompletionCheckWindow
            ? await GetAsync(table, result.RunId, cancellationToken).ConfigureAwait(false)
            : null;
    }

    public async Task MarkFailedAsync(string runId, DateTimeOffset at, string error, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        ArgumentException.ThrowIfNullOrEmpty(error);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var runRow = await table.RetrieveAsync<RunRow>(RunPartition, IdPrefix + runId, cancellationToken).ConfigureAwait(false);
            if (runRow is null || ParseStatus(runRow.Status) != SyncRunStatus.Running)
            {
                // Unknown, or already finished: a completed run is not turned into a failed one.
                return;
            }

            var batches = await BatchRowsAsync(table, runId, cancellationToken).ConfigureAwait(false);
            if (batches.Count >= runRow.BatchesTotal)
            {
                await CompleteAsync(table, runRow, batches, cancellationToken).ConfigureAwait(false);
                return;
            }

            runRow.Status = StatusText(SyncRunStatus.Failed);
            runRow.FinishedAt = TableRows.Timestamp(at);
            runRow.Error = error;
            if (await table.TryReplaceAsync(runRow, runRow.ETag.ToString(), "sync run", cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            // Changed meanwhile: look again.
        }
    }

    public Task RecordCoverageAsync(SyncCoverage coverage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(coverage);
        var row = new CoverageRow
        {
            PartitionKey = CoveragePartition,
            RowKey = coverage.Shard + "|" + coverage.FirstId,
            Shard = coverage.Shard,
            FirstId = coverage.FirstId,
            LastId = coverage.LastId,
            SyncedAt = TableRows.Timestamp(coverage.SyncedAt),
        };
        return coverageRows.UpsertAsync(row, cancellationToken);
    }

    public async Task<IReadOnlyList<SyncCoverage>> ListCoverageAsync(CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var rows = await table.QueryAllAsync<CoverageRow>(TableRows.PartitionFilter(CoveragePartition), null, cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => new SyncCoverage(r.Shard!, r.FirstId!, r.LastId!, TableRows.ParseTimestamp(r.SyncedAt)!.Value))];
    }

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) =>
        account.GetTableAsync(StorageNames.SyncRunsTable, cancellationToken);

    private async Task<SyncRun?> GetAsync(TableClient table, string runId, CancellationToken cancellationToken)
    {
        var runRow = await table.RetrieveAsync<RunRow>(RunPartition, IdPrefix + runId, cancellationToken).ConfigureAwait(false);
        if (runRow is null)
        {
            return null;
        }

        var batches = await BatchRowsAsync(table, runId, cancellationToken).ConfigureAwait(false);
        if (ParseStatus(runRow.Status) == SyncRunStatus.Running && batches.Count >= runRow.BatchesTotal)
        {
            return await CompleteAsync(table, runRow, batches, cancellationToken).ConfigureAwait(false);
        }

        return ToRun(runRow, batches);
    }

    /// <summary>Marks a running run whose batch rows are all in as completed (unless someone changed it first) and returns it as stored.</summary>
    private async Task<SyncRun> CompleteAsync(TableClient table, RunRow runRow, List<BatchRow> batches, CancellationToken cancellationToken)
    {
        runRow.Status = StatusText(SyncRunStatus.Completed);
        runRow.FinishedAt = TableRows.Timestamp(batches.Max(b => TableRows.ParseTimestamp(b.FinishedAt)));
        if (await table.TryReplaceAsync(runRow, runRow.ETag.ToString(), "sync run", cancellationToken).ConfigureAwait(false))
        {
            var run = ToRun(runRow, batches);
            Log.RunCompleted(logger, run.RunId, run.EntitiesSynced, run.EntitiesFailed);
            return run;
        }

        // Someone else completed or failed it first: what they stored stands.
        var stored = await table.RetrieveAsync<RunRow>(runRow.PartitionKey, runRow.RowKey, cancellationToken).ConfigureAwait(false) ?? runRow;
        return ToRun(stored, batches);
    }

    private static Task<List<BatchRow>> BatchRowsAsync(TableClient table, string runId, CancellationToken cancellationToken) =>
        table.QueryAllAsync<BatchRow>(TableRows.PartitionFilter(BatchPartitionPrefix + runId), BatchColumns, cancellationToken);

    private static SyncRun ToRun(RunRow runRow, List<BatchRow> batches) =>
        new(
            runRow.RunId ?? runRow.RowKey[IdPrefix.Length..],
            TableRows.ParseTimestamp(runRow.StartedAt) ?? default,
            runRow.EntitiesTotal,
            runRow.BatchesTotal)
        {
            Status = ParseStatus(runRow.Status),
            FinishedAt = TableRows.ParseTimestamp(runRow.FinishedAt),
            EntitiesSynced = batches.Sum(b => b.EntitiesSynced),
            EntitiesFailed = batches.Sum(b => b.EntitiesFailed),
            BatchesDone = batches.Count,
            Error = runRow.Error,
            Reason = ParseReason(runRow.Reason),
            Scope = runRow.Scope ?? "",
        };

    /// <summary>Newer runs sort first: the start's ticks inverted, fixed width.</summary>
    private static string StartedKey(SyncRun run) =>
        StartedPrefix + (DateTimeOffset.MaxValue.UtcTicks - run.StartedAt.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "|" + run.RunId;

    private static string StatusText(SyncRunStatus status) => status switch
    {
        SyncRunStatus.Running => "running",
        SyncRunStatus.Completed => "completed",
        SyncRunStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    private static string ReasonText(SyncRunReason reason) => reason switch
    {
        SyncRunReason.Full => "full",
        SyncRunReason.Changes => "changes",
        SyncRunReason.Import => "import",
        SyncRunReason.Reactivation => "reactivation",
        SyncRunReason.FailedTick => "failed_tick",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    private static SyncRunReason ParseReason(string? value) => value switch
    {
        "changes" => SyncRunReason.Changes,
        "import" => SyncRunReason.Import,
        "reactivation" => SyncRunReason.Reactivation,
        "failed_tick" => SyncRunReason.FailedTick,
        _ => SyncRunReason.Full,
    };

    private static SyncRunStatus ParseStatus(string? value) => value switch
    {
        "completed" => SyncRunStatus.Completed,
        "failed" => SyncRunStatus.Failed,
        _ => SyncRunStatus.Running,
    };

    /// <summary>A run row (<c>id|{runId}</c>).</summary>
    private sealed class RunRow : TableRow
    {
        public string? RunId { get; set; }

        public string? StartedAt { get; set; }

        public string? FinishedAt { get; set; }

        public int EntitiesTotal { get; set; }

        public int BatchesTotal { get; set; }

        public string? Status { get; set; }

        public string? Error { get; set; }
        public string? Reason { get; set; }

        public string? Scope { get; set; }
    }

    /// <summary>An index row (<c>started|…</c>).</summary>
    private sealed class IndexRow : TableRow
    {
        public string? RunId { get; set; }
    }

    /// <summary>A batch row (partition <c>batch|{runId}</c>).</summary>
    private sealed class BatchRow : TableRow
    {
        public int BatchNumber { get; set; }

        public int EntitiesSynced { get; set; }

        public int EntitiesFailed { get; set; }

        public string? FinishedAt { get; set; }
    }

    /// <summary>A coverage row (partition <c>coverage</c>).</summary>
    private sealed class CoverageRow : TableRow
    {
        public string? Shard { get; set; }

        public string? FirstId { get; set; }

        public string? LastId { get; set; }

        public string? SyncedAt { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "Sync run {RunId} completed: {Synced} synced, {Failed} failed")]
        public static partial void RunCompleted(ILogger logger, string runId, int synced, int failed);
    }
}
