using DisclosurePipeline.Storage;

namespace DisclosurePipeline.Sync;

/// <summary>How much of a finished run got through (<c>outcome</c> of <c>GET /api/sync-runs/latest</c>).</summary>
public enum SyncRunOutcome
{
    /// <summary>Every entity of the run was synced.</summary>
    AllSynced,

    /// <summary>Some entities were synced and some were not.</summary>
    Partial,

    /// <summary>No entity was synced (every one failed, or the tick failed before any was queued).</summary>
    NoneSynced,
}

/// <summary>Reads a run's outcome from its status and counters.</summary>
public static class SyncRunOutcomes
{
    /// <summary>The outcome of a finished run; null while it is running.</summary>
    public static SyncRunOutcome? Of(SyncRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Status == SyncRunStatus.Running)
        {
            return null;
        }

        if (run.Status == SyncRunStatus.Completed && run.EntitiesFailed == 0 && run.EntitiesSynced >= run.EntitiesTotal)
        {
            return SyncRunOutcome.AllSynced;
        }

        return run.EntitiesSynced == 0 ? SyncRunOutcome.NoneSynced : SyncRunOutcome.Partial;
    }
}
