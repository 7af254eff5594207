using Microsoft.Extensions.Logging;

namespace DisclosurePipeline.PublicData;

/// <summary>What the public data client tells operators. Never keys, never payloads.</summary>
internal static partial class PublicDataLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning,
        Message = "Public data {Operation}: attempt {Attempt} failed ({Reason}); retrying in {Delay}")]
    public static partial void Retrying(ILogger logger, string operation, int attempt, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Error,
        Message = "Public data {Operation}: still failing ({Reason}) after {Attempts} attempts")]
    public static partial void GaveUp(ILogger logger, string operation, string reason, int attempts);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Error,
        Message = "Public data {Operation}: the platform refused the request with {Status} ({Title})")]
    public static partial void Refused(ILogger logger, string operation, int status, string title);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning,
        Message = "Public data circuit opened for {BreakDuration} after failures ({Reason})")]
    public static partial void CircuitOpened(ILogger logger, TimeSpan breakDuration, string reason);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Information, Message = "Public data circuit closed")]
    public static partial void CircuitClosed(ILogger logger);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning,
        Message = "Public data change feed: the cursor expired (410 Gone); a full sync is needed")]
    public static partial void CursorExpired(ILogger logger);
}
