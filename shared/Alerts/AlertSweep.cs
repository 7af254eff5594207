using DisclosurePipeline.Configuration;
using DisclosurePipeline.Domain;
using DisclosurePipeline.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DisclosurePipeline.Alerts;

/// <summary>What one sweep did.</summary>
/// <param name="CasesChecked">Cases looked at.</param>
/// <param name="Raised">Alerts stored (and queued for delivery) by this sweep.</param>
/// <param name="AlreadyRaised">Alerts that applied but were raised by an earlier sweep.</param>
/// <param name="Requeued">Earlier alerts queued again: never picked up for delivery, or whose deliveries all failed.</param>
public sealed record SweepOutcome(int CasesChecked, int Raised, int AlreadyRaised, int Requeued);

/// <summary>
/// Raises the alerts that apply now (<see cref="CaseRules.AlertsDue"/>) for every case. Each alert is stored first,
/// keyed by its deterministic id, and queued for delivery only when this sweep stored it, so a sweep run twice (or two
/// sweeps at once) raises and queues each alert once. An alert stored by a sweep that died before queueing it is
/// queued again by a later sweep, once it is <see cref="RequeueAfter"/> old and no delivery has ever claimed it. An alert
/// whose deliveries all failed (its message went to <c>alerts-poison</c>, say while the receiver was down) is queued
/// again while it is still due, at most once per <see cref="RedeliverAfter"/>, so a receiver that comes back gets it.
/// </summary>
public sealed partial class AlertSweep(
    ICaseStore cases,
    IPlanStore plans,
    IEntityStore entities,
    IAlertStore alerts,
    IWorkQueue queue,
    IOptions<PipelineOptions> pipelineOptions,
    IOptions<AlertsOptions> alertsOptions,
    TimeProvider clock,
    ILogger<AlertSweep> logger)
{
    /// <summary>How old an undelivered, never-attempted alert must be before a sweep queues it again.</summary>
    public static readonly TimeSpan RequeueAfter = TimeSpan.FromMinutes(15);

    /// <summary>How long after its last failed delivery an undelivered alert is queued again.</summary>
    public static readonly TimeSpan RedeliverAfter = TimeSpan.FromHours(1);

    /// <summary>Sweeps every case once.</summary>
    public async Task<SweepOutcome> SweepAsync(CancellationToken cancellationToken)
    {
        var casesTask = cases.ListAllAsync(cancellationToken);
        var plansTask = plans.ListAllAsync(cancellationToken);
        var entitiesTask = entities.ListAsync(cancellationToken);
        var alertsTask = alerts.ListAsync(null, cancellationToken);
        await Task.WhenAll(casesTask, plansTask, entitiesTask, alertsTask).ConfigureAwait(false);

        var now = clock.GetUtcNow();
        var today = CaseRules.Today(clock, pipelineOptions.Value.ResolveZone());
        var plansByCase = (await plansTask.ConfigureAwait(false)).ToLookup(p => (p.SupplierId, p.RecordId));
        var entityById = (await entitiesTask.ConfigureAwait(false)).ToDictionary(e => e.Id, StringComparer.Ordinal);
        var existing = (await alertsTask.ConfigureAwait(false)).ToDictionary(a => a.AlertId, StringComparer.Ordinal);
        var all = await casesTask.ConfigureAwait(false);

        var due = new List<StoredAlert>();
        foreach (var c in all)
        {
            var entity = entityById.GetValueOrDefault(c.SupplierId);
            foreach (var alert in CaseRules.AlertsDue(c, [.. plansByCase[(c.SupplierId, c.RecordId)]], today))
            {
                due.Add(new StoredAlert(
                    alert.AlertId, alert.Type, c.SupplierId, entity?.Name ?? "", entity?.Kind ?? EntityKind.Supplier, c.RecordId,
                    c.PublishedAt, alert.PlanDueOn, alert.DaysOverdue, entity?.ContactEmail, now));
            }
        }

        var raised = 0;
        var already = 0;
        var requeued = 0;
        var webhook = alertsOptions.Value.WebhookUrl is not null;
        await Parallel.ForEachAsync(
            due,
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (alert, ct) =>
            {
                if (existing.TryGetValue(alert.AlertId, out var stored))
                {
                    Interlocked.Increment(ref already);
                    if (webhook && NeedsRequeue(stored, now))
                    {
                        await queue.EnqueueAsync(StorageNames.AlertsQueue, new AlertMessage(alert.AlertId), ct).ConfigureAwait(false);
                        Interlocked.Increment(ref requeued);
                    }

                    return;
                }

                // Stored first: only the sweep whose insert succeeds queues the delivery.
                if (await alerts.TryAddAsync(alert, ct).ConfigureAwait(false))
                {
                    await queue.EnqueueAsync(StorageNames.AlertsQueue, new AlertMessage(alert.AlertId), ct).ConfigureAwait(false);
                    Interlocked.Increment(ref raised);
                    Log.Raised(logger, alert.AlertId, alert.Type, alert.SupplierId, alert.RecordId);
                }
                else
                {
                    Interlocked.Increment(ref already);
                }
            }).ConfigureAwait(false);

        var outcome = new SweepOutcome(all.Count, raised, already, requeued);
        Log.Swept(logger, outcome.CasesChecked, outcome.Raised, outcome.AlreadyRaised, outcome.Requeued);
        return outcome;
    }

    /// <summary>
    /// Undelivered and nobody is delivering it: never picked up (its queueing was lost), or its last attempt failed
    /// long enough ago that the queue's own retries are over.
    /// </summary>
    private static bool NeedsRequeue(StoredAlert stored, DateTimeOffset now) =>
        stored.DeliveredAt is null && stored.LastAttemptAt is null
        && (stored.Attempts == 0
            ? now - stored.RaisedAt >= RequeueAfter
            : stored.LastFailedAt is { } failed && now - failed >= RedeliverAfter);

    private static partial class Log
    {
        [LoggerMessage(EventId = 4201, Level = LogLevel.Information, Message = "Alert {AlertId} raised: {Type} for {SupplierId}/{RecordId}")]
        public static partial void Raised(ILogger logger, string alertId, string type, string supplierId, string recordId);

        [LoggerMessage(EventId = 4202, Level = LogLevel.Information, Message = "Deadline sweep: {Cases} cases, {Raised} alerts raised, {Already} raised before, {Requeued} requeued")]
        public static partial void Swept(ILogger logger, int cases, int raised, int already, int requeued);
    }
}
