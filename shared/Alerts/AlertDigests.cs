using DisclosurePipeline.Configuration;
using DisclosurePipeline.Domain;
using DisclosurePipeline.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DisclosurePipeline.Alerts;

/// <summary>
/// The daily digest to staff (<c>Alerts__Digest</c>). The sweep calls <see cref="SweepAsync"/>: once today's digest time
/// (in <c>Pipeline__TimeZone</c>) has passed and today's digest does not exist, it is built, stored first under its
/// deterministic id (<see cref="DigestSchedule.IdFor"/>), and queued on <c>alerts</c> only by the sweep that stored it.
/// A digest covers the <c>plan_overdue</c> alerts raised from where the previous stored digest stopped (its cutoff,
/// inclusive) to its own cutoff (exclusive): each alert falls in exactly one window, so it is listed in exactly one
/// digest. The first digest (none in the last <see cref="LookBackDays"/> days) covers every earlier overdue alert that
/// was not posted on its own. Only today's digest is ever built: after an outage, the next digest covers the whole gap.
/// </summary>
/// <remarks>
/// Windows are decided by <see cref="StoredAlert.RaisedAt"/>, the raising sweep's clock, and the digest is built by a
/// sweep after it has raised its own alerts (whose <c>RaisedAt</c> is at or after the cutoff), so windows are exact as
/// long as sweeps do not overlap, as the hourly timer guarantees.
/// </remarks>
public sealed partial class AlertDigests(
    IAlertStore alerts,
    ICaseStore cases,
    IWorkQueue queue,
    IOptions<PipelineOptions> pipelineOptions,
    IOptions<AlertsOptions> alertsOptions,
    TimeProvider clock,
    ILogger<AlertDigests> logger)
{
    /// <summary>How many days back a new digest looks for the previous one.</summary>
    public const int LookBackDays = 31;

    /// <summary>The schedule, or null when <c>Alerts__Digest</c> is not set.</summary>
    public DigestSchedule? Schedule =>
        alertsOptions.Value.ResolveDigest() is { } at ? new DigestSchedule(at, pipelineOptions.Value.ResolveZone()) : null;

    /// <summary>
    /// Builds and queues today's digest when it is due and missing; queues the latest digest again when its delivery is
    /// stuck (never picked up, or every attempt failed an hour ago or more). Returns what it did.
    /// </summary>
    public async Task<DigestSweepOutcome> SweepAsync(CancellationToken cancellationToken)
    {
        if (Schedule is not { } schedule)
        {
            return DigestSweepOutcome.None;
        }

        var now = clock.GetUtcNow();
        var day = schedule.LatestDueDay(now);
        var id = DigestSchedule.IdFor(day);
        if (await alerts.GetDigestAsync(id, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            if (existing.AlertCount > 0 && existing.DeliveredAt is null && alertsOptions.Value.WebhookUrl is not null
                && AlertSweep.NeedsRedelivery(existing.Attempts, existing.LastAttemptAt, existing.LastFailedAt, existing.BuiltAt, now))
            {
                await queue.EnqueueAsync(StorageNames.AlertsQueue, new AlertMessage(id), cancellationToken).ConfigureAwait(false);
                return DigestSweepOutcome.None with { Requeued = id };
            }

            return DigestSweepOutcome.None;
        }

        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, pipelineOptions.Value.ResolveZone()).DateTime);
        if (day != today)
        {
            // Today's time has not come yet and yesterday's digest was never built: wait for today's.
            return DigestSweepOutcome.None;
        }

        var previous = await PreviousAsync(day, cancellationToken).ConfigureAwait(false);
        var from = previous?.CoversUntil;
        var until = schedule.CutoffOf(day);
        var covered = await CoveredAsync(from, until, now, cancellationToken).ConfigureAwait(false);
        var digest = new StoredDigest(id, day, from, until, covered.Count, covered.Select(a => a.SupplierId).Distinct(StringComparer.Ordinal).Count(), now);
        if (!await alerts.TryAddDigestAsync(digest, cancellationToken).ConfigureAwait(false))
        {
            return DigestSweepOutcome.None;
        }

        if (digest.AlertCount > 0)
        {
            await queue.EnqueueAsync(StorageNames.AlertsQueue, new AlertMessage(id), cancellationToken).ConfigureAwait(false);
        }

        Log.Built(logger, id, digest.AlertCount, digest.SupplierCount);
        return DigestSweepOutcome.None with { Built = digest };
    }

    /// <summary>What a stored digest lists: its window's overdue alerts with their cases' authorities, grouped and ordered.</summary>
    public async Task<DigestContent> ContentAsync(StoredDigest digest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var coveredTask = CoveredAsync(digest.CoversFrom, digest.CoversUntil, digest.BuiltAt, cancellationToken);
        var casesTask = cases.ListAllAsync(cancellationToken);
        await Task.WhenAll(coveredTask, casesTask).ConfigureAwait(false);
        var authority = (await casesTask.ConfigureAwait(false))
            .ToDictionary(c => (c.SupplierId, c.RecordId), c => c.Authority);
        var options = alertsOptions.Value;
        var lines = (await coveredTask.ConfigureAwait(false)).Select(a => new AlertCase(
            a.AlertId, a.Type, a.SupplierId, a.SupplierName, a.Kind, a.RecordId, authority.GetValueOrDefault((a.SupplierId, a.RecordId)) ?? "",
            a.PlanDueOn, CaseRules.DaysOverdue(a.PlanDueOn, digest.Day), a.ContactEmail, AlertRouting.CaseLink(options, a.SupplierId, a.RecordId)));
        var zone = pipelineOptions.Value.ResolveZone();
        return new DigestContent(
            digest.DigestId,
            digest.Day,
            digest.CoversFrom is { } from ? TimeZoneInfo.ConvertTime(from, zone) : null,
            TimeZoneInfo.ConvertTime(digest.CoversUntil, zone),
            DigestContent.Group(lines),
            options.WorkbenchUrl);
    }

    private async Task<StoredDigest?> PreviousAsync(DateOnly day, CancellationToken cancellationToken)
    {
        for (var back = 1; back <= LookBackDays; back++)
        {
            if (await alerts.GetDigestAsync(DigestSchedule.IdFor(day.AddDays(-back)), cancellationToken).ConfigureAwait(false) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>
    /// The overdue alerts raised in [<paramref name="from"/>, <paramref name="until"/>); without <paramref name="from"/>,
    /// those not posted on their own before <paramref name="builtAt"/> (alerts from before digests were turned on).
    /// </summary>
    private async Task<List<StoredAlert>> CoveredAsync(DateTimeOffset? from, DateTimeOffset until, DateTimeOffset builtAt, CancellationToken cancellationToken)
    {
        var raised = await alerts.ListAsync(from, cancellationToken).ConfigureAwait(false);
        return [.. raised.Where(a =>
            a.Type == AlertTypes.PlanOverdue
            && a.RaisedAt < until
            && (from is not null || a.DeliveredAt is not { } delivered || delivered >= builtAt))];
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4211, Level = LogLevel.Information, Message = "Digest {DigestId} built: {Alerts} overdue alerts at {Suppliers} suppliers")]
        public static partial void Built(ILogger logger, string digestId, int alerts, int suppliers);
    }
}

/// <summary>What the digest part of one sweep did.</summary>
/// <param name="Built">The digest this sweep built and stored (queued when it lists anything), or null.</param>
/// <param name="Requeued">The id of a stuck digest queued again, or null.</param>
public sealed record DigestSweepOutcome(StoredDigest? Built, string? Requeued)
{
    /// <summary>Nothing done.</summary>
    public static DigestSweepOutcome None { get; } = new(null, null);
}
