using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace FunctionsHost;

/// <summary>What the host writes to the terminal, worded like Core Tools' output.</summary>
internal static partial class HostLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Executing 'Functions.{FunctionName}' (Reason='{Reason}', Id={InvocationId})")]
    public static partial void Executing(ILogger logger, string functionName, string reason, Guid invocationId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Executed 'Functions.{FunctionName}' (Succeeded, Id={InvocationId}, Duration={DurationMs}ms)")]
    public static partial void Succeeded(ILogger logger, string functionName, Guid invocationId, long durationMs);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Executed 'Functions.{FunctionName}' (Failed, Id={InvocationId}, Duration={DurationMs}ms)\n  {Error}")]
    public static partial void Failed(ILogger logger, string functionName, Guid invocationId, long durationMs, string error);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "{Line}")]
    public static partial void FunctionLog(ILogger logger, string line);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Trigger Details: MessageId: {MessageId}, DequeueCount: {DequeueCount}, InsertedOn: {InsertedOn:o}")]
    public static partial void QueueTriggerDetails(ILogger logger, string messageId, int dequeueCount, DateTimeOffset? insertedOn);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Message '{MessageId}' has reached MaxDequeueCount of {MaxDequeueCount}. Moving message to queue '{PoisonQueue}'.")]
    public static partial void MovedToPoison(ILogger logger, string messageId, int maxDequeueCount, string poisonQueue);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Message '{MessageId}' on '{Queue}' is not valid base64. Moving message to queue '{PoisonQueue}'.")]
    public static partial void NotBase64(ILogger logger, string messageId, string queue, string poisonQueue);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Polling queue '{Queue}' failed: {Error}")]
    public static partial void PollFailed(ILogger logger, string queue, string error);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "{Line}")]
    public static partial void HandlerOutput(ILogger logger, string line);

    [LoggerMessage(EventId = 10, Level = LogLevel.Error, Message = "{Line}")]
    public static partial void HandlerError(ILogger logger, string line);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Started the custom handler (pid {ProcessId}) on port {Port}: {Command}")]
    public static partial void HandlerStarted(ILogger logger, int processId, int port, string command);

    [LoggerMessage(EventId = 12, Level = LogLevel.Error, Message = "The custom handler exited with code {ExitCode}; restarting it ({Errors} error(s) in the last 30 minutes).")]
    public static partial void HandlerExited(ILogger logger, int exitCode, int errors);

    [LoggerMessage(EventId = 13, Level = LogLevel.Critical, Message = "{Reason} Stopping the host.")]
    public static partial void HandlerGaveUp(ILogger logger, string reason);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "The timer '{FunctionName}' is past due (its next run was {Next:o}); running it now.")]
    public static partial void PastDue(ILogger logger, string functionName, DateTimeOffset next);

    [LoggerMessage(EventId = 15, Level = LogLevel.Information, Message = "The next 5 occurrences of the '{FunctionName}' schedule ({Schedule}) will be:\n{Occurrences}")]
    public static partial void NextOccurrences(ILogger logger, string functionName, string schedule, string occurrences);

    [LoggerMessage(EventId = 16, Level = LogLevel.Warning, Message = "Skipped a run of the timer '{FunctionName}': the previous run is still going.")]
    public static partial void TimerBusy(ILogger logger, string functionName);

    [LoggerMessage(EventId = 17, Level = LogLevel.Warning, Message = "The timer '{FunctionName}' could not read or write its schedule status: {Error}")]
    public static partial void ScheduleStatusFailed(ILogger logger, string functionName, string error);

    [LoggerMessage(EventId = 18, Level = LogLevel.Warning, Message = "The request body was not forwarded: the request has no Content-Length (the real host forwards bodies only when Content-Length > 0).")]
    public static partial void ChunkedBodyDropped(ILogger logger);

    [LoggerMessage(EventId = 20, Level = LogLevel.Error, Message = "'{FunctionName}' failed outside an invocation: {Error}")]
    public static partial void ListenerFailed(ILogger logger, string functionName, string error);

    [LoggerMessage(EventId = 19, Level = LogLevel.Error, Message = "Processing a message on '{Queue}' failed in the host: {Error}")]
    public static partial void QueueProcessingError(ILogger logger, string queue, string error);
}

/// <summary>Core Tools' terminal format: <c>[timestamp] message</c>, errors in red, warnings in yellow.</summary>
internal sealed class FuncConsoleFormatter : ConsoleFormatter
{
    public const string FormatterName = "func";
    private readonly TimeProvider clock;
    private readonly bool colors = !Console.IsOutputRedirected;

    public FuncConsoleFormatter(TimeProvider clock, IOptionsMonitor<ConsoleFormatterOptions> options)
        : base(FormatterName)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.clock = clock;
    }

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
        {
            return;
        }

        var (start, end) = colors ? logEntry.LogLevel switch
        {
            >= LogLevel.Error => ("\u001b[31m", "\u001b[0m"),
            LogLevel.Warning => ("\u001b[33m", "\u001b[0m"),
            _ => ("", ""),
        } : ("", "");
        var prefix = logEntry.Category.StartsWith("Handler", StringComparison.Ordinal) ? "[handler] " : "";
        textWriter.Write($"[{clock.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ}] {start}{prefix}{message}");
        if (logEntry.Exception is not null)
        {
            textWriter.Write(Environment.NewLine + logEntry.Exception);
        }

        textWriter.WriteLine(end);
    }
}

/// <summary>Loggers by the categories the terminal output uses.</summary>
internal sealed class HostLoggers(ILoggerFactory factory)
{
    public ILogger Host { get; } = factory.CreateLogger("Host");

    public ILogger Handler { get; } = factory.CreateLogger("Handler");

    public ILogger Function(string name) => factory.CreateLogger("Function." + name);

    public static HostLoggers None { get; } = new(NullLoggerFactory.Instance);
}
