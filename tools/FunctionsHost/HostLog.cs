using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace FunctionsHost;

/// <summary>What the host writes to the terminal, worded like Core Tools' output.</summary>
internal static partial class HostLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Executing 'Functions.{FunctionName}' (Reason='{Reason}', Id={InvocationId})")]
    public static partial void Executing(ILogger logger, string functionName, string reason, string invocationId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Executed 'Functions.{FunctionName}' (Succeeded, Id={InvocationId}, Duration={DurationMs}ms)")]
    public static partial void Succeeded(ILogger logger, string functionName, string invocationId, long durationMs);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Executed 'Functions.{FunctionName}' (Failed, Id={InvocationId}, Duration={DurationMs}ms)\n  {Error}")]
    public static partial void Failed(ILogger logger, string functionName, string invocationId, long durationMs, string error);

    [LoggerMessage(EventId = 4, Message = "{Line}")]
    public static partial void WorkerLog(ILogger logger, LogLevel level, string line);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Trigger Details: MessageId: {MessageId}, DequeueCount: {DequeueCount}, InsertedOn: {InsertedOn:o}")]
    public static partial void QueueTriggerDetails(ILogger logger, string messageId, long dequeueCount, DateTimeOffset? insertedOn);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Message '{MessageId}' has reached MaxDequeueCount of {MaxDequeueCount}. Moving message to queue '{PoisonQueue}'.")]
    public static partial void MovedToPoison(ILogger logger, string messageId, int maxDequeueCount, string poisonQueue);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Message '{MessageId}' on '{Queue}' is not valid base64. Moving message to queue '{PoisonQueue}'.")]
    public static partial void NotBase64(ILogger logger, string messageId, string queue, string poisonQueue);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Polling queue '{Queue}' failed: {Error}")]
    public static partial void PollFailed(ILogger logger, string queue, string error);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "{Line}")]
    public static partial void WorkerOutput(ILogger logger, string line);

    [LoggerMessage(EventId = 10, Level = LogLevel.Error, Message = "{Line}")]
    public static partial void WorkerError(ILogger logger, string line);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Starting worker process (pid {ProcessId}): {Command}")]
    public static partial void WorkerStarted(ILogger logger, int processId, string command);

    [LoggerMessage(EventId = 12, Level = LogLevel.Error, Message = "The worker process exited with code {ExitCode}.")]
    public static partial void WorkerExited(ILogger logger, int exitCode);

    [LoggerMessage(EventId = 13, Level = LogLevel.Critical, Message = "The worker failed more than {MaxErrors} times in {Minutes} minutes. Stopping the host.")]
    public static partial void WorkerGaveUp(ILogger logger, int maxErrors, int minutes);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "The timer '{FunctionName}' is past due (its next run was {Next:o}); running it now.")]
    public static partial void PastDue(ILogger logger, string functionName, DateTimeOffset next);

    [LoggerMessage(EventId = 15, Level = LogLevel.Information, Message = "The next 5 occurrences of the '{FunctionName}' schedule ({Schedule}) will be:\n{Occurrences}")]
    public static partial void NextOccurrences(ILogger logger, string functionName, string schedule, string occurrences);

    [LoggerMessage(EventId = 16, Level = LogLevel.Warning, Message = "Skipped a run of the timer '{FunctionName}': the previous run is still going.")]
    public static partial void TimerBusy(ILogger logger, string functionName);

    [LoggerMessage(EventId = 17, Level = LogLevel.Warning, Message = "The timer '{FunctionName}' could not read or write its schedule status: {Error}")]
    public static partial void ScheduleStatusFailed(ILogger logger, string functionName, string error);

    [LoggerMessage(EventId = 18, Level = LogLevel.Error, Message = "The worker's gRPC stream ended.")]
    public static partial void WorkerStreamEnded(ILogger logger);

    [LoggerMessage(EventId = 19, Level = LogLevel.Error, Message = "Processing a message on '{Queue}' failed in the host: {Error}")]
    public static partial void QueueProcessingError(ILogger logger, string queue, string error);

    [LoggerMessage(EventId = 20, Level = LogLevel.Error, Message = "'{FunctionName}' failed outside an invocation: {Error}")]
    public static partial void ListenerFailed(ILogger logger, string functionName, string error);

    [LoggerMessage(EventId = 21, Level = LogLevel.Error, Message = "The worker did not start: {Error}")]
    public static partial void WorkerStartFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 22, Level = LogLevel.Warning, Message = "Restarting the worker ({Errors} failure(s) in the last {Minutes} minutes).")]
    public static partial void WorkerRestarting(ILogger logger, int errors, int minutes);

    [LoggerMessage(EventId = 23, Level = LogLevel.Information, Message = "Worker process started and initialized (pid {ProcessId}): {Count} function(s) loaded in {ElapsedMs} ms.")]
    public static partial void WorkerReady(ILogger logger, int processId, int count, long elapsedMs);

    [LoggerMessage(EventId = 24, Level = LogLevel.Error, Message = "The function '{FunctionName}' failed to load in the worker: {Error}")]
    public static partial void FunctionLoadFailed(ILogger logger, string functionName, string error);

    [LoggerMessage(EventId = 25, Level = LogLevel.Error, Message = "{Error}")]
    public static partial void FunctionInError(ILogger logger, string error);
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
        var prefix = logEntry.Category == HostLoggers.WorkerConsoleCategory ? "[worker] " : "";
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
    public const string WorkerConsoleCategory = "Worker.Console";

    public ILogger Host { get; } = factory.CreateLogger("Host");

    /// <summary>The worker's System logs.</summary>
    public ILogger Worker { get; } = factory.CreateLogger("Worker");

    /// <summary>The worker's User logs outside any invocation (the real host drops them; shown at Debug).</summary>
    public ILogger WorkerOutside { get; } = factory.CreateLogger("Worker.User");

    /// <summary>The worker process's stdout and stderr.</summary>
    public ILogger WorkerConsole { get; } = factory.CreateLogger(WorkerConsoleCategory);

    public ILogger Function(string name) => factory.CreateLogger("Function." + name);

    public static HostLoggers None { get; } = new(NullLoggerFactory.Instance);
}
