using System.Globalization;
using Microsoft.Azure.Cosmos.Table;

namespace DisclosurePipeline.Storage;

/// <summary>
/// <see cref="ISyncRunStore"/> over the <c>SyncRuns</c> table.
/// Partition <c>run</c> holds, per run, the run row (<c>id|{runId}</c>) and an index row
/// (<c>started|{inverted start ticks}|{runId}</c>, written in the same transaction) so that the most
/// recently started run is the first index row. Partition <c>batch|{runId}</c> holds one row per batch
/// (row key = batch number, zero-padded), written with insert-or-replace: a redelivered batch replaces its
/// own row and counts once. The run's counters are always summed from its batch rows. Partition <c>coverage</c>
/// holds one row per shard and first id of a batch: when that stretch of ids was last fetched.
/// </summary>
internal sealed class TableSyncRunStore(StorageAccount account) : ISyncRunStore
{
    private const string RunPartition = "run";
    private const string IdPrefix = "id|";
    private const string StartedPrefix = "started|";
    private const string StartedEnd = "started}";
    private const string BatchPartitionPrefix = "batch|";
    private const string CoveragePartition = "coverage";

    private const string RunId = nameof(RunId);
    private const string StartedAt = nameof(StartedAt);
    private const string FinishedAt = nameof(FinishedAt);
    private const string EntitiesTotal = nameof(EntitiesTotal);
    private const string BatchesTotal = nameof(BatchesTotal);
    private const string Status = nameof(Status);
    private const string BatchNumber = nameof(BatchNumber);
    private const string EntitiesSynced = nameof(EntitiesSynced);
    private const string EntitiesFailed = nameof(EntitiesFailed);
    private const string Shard = nameof(Shard);
    private const string FirstId = nameof(FirstId);
    private const string LastId = nameof(LastId);
    private const string SyncedAt = nameof(SyncedAt);

