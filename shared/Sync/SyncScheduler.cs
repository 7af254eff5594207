using System.Globalization;
using DisclosurePipeline.Configuration;
using DisclosurePipeline.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DisclosurePipeline.Sync;

/// <summary>
/// Starts sync runs: lists the registry once, cuts it into batches of at most <see cref="BatchSize"/>
/// ids of one shard, stores the run, and enqueues one message per batch.
/// </summary>
public sealed partial class SyncScheduler(
    IEntityStore entities,
    ISyncRunStore runs,
    IWorkQueue queue,
    IOptions<PipelineOptions> pipelineOptions,
    IOptions<TargetsOptions> targetsOptions,
    TimeProvider clock,
    ILogger<SyncScheduler> logger)
{
    /// <summary>The queue the batch messages go to (the <c>SyncSupplierBatch</c> trigger's queue).</summary>
    public const string QueueName = "sync-batches";

    /// <summary>Most ids in one batch message (also the platform's per-request limit).</summary>
    public const int BatchSize = 100;

    /// <summary>A run still "running" after this long cannot finish any more (its messages are gone) and is marked failed.</summary>
    public static readonly TimeSpan StaleRunAge = TimeSpan.FromHours(6);

    /// <summary>Starts a run of every active entity (inactive ones are left out); returns it as stored.</summary>
    public Task<SyncRun> StartFullRunAsync(CancellationToken cancellationToken) =>
        StartFullRunAsync("every active entity", cancellationToken);

    /// <summary>Starts a run of every active entity, saying why in <paramref name="why"/>; returns it as stored.</summary>
    public async Task<SyncRun> StartFullRunAsync(string why, CancellationToken cancellationToken)
    {
        var registry = await entities.ListEntriesAsync(cancellationToken);
        var active = registry.Where(e => e.Active).Select(e => e.Id).ToList();
        var inactive = registry.Count - active.Count;
        var scope = $"{why}: {active.Count} active entities" + (inactive > 0 ? $" ({inactive} inactive left out)" : "");
        return await StartRunAsync(active, SyncRunReason.Full, scope, cancellationToken);
    }

    /// <summary>Starts a run of the given entities (for example those the change feed named).</summary>
    public Task<SyncRun> StartRunAsync(IEnumerable<string> entityIds, CancellationToken cancellationToken) =>
        StartRunAsync(entityIds, SyncRunReason.Changes, "", cancellationToken);

    /// <summary>
    /// Starts a run of the given entities, stored with why it was started (<paramref name="reason"/>) and what it covers
    /// (<paramref name="scope"/>, for people); returns it as stored.
    /// </summary>
    public async Task<SyncRun> StartRunAsync(IEnumerable<string> entityIds, SyncRunReason reason, string scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entityIds);
        ArgumentNullException.ThrowIfNull(scope);
        var now = clock.GetUtcNow();
        await FailStaleRunAsync(now, cancellationToken);

        var year = targetsOptions.Value.YearAt(now, pipelineOptions.Value.ResolveZone());
        var runId = NewRunId(now);
        var batches = Cut(entityIds, runId, year);
        var run = new SyncRun(runId, now, batches.Sum(b => b.Ids.Count), batches.Count) { Reason = reason, Scope = scope };
        if (batches.Count == 0)
        {
            run = run with { Status = SyncRunStatus.Completed, FinishedAt = now };
        }

        await runs.CreateAsync(run, cancellationToken);

        // A few enqueues at a time: each is one round trip, and order does not matter.
        try
        {
            await Parallel.ForEachAsync(
                batches,
                new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
                async (batch, ct) => await queue.EnqueueAsync(QueueName, batch, ct));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Some batches may be queued and will be recorded, but the run cannot complete: say so now rather than
            // leaving it "running" until it is stale.
            await TryMarkFailedAsync(runId, "Not every batch of the run could be queued: " + SyncFailures.Describe(ex), cancellationToken);
            throw new SyncRunNotQueuedException(runId, ex);
        }

        Log.RunStarted(logger, runId, reason, run.EntitiesTotal, run.BatchesTotal, year, scope);
        return run;
    }

    /// <summary>Cuts ids into batches: grouped by shard, sorted, at most <see cref="BatchSize"/> each, duplicates dropped.</summary>
    public static IReadOnlyList<SyncBatchMessage> Cut(IEnumerable<string> entityIds, string runId, int year)
    {
        var batches = new List<SyncBatchMessage>();
        foreach (var shard in entityIds.Distinct(StringComparer.Ordinal)
                     .GroupBy(Domain.Uscc.Shard, StringComparer.Ordinal)
                     .OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            foreach (var chunk in shard.Order(StringComparer.Ordinal).Chunk(BatchSize))
            {
                batches.Add(new SyncBatchMessage(runId, batches.Count, shard.Key, year, chunk));
            }
        }

        return batches;
    }

    /// <summary>
    /// Records a scheduled tick that failed before it could start a run (the change feed still failing after its
    /// retries, storage down): a <see cref="SyncRunStatus.Failed"/> run of no entities whose <see cref="SyncRun.Error"/>
    /// says why, so that the latest run shows the failure instead of the last good run. The sync state (change-feed
    /// cursor, last full sync) is not touched: the next tick tries again from where the last good one left off.
    /// </summary>
    /// <param name="tickAt">When the tick started.</param>
    /// <param name="error">Why it failed, for staff (no secrets, no stack trace).</param>
    /// <param name="cancellationToken">Cancels the recording.</param>
    public async Task<SyncRun> RecordFailedTickAsync(DateTimeOffset tickAt, string error, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(error);
        await FailStaleRunAsync(clock.GetUtcNow(), cancellationToken);
        var run = new SyncRun(NewRunId(tickAt), tickAt, 0, 0)
        {
            Status = SyncRunStatus.Failed,
            FinishedAt = clock.GetUtcNow(),
            Error = error,
            Reason = SyncRunReason.FailedTick,
            Scope = "the scheduled tick failed before it started a run",
        };
        await runs.CreateAsync(run, cancellationToken);
        Log.TickRecorded(logger, run.RunId, tickAt);
        return run;
    }

    private async Task FailStaleRunAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var latest = await runs.GetLatestAsync(cancellationToken);
        if (latest is { Status: SyncRunStatus.Running } && now - latest.StartedAt > StaleRunAge)
        {
            var error = $"The run did not finish within {StaleRunAge.TotalHours:0} hours of its start; its missing batches are no longer expected.";
            await runs.MarkFailedAsync(latest.RunId, now, error, cancellationToken);
            Log.StaleRunFailed(logger, latest.RunId, latest.StartedAt);
        }
    }

    private async Task TryMarkFailedAsync(string runId, string error, CancellationToken cancellationToken)
    {
        try
        {
            await runs.MarkFailedAsync(runId, clock.GetUtcNow(), error, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Storage is what failed, most likely: the run stays "running" until the stale check fails it.
            Log.MarkFailedFailed(logger, runId, ex);
        }
    }

    private static string NewRunId(DateTimeOffset now) =>
        now.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..6];

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Sync run {RunId} ({Reason}) started: {Entities} entities in {Batches} batches, disclosure year {Year}; {Scope}")]
        public static partial void RunStarted(ILogger logger, string runId, SyncRunReason reason, int entities, int batches, int year, string scope);

        [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Sync run {RunId} started at {StartedAt} never finished; marked failed")]
        public static partial void StaleRunFailed(ILogger logger, string runId, DateTimeOffset startedAt);

        [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Scheduled sync tick of {TickAt} failed before starting a run; recorded as failed run {RunId}")]
        public static partial void TickRecorded(ILogger logger, string runId, DateTimeOffset tickAt);

        [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "Sync run {RunId} could not be queued, nor marked failed")]
        public static partial void MarkFailedFailed(ILogger logger, string runId, Exception exception);
    }
}
