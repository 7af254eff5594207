using System.Collections.Concurrent;
using System.Threading.Channels;
using FunctionsHost.Rpc;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace FunctionsHost;

/// <summary>
/// One worker's end of the gRPC event stream: a single writer task drains the outbound queue; the
/// read loop dispatches each inbound message. Responses are correlated by id (the worker handles
/// every message on its own task, so they come back in any order). When the stream ends every
/// pending request fails with <see cref="WorkerUnavailableException"/>.
/// </summary>
internal sealed class WorkerChannel
{
    private readonly Channel<StreamingMessage> outbound = Channel.CreateUnbounded<StreamingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource connected = NewSource();
    private readonly TaskCompletionSource closed = NewSource();
    private readonly TaskCompletionSource<WorkerInitResponse> initialized = NewSource<WorkerInitResponse>();
    private readonly TaskCompletionSource<FunctionMetadataResponse> indexed = NewSource<FunctionMetadataResponse>();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<FunctionLoadResponse>> loads = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PendingInvocation> invocations = new(StringComparer.Ordinal);
    private readonly HostLoggers logs;
    private Exception? failure;

    public WorkerChannel(string workerId, HostLoggers logs)
    {
        WorkerId = workerId;
        this.logs = logs;
    }

    public string WorkerId { get; }

    /// <summary>The capabilities from <c>WorkerInitResponse</c> (empty before it).</summary>
    public IReadOnlyDictionary<string, string> Capabilities { get; private set; } = new Dictionary<string, string>();

    /// <summary>The worker's own Kestrel (<c>HttpUri</c> capability, from <c>ConfigureFunctionsWebApplication</c>); null without it.</summary>
    public Uri? HttpUri => Capabilities.TryGetValue("HttpUri", out var uri) && Uri.TryCreate(uri, UriKind.Absolute, out var parsed) ? parsed : null;

    /// <summary>Functions whose <c>FunctionLoadResponse</c> failed, by function id, with the reason; their invocations fail here.</summary>
    public ConcurrentDictionary<string, string> LoadFailures { get; } = new(StringComparer.Ordinal);

    /// <summary>Completes when the worker's stream ended (or the channel was failed).</summary>
    public Task Closed => closed.Task;

    public Task WhenConnectedAsync(CancellationToken cancellationToken) => connected.Task.WaitAsync(cancellationToken);

    /// <summary>Runs the stream until the worker closes it; called by the gRPC service after StartStream.</summary>
    public async Task RunAsync(IAsyncStreamReader<StreamingMessage> requests, IServerStreamWriter<StreamingMessage> responses, CancellationToken cancellationToken)
    {
        connected.TrySetResult();
        var writing = WriteAsync(responses, cancellationToken);
        try
        {
            while (await requests.MoveNext(cancellationToken))
            {
                Dispatch(requests.Current);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or RpcException or InvalidOperationException)
        {
            // The worker went away mid-stream; failing below covers it.
        }
        finally
        {
            Fail(new WorkerUnavailableException("The worker's gRPC stream ended."));
        }

        try
        {
            await writing;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or RpcException or InvalidOperationException)
        {
            // Nothing more can be written to a closed stream.
        }
    }

    public Task<WorkerInitResponse> InitializeAsync(WorkerInitRequest request, CancellationToken cancellationToken)
    {
        Send(new StreamingMessage { RequestId = NewId(), WorkerInitRequest = request });
        return initialized.Task.WaitAsync(cancellationToken);
    }

    public Task<FunctionMetadataResponse> GetFunctionMetadataAsync(string appDirectory, CancellationToken cancellationToken)
    {
        Send(new StreamingMessage { RequestId = NewId(), FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory } });
        return indexed.Task.WaitAsync(cancellationToken);
    }

    public Task<FunctionLoadResponse> LoadAsync(FunctionLoadRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pending = loads.GetOrAdd(request.FunctionId, _ => NewSource<FunctionLoadResponse>());
        Send(new StreamingMessage { RequestId = NewId(), FunctionLoadRequest = request });
        return pending.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Sends one invocation and waits for its response; logs the worker sends for it go to <paramref name="functionLogger"/>.</summary>
    public async Task<InvocationResponse> InvokeAsync(InvocationRequest request, ILogger functionLogger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pending = new PendingInvocation(functionLogger);
        invocations[request.InvocationId] = pending;
        try
        {
            Send(new StreamingMessage { RequestId = NewId(), InvocationRequest = request });
            return await pending.Response.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            invocations.TryRemove(request.InvocationId, out _);
        }
    }

    /// <summary>Asks the worker to cancel an invocation (when it handles <c>InvocationCancel</c>).</summary>
    public void Cancel(string invocationId)
    {
        if (HasCapability("HandlesInvocationCancelMessage"))
        {
            TrySend(new StreamingMessage { RequestId = NewId(), InvocationCancel = new InvocationCancel { InvocationId = invocationId, GracePeriod = Duration.FromTimeSpan(TimeSpan.Zero) } });
        }
    }

    /// <summary>Asks the worker to stop (when it handles <c>WorkerTerminate</c>); false when it cannot be asked.</summary>
    public bool Terminate(TimeSpan gracePeriod) =>
        HasCapability("HandlesWorkerTerminateMessage")
        && TrySend(new StreamingMessage { RequestId = NewId(), WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(gracePeriod) } });

