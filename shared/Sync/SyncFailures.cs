using DisclosurePipeline.PublicData;
using DisclosurePipeline.Storage;

namespace DisclosurePipeline.Sync;

/// <summary>Why a sync tick or run failed, in words staff can act on: no stack traces, no connection details, no keys.</summary>
public static class SyncFailures
{
    /// <summary>One sentence about <paramref name="exception"/>.</summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            PublicDataException platform => $"The public data platform: {platform.Message}.",
            _ when StorageFaults.IsOutage(exception) => "Storage could not be reached (or did not answer in time).",
            _ => $"Unexpected error ({exception.GetType().Name}); the function app's log has the details.",
        };
    }
}
