using DisclosurePipeline.Functions.Http;
using DisclosurePipeline.Storage;
using DisclosurePipeline.Sync;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace DisclosurePipeline.Functions;

/// <summary>The supplier sync: the hourly schedule, one batch per queue message, the batches that keep failing, the latest run.</summary>
/// <remarks>The services log what each run and batch did; the host logs each invocation.</remarks>
internal sealed class SyncFunctions(ScheduledSync sync, SyncBatchProcessor processor, ISyncRunStore runs, TimeProvider clock)
{
    /// <summary>
    /// Timer, hourly (UTC): a full sync of the registry once a day at <see cref="ScheduledSync.FullSyncHourUtc"/>
    /// (or whenever the last full sync is too old), change-feed runs in between. Batches go to <c>sync-batches</c>.
    /// </summary>
    [Function(nameof(ScheduleSupplierSync))]
    public async Task ScheduleSupplierSync([TimerTrigger("0 0 * * * *", UseMonitor = true)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        await sync.RunAsync(forceFull: clock.GetUtcNow().Hour == ScheduledSync.FullSyncHourUtc, cancellationToken);
    }

    /// <summary>
    /// Queue <c>sync-batches</c>: syncs one batch. A failure fails the invocation, so the host delivers the message
    /// again; after <c>maxDequeueCount</c> deliveries it moves it to <c>sync-batches-poison</c>, where
    /// <see cref="RecordFailedSyncBatch"/> counts the batch as failed in its run.
    /// </summary>
    [Function(nameof(SyncSupplierBatch))]
    public async Task SyncSupplierBatch([QueueTrigger(StorageNames.SyncBatchesQueue)] SyncBatchMessage batch, CancellationToken cancellationToken) =>
        await processor.ProcessAsync(Checked(batch), cancellationToken);

    /// <summary>
    /// Queue <c>sync-batches-poison</c>: a batch whose every delivery failed is recorded as failed in its run (its
    /// entities count in <c>entitiesFailed</c>, the run can finish). Recording is idempotent (one row per run and batch).
    /// Bound as text, so a message that is not a sync batch at all is recorded in <c>RejectedMessages</c> rather than failing again.
    /// </summary>
    [Function(nameof(RecordFailedSyncBatch))]
    public async Task RecordFailedSyncBatch([QueueTrigger(StorageNames.SyncBatchesQueue + "-poison")] string message, CancellationToken cancellationToken) =>
        await processor.RecordFailedAsync(message, cancellationToken);

    /// <summary>
    /// <c>GET /api/sync-runs/latest</c> — staff: the most recently started sync run (or failed tick) and its counters,
    /// with its <c>outcome</c> once finished and, for a failed one, its <c>error</c>.
    /// </summary>
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
                outcome = SyncRunOutcomes.Of(run),
                error = run.Error,
                batchesTotal = run.BatchesTotal,
                batchesDone = run.BatchesDone,
                reason = run.Reason,
                scope = run.Scope,
            });
    }

    /// <summary>A message that bound but lacks what a batch needs fails its delivery like an unreadable one.</summary>
    private static SyncBatchMessage Checked(SyncBatchMessage? batch) =>
        batch is { RunId.Length: > 0, Shard.Length: > 0, Ids: not null }
            ? batch
            : throw new InvalidOperationException("the queue message is not a sync batch (runId, shard and ids are required)");

}