    /// <summary>Fails everything pending and stops accepting messages.</summary>
    public void Fail(Exception error)
    {
        Interlocked.CompareExchange(ref failure, error, null);
        outbound.Writer.TryComplete();
        connected.TrySetException(error);
        initialized.TrySetException(error);
        indexed.TrySetException(error);
        foreach (var load in loads.Values)
        {
            load.TrySetException(error);
        }

        foreach (var invocation in invocations.Values)
        {
            invocation.Response.TrySetException(error);
        }

        closed.TrySetResult();
    }

    private bool HasCapability(string name) =>
        Capabilities.TryGetValue(name, out var value) && !string.Equals(value, "false", StringComparison.OrdinalIgnoreCase);

    private void Send(StreamingMessage message)
    {
        if (!TrySend(message))
        {
            throw Volatile.Read(ref failure) ?? new WorkerUnavailableException("The worker's gRPC stream is closed.");
        }
    }

    private bool TrySend(StreamingMessage message) => Volatile.Read(ref failure) is null && outbound.Writer.TryWrite(message);

    private async Task WriteAsync(IServerStreamWriter<StreamingMessage> responses, CancellationToken cancellationToken)
    {
        await foreach (var message in outbound.Reader.ReadAllAsync(cancellationToken))
        {
            await responses.WriteAsync(message, cancellationToken);
        }
    }

    private void Dispatch(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.RpcLog:
                Log(message.RpcLog);
                break;
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                if (invocations.TryGetValue(message.InvocationResponse.InvocationId, out var invocation))
                {
                    invocation.Response.TrySetResult(message.InvocationResponse);
                }

                break;
            case StreamingMessage.ContentOneofCase.FunctionLoadResponse:
                loads.GetOrAdd(message.FunctionLoadResponse.FunctionId, _ => NewSource<FunctionLoadResponse>()).TrySetResult(message.FunctionLoadResponse);
                break;
            case StreamingMessage.ContentOneofCase.WorkerInitResponse:
                Capabilities = new Dictionary<string, string>(message.WorkerInitResponse.Capabilities, StringComparer.Ordinal);
                initialized.TrySetResult(message.WorkerInitResponse);
                break;
            case StreamingMessage.ContentOneofCase.FunctionMetadataResponse:
                indexed.TrySetResult(message.FunctionMetadataResponse);
                break;
            default:
                // StartStream again, WorkerStatusResponse, and the empty acks the worker sends after
                // WorkerTerminate and InvocationCancel: nothing to do.
                break;
        }
    }

    /// <summary>
    /// The real host's routing of worker logs: a User log of a running invocation goes to that
    /// function's log; a User log outside any invocation is not shown; System logs go to the host's
    /// worker log; metrics are not shown.
    /// </summary>
    private void Log(RpcLog log)
    {
        var level = log.Level switch
        {
            RpcLog.Types.Level.Trace => LogLevel.Trace,
            RpcLog.Types.Level.Debug => LogLevel.Debug,
            RpcLog.Types.Level.Information => LogLevel.Information,
            RpcLog.Types.Level.Warning => LogLevel.Warning,
            RpcLog.Types.Level.Error => LogLevel.Error,
            RpcLog.Types.Level.Critical => LogLevel.Critical,
            _ => LogLevel.None,
        };
        var text = log.Exception is { } ex && !string.IsNullOrEmpty(ex.Message) ? log.Message + Environment.NewLine + ex.Message : log.Message;
        switch (log.LogCategory)
        {
            case RpcLog.Types.RpcLogCategory.User when !string.IsNullOrEmpty(log.InvocationId) && invocations.TryGetValue(log.InvocationId, out var invocation):
                HostLog.WorkerLog(invocation.Logger, level, text);
                break;
            case RpcLog.Types.RpcLogCategory.User:
                HostLog.WorkerLog(logs.WorkerOutside, LogLevel.Debug, text);
                break;
            case RpcLog.Types.RpcLogCategory.System:
                HostLog.WorkerLog(logs.Worker, level, text);
                break;
            default:
                break;
        }
    }

    private static string NewId() => Guid.NewGuid().ToString();

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static TaskCompletionSource<T> NewSource<T>() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed record PendingInvocation(ILogger Logger)
    {
        public TaskCompletionSource<InvocationResponse> Response { get; } = NewSource<InvocationResponse>();
    }
}

/// <summary>The worker is not there (it exited, its stream ended, or it is restarting).</summary>
internal sealed class WorkerUnavailableException(string message) : Exception(message);

/// <summary>The channels of the workers this host started, by worker id (the id that must come back in StartStream).</summary>
internal sealed class WorkerChannels
{
    private readonly ConcurrentDictionary<string, WorkerChannel> channels = new(StringComparer.Ordinal);

    public void Add(WorkerChannel channel) => channels[channel.WorkerId] = channel;

    public void Remove(WorkerChannel channel) => channels.TryRemove(channel.WorkerId, out _);

    public WorkerChannel? Find(string workerId) => channels.GetValueOrDefault(workerId);
}

/// <summary>The host's gRPC service: the one bidirectional <c>EventStream</c>, which must open with a known worker's StartStream.</summary>
internal sealed class FunctionRpcService(WorkerChannels channels) : FunctionRpc.FunctionRpcBase
{
    public override async Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(context);
        if (!await requestStream.MoveNext(context.CancellationToken)
            || requestStream.Current.ContentCase != StreamingMessage.ContentOneofCase.StartStream
            || channels.Find(requestStream.Current.StartStream.WorkerId) is not { } channel)
        {
            return;
        }

        await channel.RunAsync(requestStream, responseStream, context.CancellationToken);
    }
}
