using System.Net.Sockets;
using Azure;

namespace DisclosurePipeline.Storage;

/// <summary>
/// Tells a storage outage (the account cannot be reached, answers 5xx, or does not answer in time) from other
/// failures, so that callers can answer "try again later" instead of "this request is wrong" or "this is a bug".
/// </summary>
public static class StorageFaults
{
    /// <summary>
    /// True for <see cref="RequestFailedException"/> with no HTTP status (no answer) or a 5xx, transport errors
    /// (<see cref="HttpRequestException"/>, <see cref="SocketException"/>, <see cref="IOException"/>), timeouts
    /// (<see cref="TimeoutException"/>, or a cancellation nobody asked for), and the SDK's "retry failed"
    /// <see cref="AggregateException"/> when every attempt failed that way.
    /// </summary>
    /// <param name="exception">What was thrown.</param>
    /// <param name="requestAborted">Whether the caller itself gave up (then a cancellation is not an outage).</param>
    public static bool IsOutage(Exception? exception, bool requestAborted = false) => exception switch
    {
        null => false,
        RequestFailedException failed => failed.Status == 0 || failed.Status >= 500,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0
            && aggregate.InnerExceptions.All(e => IsOutage(e, requestAborted)),
        HttpRequestException or SocketException or IOException or TimeoutException => true,
        OperationCanceledException => !requestAborted,
        _ => false,
    };
}
