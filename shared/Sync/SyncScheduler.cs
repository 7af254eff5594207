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
        await Parallel.ForEachAsync(
            batches,
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (batch, ct) => await queue.EnqueueAsync(QueueName, batch, ct));

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

    private async Task FailStaleRunAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var latest = await runs.GetLatestAsync(cancellationToken);
        if (latest is { Status: SyncRunStatus.Running } && now - latest.StartedAt > StaleRunAge)
        {
            await runs.MarkFailedAsync(latest.RunId, now, cancellationToken);
            Log.StaleRunFailed(logger, latest.RunId, latest.StartedAt);
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
    }
}
