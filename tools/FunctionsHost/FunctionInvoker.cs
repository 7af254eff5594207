using System.Diagnostics;
using FunctionsHost.Rpc;

namespace FunctionsHost;

/// <summary>
/// The result of one invocation: whether it succeeded, and why not. <paramref name="WorkerUnavailable"/>: it failed
/// because there was no running worker to run it (restarting, or given up), or the worker went away during it.
/// </summary>
internal sealed record InvocationOutcome(string InvocationId, bool Succeeded, string? Error, bool WorkerUnavailable = false);

/// <summary>An HTTP request forwarded to the worker alongside its InvocationRequest (proxy mode).</summary>
internal interface IForwardedRequest
{
    /// <summary>Starts forwarding (before the InvocationRequest is sent); completes with an error text, or null.</summary>
    Task<string?> StartAsync(WorkerChannel channel, string invocationId);

    /// <summary>Gives up on a forwarding that did not finish after a timed-out invocation.</summary>
    void Abort();
}

/// <summary>
/// Runs one invocation on the current worker as the host does: waits for a ready worker, sends the
/// InvocationRequest (inputs, trigger metadata, trace context), waits for the response within
/// <c>functionTimeout</c> (then sends InvocationCancel and fails it), applies queue output bindings
/// of a successful invocation, and writes func's <c>Executing</c>/<c>Executed</c> lines.
/// </summary>
internal sealed class FunctionInvoker
{
    private static readonly TimeSpan ForwardingGrace = TimeSpan.FromSeconds(5);
    private readonly WorkerHost workers;
    private readonly QueueOutputWriter outputs;
    private readonly AppDefinition app;
    private readonly HostLoggers logs;
    private readonly TimeProvider clock;

    public FunctionInvoker(WorkerHost workers, QueueOutputWriter outputs, AppDefinition app, HostLoggers logs, TimeProvider clock)
    {
        this.workers = workers;
        this.outputs = outputs;
        this.app = app;
        this.logs = logs;
        this.clock = clock;
    }

    public async Task<InvocationOutcome> InvokeAsync(
        FunctionDefinition function,
        string reason,
        IEnumerable<ParameterBinding> inputs,
        IEnumerable<KeyValuePair<string, object?>> bindingData,
        CancellationToken cancellationToken,
        IForwardedRequest? forwarded = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        var id = Guid.NewGuid().ToString();
        var logger = logs.Function(function.Name);
        HostLog.Executing(logger, function.Name, reason, id);
        var started = clock.GetTimestamp();
        var (error, unavailable) = await RunAsync(function, id, inputs, bindingData, logger, forwarded, cancellationToken);
        var elapsed = (long)clock.GetElapsedTime(started).TotalMilliseconds;
        if (error is null)
        {
            HostLog.Succeeded(logger, function.Name, id, elapsed);
        }
        else
        {
            HostLog.Failed(logger, function.Name, id, elapsed, error);
        }

        return new InvocationOutcome(id, error is null, error, unavailable);
    }

    /// <summary>The request the host sends, before trigger metadata: ids, inputs and trace context.</summary>
    public static InvocationRequest BuildRequest(FunctionDefinition function, string invocationId, IEnumerable<ParameterBinding> inputs, IEnumerable<KeyValuePair<string, object?>> bindingData)
    {
        ArgumentNullException.ThrowIfNull(function);
        var request = new InvocationRequest
        {
            InvocationId = invocationId,
            FunctionId = function.FunctionId,
            TraceContext = new RpcTraceContext
            {
                TraceParent = Activity.Current?.Id ?? "",
                TraceState = Activity.Current?.TraceStateString ?? "",
            },
        };
        request.InputData.AddRange(inputs);
        RpcValues.AddTriggerMetadata(request, bindingData);
        return request;
    }

    private async Task<(string? Error, bool WorkerUnavailable)> RunAsync(
        FunctionDefinition function, string id, IEnumerable<ParameterBinding> inputs, IEnumerable<KeyValuePair<string, object?>> bindingData,
        ILogger logger, IForwardedRequest? forwarded, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (app.FunctionTimeout != Timeout.InfiniteTimeSpan)
        {
            timeout.CancelAfter(app.FunctionTimeout);
        }

        WorkerChannel channel;
        try
        {
            channel = await workers.WhenReadyAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (TimeoutMessage(function), false);
        }
        catch (WorkerUnavailableException ex)
        {
            return (ex.Message, true);
        }

        if (channel.LoadFailures.TryGetValue(function.FunctionId, out var loadError))
        {
            return ($"The function failed to load in the worker: {loadError}", false);
        }

        var request = BuildRequest(function, id, inputs, bindingData);
        var forwarding = forwarded?.StartAsync(channel, id);
        if (forwarding is { IsCompleted: true } && await forwarding is { } notForwarded)
        {
            return (notForwarded, false);
        }

        InvocationResponse response;
        try
        {
            response = await channel.InvokeAsync(request, logger, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            channel.Cancel(id);
            await SettleAsync(forwarding, forwarded);
            return (TimeoutMessage(function), false);
        }
        catch (WorkerUnavailableException ex)
        {
            await SettleAsync(forwarding, forwarded);
            return ($"{ex.Message} The invocation was lost with the worker.", true);
        }

        if (forwarding is not null && await forwarding is { } forwardError && response.Result?.Status == StatusResult.Types.Status.Success)
        {
            return (forwardError, false);
        }

        if (response.Result?.Status != StatusResult.Types.Status.Success)
        {
            return (Describe(function, response.Result), false);
        }

        try
        {
            await outputs.WriteAsync(function, response, cancellationToken);
        }
        catch (Exception ex) when (StorageErrors.IsStorageFailure(ex))
        {
            return ($"Writing the function's queue output failed: {ex.Message}", false);
        }

        return (null, false);
    }

    private static async Task SettleAsync(Task<string?>? forwarding, IForwardedRequest? forwarded)
    {
        if (forwarding is null)
        {
            return;
        }

        try
        {
            await forwarding.WaitAsync(ForwardingGrace);
        }
        catch (TimeoutException)
        {
            forwarded!.Abort();
        }
    }

    private string TimeoutMessage(FunctionDefinition function) =>
        $"Timeout value of {app.FunctionTimeout} was exceeded by function: Functions.{function.Name}";

    private static string Describe(FunctionDefinition function, StatusResult? result)
    {
        var status = result?.Status ?? StatusResult.Types.Status.Failure;
        if (result?.Exception is not { } ex)
        {
            return $"Exception while executing function: Functions.{function.Name}. Result: {status}";
        }

        var text = $"Exception while executing function: Functions.{function.Name}. {(string.IsNullOrEmpty(ex.Source) ? "" : ex.Source + ": ")}{ex.Message}";
        if (!string.IsNullOrEmpty(ex.Type))
        {
            text += $" ({ex.Type})";
        }

        return string.IsNullOrEmpty(ex.StackTrace) ? text : text + Environment.NewLine + ex.StackTrace;
    }
}
