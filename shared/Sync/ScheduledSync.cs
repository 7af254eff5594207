using System.Collections.Concurrent;
using DisclosurePipeline.PublicData;
using DisclosurePipeline.Storage;
using Microsoft.Extensions.Logging;

namespace DisclosurePipeline.Sync;

/// <summary>
/// What the <c>ScheduleSupplierSync</c> timer does: a full sync when none ran in the last
/// <see cref="FullSyncInterval"/> (or the change-feed cursor is missing or expired), otherwise an
/// incremental run of the active entities the platform's change feed names and those never synced yet. A tick that fails before a
/// run is started is recorded as a failed run (<see cref="SyncScheduler.RecordFailedTickAsync"/>); when even that
/// cannot be stored (storage down), it is kept in memory and stored by the next tick that reaches storage.
/// </summary>
public sealed partial class ScheduledSync(
    SyncScheduler scheduler,
    IPublicDataClient platform,
    IEntityStore entities,
    ISyncStateStore state,
    TimeProvider clock,
    ILogger<ScheduledSync> logger)
{
    /// <summary>How long a full sync's data is trusted before the next full sync.</summary>
    public static readonly TimeSpan FullSyncInterval = TimeSpan.FromHours(23);

    /// <summary>Most change-feed entries read per request.</summary>
    public const int ChangePageSize = 1000;

    /// <summary>The UTC hour of the nightly full sync: 18:00 UTC is 02:00 in Beijing.</summary>
    public const int FullSyncHourUtc = 18;

    /// <summary>Failed ticks not stored yet, oldest first (a singleton's memory: lost when the worker restarts).</summary>
    private readonly ConcurrentQueue<(DateTimeOffset TickAt, string Error)> unrecorded = new();

    /// <summary>
    /// Starts this tick's run; null when an incremental tick found nothing to sync. A tick never does less than the
    /// schedule would: whether it was fired by the timer or by hand, it is a full sync when one is due, and otherwise
    /// covers the active entities the change feed named plus every active entity never synced yet. A failure before
    /// the run started is recorded as a failed run, then thrown again (the invocation fails and the host logs it).
    /// </summary>
    public async Task<SyncRun?> RunAsync(bool forceFull, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var tick = new Tick();
        try
        {
            await RecordUnrecordedAsync(cancellationToken);
            return await TickAsync(now, forceFull, tick, cancellationToken);
        }
        catch (Exception ex) when (tick.Started is null && ex is not SyncRunNotQueuedException
            && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            Log.TickFailed(logger, now, ex);
            unrecorded.Enqueue((now, SyncFailures.Describe(ex)));
            await TryRecordUnrecordedAsync(cancellationToken);
            throw;
        }
    }

    private async Task TryRecordUnrecordedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RecordUnrecordedAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.TickNotRecorded(logger, unrecorded.Count, ex);
        }
    }

    private async Task RecordUnrecordedAsync(CancellationToken cancellationToken)
    {
        while (unrecorded.TryPeek(out var tick))
        {
            await scheduler.RecordFailedTickAsync(tick.TickAt, tick.Error, cancellationToken);
            unrecorded.TryDequeue(out _);
        }
    }

    private async Task<SyncRun?> TickAsync(DateTimeOffset now, bool forceFull, Tick tick, CancellationToken cancellationToken)
    {
        var current = await state.GetAsync(cancellationToken);
        var why = forceFull ? "nightly full sync"
            : current?.ChangeCursor is null ? "first sync (no change-feed cursor yet)"
            : current.LastFullRunAt is not { } last ? "no full sync recorded"
            : now - last >= FullSyncInterval ? $"full sync due (the last one started at {last:u})"
            : null;
        if (why is null)
        {
            try
            {
                return await RunIncrementalAsync(current!, tick, cancellationToken);
            }
            catch (ChangeCursorExpiredException)
            {
                Log.CursorExpired(logger);
                why = "the change-feed cursor expired";
            }
        }

        // Take the cursor before listing the registry: whatever changes during the full run is
        // picked up by the next incremental run (the feed is at-least-once; a repeat costs little).
        var cursor = (await platform.GetChangesAsync(null, 1, cancellationToken)).NextCursor;
        var run = tick.Started = await scheduler.StartFullRunAsync(why, cancellationToken);
        await state.SaveAsync(new SyncState(cursor, now), cancellationToken);
        return run;
    }

    private async Task<SyncRun?> RunIncrementalAsync(SyncState current, Tick tick, CancellationToken cancellationToken)
    {
        var changed = new HashSet<string>(StringComparer.Ordinal);
        var cursor = current.ChangeCursor;
        ChangePage page;
        do
        {
            page = await platform.GetChangesAsync(cursor, ChangePageSize, cancellationToken);
            foreach (var change in page.Changes)
            {
                changed.Add(change.EnterpriseId);
            }

            cursor = page.NextCursor;
        }
        while (page.HasMore);

        var ids = new List<string>();
        int named = 0, neverSynced = 0;
        foreach (var entry in await entities.ListEntriesAsync(cancellationToken))
        {
            if (!entry.Active)
            {
                continue;
            }

            if (changed.Contains(entry.Id))
            {
                named++;
                ids.Add(entry.Id);
            }
            else if (entry.LastSyncedAt is null)
            {
                neverSynced++;
                ids.Add(entry.Id);
            }
        }

        SyncRun? run = null;
        if (ids.Count > 0)
        {
            var scope = $"{named} active entities named by the change feed, {neverSynced} never synced";
            run = tick.Started = await scheduler.StartRunAsync(ids, SyncRunReason.Changes, scope, cancellationToken);
        }

        Log.Incremental(logger, changed.Count, named, neverSynced);
        await state.SaveAsync(current with { ChangeCursor = cursor }, cancellationToken);
        return run;
    }

    /// <summary>What one tick has done so far: a failure after its run started is the run's, not the tick's.</summary>
    private sealed class Tick
    {
        public SyncRun? Started { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "The change-feed cursor expired; falling back to a full sync")]
        public static partial void CursorExpired(ILogger logger);

        [LoggerMessage(EventId = 2012, Level = LogLevel.Information, Message = "Change feed named {Changed} enterprises; {Registered} active registered ones and {NeverSynced} never-synced ones enqueued")]
        public static partial void Incremental(ILogger logger, int changed, int registered, int neverSynced);

        [LoggerMessage(EventId = 2013, Level = LogLevel.Error, Message = "The scheduled sync tick of {TickAt} failed before starting a run")]
        public static partial void TickFailed(ILogger logger, DateTimeOffset tickAt, Exception exception);

        [LoggerMessage(EventId = 2014, Level = LogLevel.Warning, Message = "{Count} failed sync ticks could not be recorded yet; the next tick stores them")]
        public static partial void TickNotRecorded(ILogger logger, int count, Exception exception);
    }
}
