using DisclosurePipeline.Functions.Http;
using DisclosurePipeline.Storage;
using DisclosurePipeline.Sync;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace DisclosurePipeline.Functions;

/// <summary>The supplier sync: the hourly schedule, one batch per queue message, the batches that keep failing, the latest run.</summary>
internal sealed partial class SyncFunctions(
    ScheduledSync sync,
    SyncBatchProcessor processor,
    ISyncRunStore runs,
    TimeProvider clock,
    ILogger<SyncFunctions> logger)
{
    /// <summary>
    /// Timer, hourly (UTC): a full sync of the registry once a day at <see cref="ScheduledSync.FullSyncHourUtc"/>
    /// (or whenever the last full sync is too old), change-feed runs in between. Batches go to <c>sync-batches</c>.
    /// </summary>
    [Function(nameof(ScheduleSupplierSync))]
    public async Task ScheduleSupplierSync([TimerTrigger("0 0 * * * *", UseMonitor = true)] TimerInfo timer, CancellationToken cancellationToken)
    {
        var run = await sync.RunAsync(forceFull: clock.GetUtcNow().Hour == ScheduledSync.FullSyncHourUtc, cancellationToken);
        if (run is null)
        {
            Log.NoRun(logger);
        }
        else
        {
            Log.RunStarted(logger, run.RunId, run.EntitiesTotal, run.BatchesTotal);
        }
    }

    /// <summary>
    /// Queue <c>sync-batches</c>: syncs one batch. A failure fails the invocation, so the host delivers the message
    /// again; after <c>maxDequeueCount</c> deliveries it moves it to <c>sync-batches-poison</c>, where
    /// <see cref="RecordFailedSyncBatch"/> counts the batch as failed in its run.
    /// </summary>
    [Function(nameof(SyncSupplierBatch))]
    public async Task SyncSupplierBatch([QueueTrigger(StorageNames.SyncBatchesQueue)] SyncBatchMessage batch, CancellationToken cancellationToken)
    {
        var outcome = await processor.ProcessAsync(Checked(batch), cancellationToken);
        Log.BatchSynced(logger, batch.RunId, batch.BatchNumber, outcome.EntitiesSynced, outcome.EntitiesFailed, outcome.CasesOpened, outcome.CasesUpdated);
    }

    /// <summary>
    /// Queue <c>sync-batches-poison</c>: a batch whose every delivery failed is recorded as failed in its run (its
    /// entities count in <c>entitiesFailed</c>, the run can finish). Recording is idempotent (one row per run and batch).
    /// Bound as text, so a message that is not a sync batch at all is recorded in <c>RejectedMessages</c> rather than failing again.
    /// </summary>
    [Function(nameof(RecordFailedSyncBatch))]
    public async Task RecordFailedSyncBatch([QueueTrigger(StorageNames.SyncBatchesQueue + "-poison")] string message, CancellationToken cancellationToken) =>
        await processor.RecordFailedAsync(message, cancellationToken);

    /// <summary><c>GET /api/sync-runs/latest</c> — staff: the most recently started sync run and its counters.</summary>
    [Function(nameof(GetLatestSyncRun))]
    [RequireRole(Roles.Staff)]
    public async Task<IResult> GetLatestSyncRun(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "sync-runs/latest")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var run = await runs.GetLatestAsync(cancellationToken);
        return run is null
            ? Problems.NotFound("No sync run has started yet.")
            : TypedResults.Ok(new
            {
                runId = run.RunId,
                status = run.Status,
                startedAt = run.StartedAt,
                finishedAt = run.FinishedAt,
                entitiesTotal = run.EntitiesTotal,
                entitiesSynced = run.EntitiesSynced,
                entitiesFailed = run.EntitiesFailed,
                batchesTotal = run.BatchesTotal,
                batchesDone = run.BatchesDone,
            });
    }

    /// <summary>A message that bound but lacks what a batch needs fails its delivery like an unreadable one.</summary>
    private static SyncBatchMessage Checked(SyncBatchMessage? batch) =>
        batch is { RunId.Length: > 0, Shard.Length: > 0, Ids: not null }
            ? batch
            : throw new InvalidOperationException("the queue message is not a sync batch (runId, shard and ids are required)");

    private static partial class Log
    {
        [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "No registered entity changed on the platform; no sync run started")]
        public static partial void NoRun(ILogger logger);

        [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Sync run {RunId}: {Entities} entities in {Batches} batches")]
        public static partial void RunStarted(ILogger logger, string runId, int entities, int batches);

        [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "Sync run {RunId} batch {BatchNumber}: {Synced} synced, {Failed} failed, {Opened} cases opened, {Updated} updated")]
        public static partial void BatchSynced(ILogger logger, string runId, int batchNumber, int synced, int failed, int opened, int updated);
    }
}
