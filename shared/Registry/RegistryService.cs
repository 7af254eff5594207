using DisclosurePipeline.Auth;
using DisclosurePipeline.Cases;
using DisclosurePipeline.Configuration;
using DisclosurePipeline.Domain;
using DisclosurePipeline.Storage;
using DisclosurePipeline.Sync;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DisclosurePipeline.Registry;

/// <summary>
/// The registry's lifecycle for staff: the import (which starts a sync of what it added), the lookup, deactivation
/// and reactivation, and an entity's supplier keys. Deactivation keeps everything (cases, plans, history, keys);
/// it only takes the entity out of the sync, the alerts, the progress figures and the supplier sign-in.
/// </summary>
public sealed partial class RegistryService(
    IEntityStore entities,
    RegistryImport import,
    SyncScheduler scheduler,
    SupplierKeyService keys,
    CaseService cases,
    ISyncRunStore runs,
    IHistoryStore history,
    IOptions<TargetsOptions> targets,
    IOptions<PipelineOptions> pipeline,
    TimeProvider clock,
    ILogger<RegistryService> logger)
{
    /// <summary>
    /// Imports the CSV (see <see cref="RegistryImport"/>) and, when it created entities or found active ones never
    /// synced, starts a sync run of exactly those at once, so they are synced within minutes rather than at the next
    /// full sync. Should starting the run fail, the entities stay never-synced and the next hourly tick picks them up.
    /// </summary>
    public async Task<RegistryImportOutcome> ImportAsync(Stream csv, CancellationToken cancellationToken)
    {
        var result = await import.ImportAsync(csv, cancellationToken).ConfigureAwait(false);
        SyncRun? run = null;
        if (result.SyncNeeded.Count > 0)
        {
            var scope = $"import: {result.Created} created, {result.SyncNeeded.Count - result.Created} never synced";
            run = await scheduler.StartRunAsync(result.SyncNeeded, SyncRunReason.Import, scope, cancellationToken).ConfigureAwait(false);
        }

        Log.Imported(logger, result.Created, result.Updated, result.Unchanged, result.Rejected.Count, run?.EntitiesTotal ?? 0, run?.RunId);
        return new RegistryImportOutcome(result, run);
    }

    /// <summary>One page of the registry matching <paramref name="query"/>, in stored order, with the next page's token.</summary>
    public async Task<RegistryPage> ListPageAsync(RegistryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var coverage = (await runs.ListCoverageAsync(cancellationToken).ConfigureAwait(false)).ToLookup(c => c.Shard, StringComparer.Ordinal);
        var page = new List<RegisteredEntity>(Math.Min(query.Limit, 64));
        var more = false;
        await foreach (var entity in entities.ScanAsync(query.After, cancellationToken).ConfigureAwait(false))
        {
            if (!query.Matches(entity))
            {
                continue;
            }

            if (page.Count == query.Limit)
            {
                more = true;
                break;
            }

            page.Add(entity);
        }

        return new RegistryPage(
            [.. page.Select(e => EntityView.From(e, LastSynced(e, coverage)))],
            more ? query.TokenAfter(page[^1]) : null);
    }

    /// <summary>One entity in full, or null when it is not registered.</summary>
    public async Task<EntityDetail?> GetAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var entity = await entities.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (entity is null)
        {
            return null;
        }

        var keysTask = keys.ListAsync(id, cancellationToken);
        var casesTask = cases.ListAsync(null, id, cancellationToken);
        var coverageTask = runs.ListCoverageAsync(cancellationToken);
        await Task.WhenAll(keysTask, casesTask, coverageTask).ConfigureAwait(false);

        var year = targets.Value.YearAt(clock.GetUtcNow(), pipeline.Value.ResolveZone());
        var synced = entity.DisclosureYear == year;
        DisclosureView View(DisclosureStatus s) => synced ? new DisclosureView(s.State, s.CompletedAt) : new DisclosureView(null, null);
        var statuses = (await casesTask.ConfigureAwait(false)).Select(c => c.Status).ToList();
        int Count(CaseStatus s) => statuses.Count(x => x == s);
        var view = EntityView.From(entity, LastSynced(entity, (await coverageTask.ConfigureAwait(false)).ToLookup(c => c.Shard, StringComparer.Ordinal)));
        return new EntityDetail(
            view.Id, view.Name, view.Kind, view.Tier, view.Region, view.ContactEmail, view.Status, view.StatusChangedAt, view.LastSyncedAt,
            new DisclosuresView(year, View(entity.Prtr), View(entity.Carbon), synced && entity.NotOnPlatform),
            new CaseCountsView(Count(CaseStatus.Open), Count(CaseStatus.Overdue), Count(CaseStatus.PlanSubmitted), Count(CaseStatus.PlanApproved), Count(CaseStatus.Removed), statuses.Count),
            [.. (await keysTask.ConfigureAwait(false)).Select(KeyView.From)]);
    }

    /// <summary>Deactivates an entity (it left the programme) and records <c>entity_deactivated</c>; nothing else about it is changed or removed.</summary>
    public Task<EntityStatusChange> DeactivateAsync(string id, string actor, CancellationToken cancellationToken) =>
        SetStatusAsync(id, active: false, actor, cancellationToken);

    /// <summary>Reactivates an entity, records <c>entity_reactivated</c> and starts a sync run of it (it was not synced while inactive).</summary>
    public Task<EntityStatusChange> ReactivateAsync(string id, string actor, CancellationToken cancellationToken) =>
        SetStatusAsync(id, active: true, actor, cancellationToken);

    /// <summary>Issues a supplier key for an active registered entity.</summary>
    public async Task<KeyIssue> IssueKeyAsync(string id, string actor, CancellationToken cancellationToken)
    {
        var entity = await entities.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (entity is null)
        {
            return new KeyIssue(KeyIssueStatus.NotRegistered, null);
        }

        if (!entity.Active)
        {
            return new KeyIssue(KeyIssueStatus.Inactive, null);
        }

        var issued = await keys.IssueAsync(id, actor, cancellationToken).ConfigureAwait(false);
        return issued is null ? new KeyIssue(KeyIssueStatus.NotRegistered, null) : new KeyIssue(KeyIssueStatus.Issued, issued);
    }

    /// <summary>An entity's keys, oldest first; null when the entity is not registered.</summary>
    public async Task<IReadOnlyList<KeyView>?> ListKeysAsync(string id, CancellationToken cancellationToken)
    {
        if (await entities.GetAsync(id, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        return [.. (await keys.ListAsync(id, cancellationToken).ConfigureAwait(false)).Select(KeyView.From)];
    }

    /// <summary>Revokes one of an entity's keys (effective on the next request everywhere).</summary>
    public Task<KeyRevocation> RevokeKeyAsync(string id, string keyId, string actor, CancellationToken cancellationToken) =>
        keys.RevokeAsync(id, keyId, actor, cancellationToken);

    private async Task<EntityStatusChange> SetStatusAsync(string id, bool active, string actor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(actor);
        var entity = await entities.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (entity is null)
        {
            return new EntityStatusChange(null, false, null);
        }

        if (entity.Active == active)
        {
            return new EntityStatusChange(entity, false, null);
        }

        var now = clock.GetUtcNow();
        if (!await entities.SaveStatusAsync(id, active, now, cancellationToken).ConfigureAwait(false))
        {
            return new EntityStatusChange(null, false, null);
        }

        var changed = entity with { Active = active, StatusChangedAt = now };
        await history.AppendAsync(
            [new HistoryEvent(id, now, actor, active ? HistoryEvents.EntityReactivated : HistoryEvents.EntityDeactivated, null, null)],
            cancellationToken).ConfigureAwait(false);
        SyncRun? run = null;
        if (active)
        {
            run = await scheduler.StartRunAsync([id], SyncRunReason.Reactivation, "reactivated by " + actor, cancellationToken).ConfigureAwait(false);
            Log.Reactivated(logger, id, run.RunId);
        }
        else
        {
            Log.Deactivated(logger, id);
        }

        return new EntityStatusChange(changed, true, run);
    }

    private static DateTimeOffset? LastSynced(RegisteredEntity entity, ILookup<string, SyncCoverage> coverage) =>
        entity.LastSyncedAt is { } written && SyncCoverage.LatestFor(entity.Id, coverage) is { } covered && covered > written ? covered : entity.LastSyncedAt;

    private static partial class Log
    {
        [LoggerMessage(EventId = 4201, Level = LogLevel.Information, Message = "Registry import: {Created} created, {Updated} updated, {Unchanged} unchanged, {Rejected} rejected; {Queued} queued for sync in run {RunId}")]
        public static partial void Imported(ILogger logger, int created, int updated, int unchanged, int rejected, int queued, string? runId);

        [LoggerMessage(EventId = 4202, Level = LogLevel.Information, Message = "Entity {SupplierId} deactivated")]
        public static partial void Deactivated(ILogger logger, string supplierId);

        [LoggerMessage(EventId = 4203, Level = LogLevel.Information, Message = "Entity {SupplierId} reactivated; sync run {RunId} started for it")]
        public static partial void Reactivated(ILogger logger, string supplierId, string runId);
    }
}
