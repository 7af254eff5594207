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
/// <param name="Requeued">Earlier alerts (or a stuck daily digest) queued again: never picked up for delivery, or whose deliveries all failed.</param>
public sealed record SweepOutcome(int CasesChecked, int Raised, int AlreadyRaised, int Requeued)
{
    /// <summary>The id of the daily digest this sweep built, or null.</summary>
    public string? DigestBuilt { get; init; }

    /// <summary>How many alerts the digest this sweep built covers (0 without one).</summary>
    public int DigestAlerts { get; init; }
}

/// <summary>
/// Raises the alerts that apply now (<see cref="CaseRules.AlertsDue"/>) for every case. Each alert is stored first,
/// keyed by its deterministic id, and queued for delivery only when this sweep stored it, so a sweep run twice (or two
/// sweeps at once) raises and queues each alert once. An alert stored by a sweep that died before queueing it is
/// queued again by a later sweep, once it is <see cref="RequeueAfter"/> old and no delivery has ever claimed it. An alert
/// whose deliveries all failed (its message went to <c>alerts-poison</c>, say while the receiver was down) is queued
/// again while it is still due, at most once per <see cref="RedeliverAfter"/>, so a receiver that comes back gets it.
/// Alerts are queued by their route (<see cref="AlertRouting"/>): with <c>Alerts__Digest</c> set, <c>plan_overdue</c>
/// alerts are stored but not queued, and the sweep then builds the day's digest (<see cref="AlertDigests"/>).
/// </summary>
public sealed partial class AlertSweep(
    ICaseStore cases,
    IPlanStore plans,
    IEntityStore entities,
    IAlertStore alerts,
    IWorkQueue queue,
    AlertDigests digests,
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
            if (entity is { Active: false })
            {
                // A deactivated entity's cases are kept but raise nothing (and stored alerts of it are not queued again).
                continue;
            }

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
        var options = alertsOptions.Value;
        await Parallel.ForEachAsync(
            due,
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (alert, ct) =>
            {
                var route = AlertRouting.RouteOf(alert.Type, options);
                if (existing.TryGetValue(alert.AlertId, out var stored))
                {
                    Interlocked.Increment(ref already);
                    if (HasReceiver(stored, route, options) && NeedsRequeue(stored, now))
                    {
                        await queue.EnqueueAsync(StorageNames.AlertsQueue, new AlertMessage(alert.AlertId), ct).ConfigureAwait(false);
                        Interlocked.Increment(ref requeued);
                    }

                    return;
                }

                // Stored first: only the sweep whose insert succeeds queues the delivery (none when the digest lists it).
                if (await alerts.TryAddAsync(alert, ct).ConfigureAwait(false))
                {
                    if (route != AlertRoute.Digest)
                    {
                        await queue.EnqueueAsync(StorageNames.AlertsQueue, new AlertMessage(alert.AlertId), ct).ConfigureAwait(false);
                    }

                    Interlocked.Increment(ref raised);
                    Log.Raised(logger, alert.AlertId, alert.Type, alert.SupplierId, alert.RecordId);
                }
                else
                {
                    Interlocked.Increment(ref already);
                }
            }).ConfigureAwait(false);

        // After this sweep's own alerts are stored: their RaisedAt is now, at or after any cutoff that has passed.
        var digest = await digests.SweepAsync(cancellationToken).ConfigureAwait(false);
        var outcome = new SweepOutcome(all.Count, raised, already, requeued + (digest.Requeued is null ? 0 : 1))
        {
            DigestBuilt = digest.Built?.DigestId,
            DigestAlerts = digest.Built?.AlertCount ?? 0,
        };
        Log.Swept(logger, outcome.CasesChecked, outcome.Raised, outcome.AlreadyRaised, outcome.Requeued);
        return outcome;
    }

    /// <summary>
    /// Whether a delivery that has not succeeded should be queued again: never picked up (its queueing was lost) once
    /// <see cref="RequeueAfter"/> old, or its last attempt failed <see cref="RedeliverAfter"/> ago or more and nobody is delivering it.
    /// An attempt that ended without posting and without failing (a reminder with no recipient) is never queued again.
    /// </summary>
    internal static bool NeedsRedelivery(int attempts, DateTimeOffset? lastAttemptAt, DateTimeOffset? lastFailedAt, DateTimeOffset createdAt, DateTimeOffset now) =>
        lastAttemptAt is null
        && (attempts == 0
            ? now - createdAt >= RequeueAfter
            : lastFailedAt is { } failed && now - failed >= RedeliverAfter);

    /// <summary>Whether the alert's route has somewhere to post it: a configured receiver and, for a supplier reminder, a recipient.</summary>
    private static bool HasReceiver(StoredAlert alert, AlertRoute route, AlertsOptions options) =>
        AlertRouting.ReceiverOf(route, options) is not null
        && (route != AlertRoute.Supplier || !string.IsNullOrWhiteSpace(alert.ContactEmail));

    /// <summary>
    /// Undelivered and nobody is delivering it: never picked up (its queueing was lost), or its last attempt failed
    /// long enough ago that the queue's own retries are over.
    /// </summary>
    private static bool NeedsRequeue(StoredAlert stored, DateTimeOffset now) =>
        stored.DeliveredAt is null && NeedsRedelivery(stored.Attempts, stored.LastAttemptAt, stored.LastFailedAt, stored.RaisedAt, now);

    private static partial class Log
    {
        [LoggerMessage(EventId = 4201, Level = LogLevel.Information, Message = "Alert {AlertId} raised: {Type} for {SupplierId}/{RecordId}")]
        public static partial void Raised(ILogger logger, string alertId, string type, string supplierId, string recordId);

        [LoggerMessage(EventId = 4202, Level = LogLevel.Information, Message = "Deadline sweep: {Cases} cases, {Raised} alerts raised, {Already} raised before, {Requeued} requeued")]
        public static partial void Swept(ILogger logger, int cases, int raised, int already, int requeued);
    }
}
