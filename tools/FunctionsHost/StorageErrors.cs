using Azure;

namespace FunctionsHost;

/// <summary>
/// Storage calls that failed because storage was unreachable or refused: a <see cref="RequestFailedException"/>, a
/// transport error, or the SDK's <see cref="AggregateException"/> ("Retry failed after N tries") of those. The host
/// logs them and carries on (the next poll tries again), as the real host's listeners do, instead of stopping the listener.
/// </summary>
internal static class StorageErrors
{
    public static bool IsStorageFailure(Exception exception) => exception switch
    {
        RequestFailedException or HttpRequestException or IOException or TimeoutException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsStorageFailure),
        _ => false,
    };

    /// <summary>The HTTP status of a failed storage call, or null when there was no answer.</summary>
    public static int? Status(Exception exception) => exception switch
    {
        RequestFailedException { Status: > 0 } failed => failed.Status,
        AggregateException { InnerExceptions: [.., RequestFailedException { Status: > 0 } last] } => last.Status,
        _ => null,
    };

    /// <summary>A one-line description (the innermost message of the last attempt).</summary>
    public static string Describe(Exception exception) =>
        exception is AggregateException { InnerExceptions: [.., var last] } ? last.Message : exception.Message;
}