    public async Task CreateAsync(SyncRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        Keys.ThrowIfInvalid(run.RunId, "runId");
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var runRow = new DynamicTableEntity(RunPartition, IdPrefix + run.RunId);
        runRow.Properties[RunId] = new EntityProperty(run.RunId);
        runRow.Properties[StartedAt] = new EntityProperty(TableRows.Timestamp(run.StartedAt));
        runRow.Properties[FinishedAt] = new EntityProperty(TableRows.Timestamp(run.FinishedAt));
        runRow.Properties[EntitiesTotal] = new EntityProperty(run.EntitiesTotal);
        runRow.Properties[BatchesTotal] = new EntityProperty(run.BatchesTotal);
        runRow.Properties[Status] = new EntityProperty(StatusText(run.Status));
        var indexRow = new DynamicTableEntity(RunPartition, StartedKey(run));
        indexRow.Properties[RunId] = new EntityProperty(run.RunId);
        var batch = new TableBatchOperation { TableOperation.Insert(runRow), TableOperation.Insert(indexRow) };
        try
        {
            await table.ExecuteBatchAsync(batch, null, null, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.IsConflict())
        {
            // The run exists already (a schedule fired twice with the same id): it is left as it is.
        }
    }

    public async Task<SyncRun?> GetLatestAsync(CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var index = await table.QueryFirstAsync(TableRows.RangeQuery(RunPartition, StartedPrefix, StartedEnd, lastInclusive: false), cancellationToken).ConfigureAwait(false);
        return index?.GetText(RunId) is { } runId ? await GetAsync(table, runId, cancellationToken).ConfigureAwait(false) : null;
    }

    public async Task<SyncRun?> GetAsync(string runId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        return await GetAsync(table, runId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<SyncRun> RecordBatchAsync(SyncBatchResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentOutOfRangeException.ThrowIfNegative(result.BatchNumber);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = new DynamicTableEntity(BatchPartitionPrefix + result.RunId, result.BatchNumber.ToString("D6", CultureInfo.InvariantCulture));
        row.Properties[BatchNumber] = new EntityProperty(result.BatchNumber);
        row.Properties[EntitiesSynced] = new EntityProperty(result.EntitiesSynced);
        row.Properties[EntitiesFailed] = new EntityProperty(result.EntitiesFailed);
        row.Properties[FinishedAt] = new EntityProperty(TableRows.Timestamp(result.FinishedAt));
        await table.ExecuteAsync(TableOperation.InsertOrReplace(row), null, null, cancellationToken).ConfigureAwait(false);

        // Whichever batch sees all batch rows completes the run; two that see it at once write the same thing.
        while (true)
        {
            var runRow = await table.RetrieveAsync(RunPartition, IdPrefix + result.RunId, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"sync run '{result.RunId}' does not exist");
            var batches = await BatchRowsAsync(table, result.RunId, cancellationToken).ConfigureAwait(false);
            var run = ToRun(runRow, batches);
            if (run.Status != SyncRunStatus.Running || run.BatchesDone < run.BatchesTotal)
            {
                return run;
            }

            var completed = run with
            {
                Status = SyncRunStatus.Completed,
                FinishedAt = batches.Max(b => b.GetTimestamp(FinishedAt)),
            };
            runRow.Properties[Status] = new EntityProperty(StatusText(completed.Status));
            runRow.Properties[FinishedAt] = new EntityProperty(TableRows.Timestamp(completed.FinishedAt));
            try
            {
                await table.ExecuteAsync(TableOperation.Replace(runRow), null, null, cancellationToken).ConfigureAwait(false);
                return completed;
            }
            catch (StorageException e) when (e.IsPreconditionFailed())
            {
                // Someone else changed the run (completed or failed it): read it again.
            }
        }
    }

    public async Task MarkFailedAsync(string runId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var runRow = await table.RetrieveAsync(RunPartition, IdPrefix + runId, cancellationToken).ConfigureAwait(false);
            if (runRow is null || ParseStatus(runRow.GetText(Status)) != SyncRunStatus.Running)
            {
                // Unknown, or already finished: a completed run is not turned into a failed one.
                return;
            }

            runRow.Properties[Status] = new EntityProperty(StatusText(SyncRunStatus.Failed));
            runRow.Properties[FinishedAt] = new EntityProperty(TableRows.Timestamp(at));
            try
            {
                await table.ExecuteAsync(TableOperation.Replace(runRow), null, null, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (StorageException e) when (e.IsPreconditionFailed())
            {
                // Changed meanwhile: look again.
            }
        }
    }

    public async Task RecordCoverageAsync(SyncCoverage coverage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(coverage);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = new DynamicTableEntity(CoveragePartition, coverage.Shard + "|" + coverage.FirstId);
        row.Properties[Shard] = new EntityProperty(coverage.Shard);
        row.Properties[FirstId] = new EntityProperty(coverage.FirstId);
        row.Properties[LastId] = new EntityProperty(coverage.LastId);
        row.Properties[SyncedAt] = new EntityProperty(TableRows.Timestamp(coverage.SyncedAt));
        await table.ExecuteAsync(TableOperation.InsertOrReplace(row), null, null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SyncCoverage>> ListCoverageAsync(CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var query = new TableQuery().Where(TableQuery.GenerateFilterCondition("PartitionKey", QueryComparisons.Equal, CoveragePartition));
        var rows = await table.QueryAllAsync(query, cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => new SyncCoverage(r.GetText(Shard)!, r.GetText(FirstId)!, r.GetText(LastId)!, r.GetTimestamp(SyncedAt)!.Value))];
    }

    private Task<CloudTable> TableAsync(CancellationToken cancellationToken) =>
        account.GetTableAsync(StorageNames.SyncRunsTable, cancellationToken);

    private static async Task<SyncRun?> GetAsync(CloudTable table, string runId, CancellationToken cancellationToken)
    {
        var runRow = await table.RetrieveAsync(RunPartition, IdPrefix + runId, cancellationToken).ConfigureAwait(false);
        if (runRow is null)
        {
            return null;
        }

        var batches = await BatchRowsAsync(table, runId, cancellationToken).ConfigureAwait(false);
        return ToRun(runRow, batches);
    }

    private static Task<List<DynamicTableEntity>> BatchRowsAsync(CloudTable table, string runId, CancellationToken cancellationToken) =>
        table.QueryAllAsync(TableRows.PartitionQuery(BatchPartitionPrefix + runId), cancellationToken);

    private static SyncRun ToRun(DynamicTableEntity runRow, List<DynamicTableEntity> batches) =>
        new(
            runRow.GetText(RunId) ?? runRow.RowKey[IdPrefix.Length..],
            runRow.GetTimestamp(StartedAt) ?? default,
            runRow.GetInt(EntitiesTotal),
            runRow.GetInt(BatchesTotal))
        {
            Status = ParseStatus(runRow.GetText(Status)),
            FinishedAt = runRow.GetTimestamp(FinishedAt),
            EntitiesSynced = batches.Sum(b => b.GetInt(EntitiesSynced)),
            EntitiesFailed = batches.Sum(b => b.GetInt(EntitiesFailed)),
            BatchesDone = batches.Count,
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

    private static SyncRunStatus ParseStatus(string? value) => value switch
    {
        "completed" => SyncRunStatus.Completed,
        "failed" => SyncRunStatus.Failed,
        _ => SyncRunStatus.Running,
    };
}
