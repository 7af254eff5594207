using System.Text.Json;
using DisclosurePipeline.Cases;
using DisclosurePipeline.Configuration;
using DisclosurePipeline.Domain;
using DisclosurePipeline.PublicData;
using DisclosurePipeline.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DisclosurePipeline.Sync;

/// <summary>
/// Syncs one batch: fetches the batch's records and disclosures from the platform, reads what is
/// stored once (one range query per table), diffs in memory and writes only what changed. Running
/// the same batch twice leaves exactly the same stored state.
/// </summary>
public sealed partial class SyncBatchProcessor(
    IPublicDataClient platform,
    IEntityStore entities,
    ICaseStore cases,
    ISyncRunStore runs,
    IHistoryStore history,
    IRejectedMessageStore rejected,
    IOptions<PipelineOptions> pipelineOptions,
    TimeProvider clock,
    ILogger<SyncBatchProcessor> logger)
{
    private readonly TimeZoneInfo zone = pipelineOptions.Value.ResolveZone();
    private readonly int planDeadlineDays = pipelineOptions.Value.PlanDeadlineDays;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Processes the batch and records its outcome in its run. A batch that does not match a run it belongs to (see
    /// <see cref="RefusalAsync"/>) is recorded in <c>RejectedMessages</c>, never counted, and not processed: the
    /// outcome is all zeros and the message completes, since no delivery of it could ever succeed.
    /// </summary>
    public async Task<SyncBatchOutcome> ProcessAsync(SyncBatchMessage batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (await RefusalAsync(batch, cancellationToken) is { } reason)
        {
            await RejectAsync(StorageNames.SyncBatchesQueue, JsonSerializer.Serialize(batch, Json), reason, cancellationToken);
            return new SyncBatchOutcome(0, 0, 0, 0, 0);
        }

        if (batch.Ids.Count == 0)
        {
            return await RecordAsync(batch, new SyncBatchOutcome(0, 0, 0, 0, 0), cancellationToken);
        }

        var ids = batch.Ids.Order(StringComparer.Ordinal).ToArray();
        var first = ids[0];
        var last = ids[^1];

        var recordsTask = platform.QueryViolationsAsync(ids, cancellationToken);
        var disclosuresTask = platform.QueryDisclosuresAsync(ids, batch.Year, cancellationToken);
        var storedEntitiesTask = entities.ListRangeAsync(batch.Shard, first, last, cancellationToken);
        var storedCasesTask = cases.ListRangeAsync(batch.Shard, first, last, cancellationToken);
        await Task.WhenAll(recordsTask, disclosuresTask, storedEntitiesTask, storedCasesTask);

        var outcome = await ApplyAsync(
            ids,
            batch.Year,
            await recordsTask,
            await disclosuresTask,
            [.. (await storedEntitiesTask).Where(e => e.Active)],
            await storedCasesTask,
            cancellationToken);

        // Both bookkeeping writes at once: they go to different partitions and neither depends on the other.
        var coverage = runs.RecordCoverageAsync(new SyncCoverage(batch.Shard, first, last, clock.GetUtcNow()), cancellationToken);
        var recorded = RecordAsync(batch, outcome, cancellationToken);
        await Task.WhenAll(coverage, recorded);
        return await recorded;
    }

    /// <summary>
    /// Records a message of <c>sync-batches-poison</c>: a batch whose every delivery failed counts all its entities as
    /// failed in its run. A message that is not a sync batch, or a batch that does not match its run, is recorded in
    /// <c>RejectedMessages</c> instead and counted nowhere.
    /// </summary>
    public async Task RecordFailedAsync(string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        const string poison = StorageNames.SyncBatchesQueue + "-poison";
        SyncBatchMessage? batch;
        try
        {
            batch = JsonSerializer.Deserialize<SyncBatchMessage>(message, Json);
        }
        catch (JsonException ex)
        {
            await RejectAsync(poison, message, "not a sync batch: the message is not valid JSON (" + ex.Message + ")", cancellationToken);
            return;
        }

        if (batch is not { RunId.Length: > 0, Shard.Length: > 0, Ids: not null })
        {
            await RejectAsync(poison, message, "not a sync batch: runId, shard and ids are required", cancellationToken);
            return;
        }

        if (await RefusalAsync(batch, cancellationToken) is { } reason)
        {
            await RejectAsync(poison, message, reason, cancellationToken);
            return;
        }

        await RecordFailedAsync(batch, cancellationToken);
    }

    /// <summary>Records a batch that could not be processed at all (its last delivery failed): every entity counts as failed.</summary>
    public async Task RecordFailedAsync(SyncBatchMessage batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await runs.RecordBatchAsync(
            new SyncBatchResult(batch.RunId, batch.BatchNumber, 0, batch.Ids.Count, clock.GetUtcNow()),
            cancellationToken);
        Log.BatchFailed(logger, batch.RunId, batch.BatchNumber, batch.Ids.Count);
    }

    /// <summary>
    /// Why a batch cannot be one the scheduler sent, or null when it can: its run must exist, its number must be one of
    /// the run's (0 to <c>batchesTotal</c> − 1), and it must hold 1 to <see cref="SyncScheduler.BatchSize"/> distinct
    /// ids, every one a valid code of the batch's shard.
    /// </summary>
    public async Task<string?> RefusalAsync(SyncBatchMessage batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Ids is null || batch.Ids.Count is 0 or > SyncScheduler.BatchSize)
        {
            return $"a batch holds 1 to {SyncScheduler.BatchSize} ids, this one {batch.Ids?.Count ?? 0}";
        }

        if (batch.Ids.FirstOrDefault(id => id is null || !Uscc.IsValid(id) || Uscc.Shard(id) != batch.Shard) is { } stray)
        {
            return $"id '{stray}' is not a valid code of shard '{batch.Shard}'";
        }

        if (batch.Ids.Distinct(StringComparer.Ordinal).Count() != batch.Ids.Count)
        {
            return "the batch names an id twice";
        }

        // Only the run's size, not its batch rows: reading those for every batch would cost batches² rows per run.
        var total = string.IsNullOrEmpty(batch.RunId) ? null : await runs.GetBatchesTotalAsync(batch.RunId, cancellationToken);
        if (total is null)
        {
            return $"no sync run '{batch.RunId}'";
        }

        return batch.BatchNumber < 0 || batch.BatchNumber >= total
            ? $"run '{batch.RunId}' has batches 0 to {total - 1}, not {batch.BatchNumber}"
            : null;
    }

    private async Task RejectAsync(string queue, string text, string reason, CancellationToken cancellationToken)
    {
        Log.Rejected(logger, queue, reason);
        await rejected.RecordAsync(new RejectedMessage(queue, reason, text, clock.GetUtcNow()), cancellationToken);
    }

    private async Task<SyncBatchOutcome> ApplyAsync(
        IReadOnlyList<string> ids,
        int year,
        ViolationQueryResult records,
        DisclosureQueryResult disclosures,
        IReadOnlyList<RegisteredEntity> storedEntities,
        IReadOnlyList<ViolationCase> storedCases,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var inBatch = ids.ToHashSet(StringComparer.Ordinal);
        var invalid = records.Invalid.Concat(disclosures.Invalid).Where(inBatch.Contains).ToHashSet(StringComparer.Ordinal);
        var notFound = records.NotFound.Concat(disclosures.NotFound).Where(inBatch.Contains).ToHashSet(StringComparer.Ordinal);
        var disclosureById = disclosures.Items.ToDictionary(d => d.EnterpriseId, StringComparer.Ordinal);

        var entityChanges = new List<RegisteredEntity>();
        foreach (var stored in storedEntities)
        {
            if (!inBatch.Contains(stored.Id) || invalid.Contains(stored.Id))
            {
                continue;
            }

            var known = !notFound.Contains(stored.Id);
            var status = disclosureById.GetValueOrDefault(stored.Id);
            var synced = stored with
            {
                DisclosureYear = year,
                Prtr = known && status is not null ? status.Prtr : DisclosureStatus.None,
                Carbon = known && status is not null ? status.Carbon : DisclosureStatus.None,
                NotOnPlatform = !known,
            };
            if (synced != stored || stored.LastSyncedAt is null)
            {
                entityChanges.Add(synced with { LastSyncedAt = now });
            }
        }

        // Only registered, active entities get cases: an id in the batch that is no longer (or not yet) in the
        // registry, or was deactivated after the run started, is fetched but left alone.
        var registered = storedEntities.Select(e => e.Id).Where(inBatch.Contains).ToHashSet(StringComparer.Ordinal);
        var casesByKey = storedCases.ToDictionary(c => (c.SupplierId, c.RecordId));
        var opened = new List<ViolationCase>();
        var updated = new List<ViolationCase>();
        var events = new List<HistoryEvent>();
        foreach (var record in records.Records)
        {
            if (!registered.Contains(record.EnterpriseId))
            {
                continue;
            }

            if (!casesByKey.TryGetValue((record.EnterpriseId, record.RecordId), out var existing))
            {
                var due = PlanDeadline.DueOn(record.PublishedAt, zone, planDeadlineDays);
                opened.Add(ViolationCase.Open(record, due, now));
                events.Add(new HistoryEvent(record.EnterpriseId, now, Actors.Sync, HistoryEvents.CaseOpened, record.RecordId, null));
                if (record.Removed)
                {
                    events.Add(new HistoryEvent(record.EnterpriseId, now, Actors.Sync, HistoryEvents.CaseRemoved, record.RecordId, null));
                }
            }
            else if (!existing.HasSameRecord(record))
            {
                updated.Add(existing.WithRecord(record));
                if (existing.RecordRemoved != record.Removed)
                {
                    var change = record.Removed ? HistoryEvents.CaseRemoved : HistoryEvents.CaseRestored;
                    events.Add(new HistoryEvent(record.EnterpriseId, now, Actors.Sync, change, record.RecordId, null));
                }
            }
        }

        // Entity rows and cases are independent: written side by side.
        var entityWrites = entityChanges.Count > 0 ? entities.SaveSyncFieldsAsync(entityChanges, cancellationToken) : Task.CompletedTask;
        var caseWrites = opened.Count > 0 || updated.Count > 0 ? WriteCasesAsync(opened, updated, events, cancellationToken) : Task.CompletedTask;
        await Task.WhenAll(entityWrites, caseWrites);

        var failed = registered.Count(invalid.Contains);
        return new SyncBatchOutcome(registered.Count - failed, failed, entityChanges.Count, opened.Count, updated.Count);
    }

    private async Task WriteCasesAsync(List<ViolationCase> opened, List<ViolationCase> updated, List<HistoryEvent> events, CancellationToken cancellationToken)
    {
        await cases.ApplySyncAsync(opened, updated, cancellationToken);

        // After the cases: history never tells of a change that was not written. A batch redelivered after this
        // point finds its cases already changed and appends nothing again.
        await history.AppendAsync(events, cancellationToken);
    }

    private async Task<SyncBatchOutcome> RecordAsync(SyncBatchMessage batch, SyncBatchOutcome outcome, CancellationToken cancellationToken)
    {
        await runs.RecordBatchAsync(
            new SyncBatchResult(batch.RunId, batch.BatchNumber, outcome.EntitiesSynced, outcome.EntitiesFailed, clock.GetUtcNow()),
            cancellationToken);
        Log.BatchSynced(logger, batch.RunId, batch.BatchNumber, outcome.EntitiesSynced, outcome.EntitiesFailed, outcome.EntitiesWritten, outcome.CasesOpened, outcome.CasesUpdated);
        return outcome;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Sync run {RunId} batch {BatchNumber}: {Synced} synced, {Failed} failed, {EntitiesWritten} entities written, {CasesOpened} cases opened, {CasesUpdated} cases updated")]
        public static partial void BatchSynced(ILogger logger, string runId, int batchNumber, int synced, int failed, int entitiesWritten, int casesOpened, int casesUpdated);

        [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "A message of queue {Queue} was rejected and recorded in RejectedMessages: {Reason}")]
        public static partial void Rejected(ILogger logger, string queue, string reason);

        [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Sync run {RunId} batch {BatchNumber} failed on its last delivery: {Count} entities counted as failed")]
        public static partial void BatchFailed(ILogger logger, string runId, int batchNumber, int count);
    }
}
