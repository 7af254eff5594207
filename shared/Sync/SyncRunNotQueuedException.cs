namespace DisclosurePipeline.Sync;

/// <summary>A run was stored but not all of its batches could be queued; the run has been marked failed (when storage allowed).</summary>
public sealed class SyncRunNotQueuedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SyncRunNotQueuedException(string runId, Exception innerException)
        : base($"sync run {runId} was stored but not all of its batches could be queued", innerException) => RunId = runId;

    /// <summary>Creates the exception.</summary>
    public SyncRunNotQueuedException() : this("unknown", new InvalidOperationException()) { }

    /// <summary>Creates the exception.</summary>
    public SyncRunNotQueuedException(string message) : base(message) => RunId = "unknown";

    /// <summary>The run.</summary>
    public string RunId { get; }
}
