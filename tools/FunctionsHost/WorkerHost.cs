using FunctionsHost.Rpc;

namespace FunctionsHost;

/// <summary>What <c>GET /admin/host/status</c> reports.</summary>
internal enum HostState
{
    Starting,
    Running,
    Error,
    Stopping,
}

/// <summary>
/// Runs the worker: starts it once the host listens, does the handshake (StartStream,
/// WorkerInitRequest, FunctionsMetadataRequest, one FunctionLoadRequest per function), restarts it
/// whenever it exits, gives up (exit code 1) after more than 3 failures in 30 minutes, and on
/// shutdown sends WorkerTerminate, waits up to 5 s, then kills it. A worker process is killed on
/// every way out of this class, including the host process ending.
/// </summary>
internal sealed class WorkerHost : BackgroundService
{
    public static readonly TimeSpan ErrorWindow = TimeSpan.FromMinutes(30);
    public const int MaxErrorsInWindow = 3;
    public static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan TerminateGracePeriod = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StreamEndGrace = TimeSpan.FromSeconds(2);

    private readonly AppDefinition app;
    private readonly AppSettings settings;
    private readonly GrpcEndpoint grpc;
    private readonly WorkerChannels channels;
    private readonly FunctionRegistry registry;
    private readonly HostLoggers logs;
    private readonly TimeProvider clock;
    private readonly IHostApplicationLifetime lifetime;
    private readonly List<DateTimeOffset> errors = [];
    private readonly Lock gate = new();
    private TaskCompletionSource<WorkerChannel> ready = NewReadySource();
    private WorkerProcess? process;

    public WorkerHost(
        AppDefinition app, AppSettings settings, GrpcEndpoint grpc, WorkerChannels channels, FunctionRegistry registry,
        HostLoggers logs, TimeProvider clock, IHostApplicationLifetime lifetime)
    {
        this.app = app;
        this.settings = settings;
        this.grpc = grpc;
        this.channels = channels;
        this.registry = registry;
        this.logs = logs;
        this.clock = clock;
        this.lifetime = lifetime;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillWorker();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => KillWorker();
    }

    public HostState State { get; private set; } = HostState.Starting;

    /// <summary>The running worker's channel once all its functions are loaded; waits across restarts.</summary>
    public Task<WorkerChannel> WhenReadyAsync(CancellationToken cancellationToken) => Volatile.Read(ref ready).Task.WaitAsync(cancellationToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        State = HostState.Stopping;
        try
        {
            await base.StopAsync(cancellationToken);
        }
        finally
        {
            KillWorker();
        }
    }

    public override void Dispose()
    {
        KillWorker();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken serviceStopping)
    {
        // Shutdown starts with ApplicationStopping, before Kestrel drains its connections: the worker
        // is told to stop first, so that its gRPC stream closes and nothing waits on it.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(serviceStopping, lifetime.ApplicationStopping);
        var stoppingToken = stopping.Token;
        await WhenStartedAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            WorkerChannel? channel = null;
            try
            {
                (channel, var started) = await StartWorkerAsync(stoppingToken);
                State = HostState.Running;
                Volatile.Read(ref ready).TrySetResult(channel);
                var exited = started.WaitForExitAsync(stoppingToken);
                await Task.WhenAny(exited, channel.Closed).WaitAsync(stoppingToken);
                if (!started.HasExited)
                {
                    // The stream usually closes because the process is going: give it a moment to say how.
                    await Task.WhenAny(exited, Task.Delay(StreamEndGrace, clock, stoppingToken)).WaitAsync(stoppingToken);
                }

                if (started.HasExited)
                {
                    HostLog.WorkerExited(logs.Host, started.ExitCode);
                }
                else
                {
                    HostLog.WorkerStreamEnded(logs.Host);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                State = HostState.Stopping;
                await TerminateAsync(channel);
                return;
            }
            catch (Exception ex) when (ex is WorkerStartException or WorkerUnavailableException)
            {
                HostLog.WorkerStartFailed(logs.Host, ex.Message);
            }

            if (stoppingToken.IsCancellationRequested)
            {
                await TerminateAsync(channel);
                return;
            }

            lock (gate)
            {
                if (State == HostState.Running)
                {
                    ready = NewReadySource();
                }
            }

            State = HostState.Starting;
            channel?.Fail(new WorkerUnavailableException("The worker process exited."));
            if (channel is not null)
            {
                channels.Remove(channel);
            }

            KillWorker();
            var count = CountError();
            if (count > MaxErrorsInWindow)
            {
                State = HostState.Error;
                HostLog.WorkerGaveUp(logs.Host, MaxErrorsInWindow, (int)ErrorWindow.TotalMinutes);
                Environment.ExitCode = 1;
                Volatile.Read(ref ready).TrySetException(new WorkerUnavailableException("The worker failed too often; the host is stopping."));
                lifetime.StopApplication();
                return;
            }

            HostLog.WorkerRestarting(logs.Host, count, (int)ErrorWindow.TotalMinutes);
        }
    }

    private async Task<(WorkerChannel Channel, WorkerProcess Process)> StartWorkerAsync(CancellationToken stoppingToken)
    {
        var started = clock.GetTimestamp();
        var channel = new WorkerChannel(Guid.NewGuid().ToString(), logs);
        channels.Add(channel);
        var worker = WorkerProcess.Start(app, settings, grpc.Uri, channel.WorkerId, logs);
        lock (gate)
        {
            process = worker;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(StartupTimeout);
        var exited = worker.WaitForExitAsync(timeout.Token);
        try
        {
            await Until(channel.WhenConnectedAsync(timeout.Token), exited, "before it opened its gRPC stream");
            var init = await Until(channel.InitializeAsync(InitRequest(), timeout.Token), exited, "during WorkerInitRequest");
            if (init.Result?.Status != StatusResult.Types.Status.Success)
            {
                throw new WorkerStartException("The worker failed to initialize: " + Describe(init.Result));
            }

            var metadata = await Until(channel.GetFunctionMetadataAsync(app.RootPath, timeout.Token), exited, "during FunctionsMetadataRequest");
            if (metadata.Result?.Status != StatusResult.Types.Status.Success)
            {
                throw new WorkerStartException("The worker failed to index its functions: " + Describe(metadata.Result));
            }

            var functions = registry.Register(metadata.FunctionMetadataResults, settings, logs.Host);
            var loads = functions.Select(async f => (Function: f, Response: await channel.LoadAsync(f.ToLoadRequest(), timeout.Token))).ToList();
            foreach (var (function, response) in await Until(Task.WhenAll(loads), exited, "while loading functions"))
            {
                if (response.Result?.Status != StatusResult.Types.Status.Success)
                {
                    var reason = Describe(response.Result);
                    channel.LoadFailures[function.FunctionId] = reason;
                    HostLog.FunctionLoadFailed(logs.Host, function.Name, reason);
                }
            }

            HostLog.WorkerReady(logs.Host, worker.Id, functions.Count, (long)clock.GetElapsedTime(started).TotalMilliseconds);
            registry.MarkLoaded();
            return (channel, worker);
        }
        catch (Exception ex)
        {
            channel.Fail(new WorkerUnavailableException("The worker did not start."));
            channels.Remove(channel);
            if (ex is OperationCanceledException && !stoppingToken.IsCancellationRequested)
            {
                throw new WorkerStartException($"The worker did not finish starting within {StartupTimeout.TotalSeconds:0} s.");
            }

            throw;
        }
    }

    private WorkerInitRequest InitRequest()
    {
        var request = new WorkerInitRequest
        {
            HostVersion = HostInfo.Version,
            WorkerDirectory = app.RootPath,
            FunctionAppDirectory = app.RootPath,
        };
        request.Capabilities["MultiStream"] = "10";
        return request;
    }

    /// <summary>Awaits a start-up step, failing at once when the process exits first.</summary>
    private static async Task<T> Until<T>(Task<T> step, Task exited, string when)
    {
        await Until((Task)step, exited, when);
        return await step;
    }

    private static async Task Until(Task step, Task exited, string when)
    {
        if (await Task.WhenAny(step, exited) != step && !step.IsCompleted)
        {
            throw new WorkerStartException($"The worker exited {when}.");
        }

        await step;
    }

    private async Task TerminateAsync(WorkerChannel? channel)
    {
        WorkerProcess? running;
        lock (gate)
        {
            running = process;
        }

        if (channel is not null && running is { HasExited: false } && channel.Terminate(TerminateGracePeriod))
        {
            using var grace = new CancellationTokenSource(TerminateGracePeriod);
            try
            {
                await running.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                // Killed below.
            }
        }

        KillWorker();
    }

    private void KillWorker()
    {
        WorkerProcess? running;
        lock (gate)
        {
            running = process;
        }

        // Killed before it is forgotten, so a concurrent ProcessExit still finds it.
        running?.Kill();
        lock (gate)
        {
            if (ReferenceEquals(process, running))
            {
                process = null;
            }
        }

        running?.Dispose();
    }

    private int CountError()
    {
        var now = clock.GetUtcNow();
        errors.RemoveAll(e => now - e > ErrorWindow);
        errors.Add(now);
        return errors.Count;
    }

    private async Task WhenStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);
    }

    internal static string Describe(StatusResult? result) =>
        result?.Exception is { } ex ? $"{ex.Type}{(string.IsNullOrEmpty(ex.Type) ? "" : ": ")}{ex.Message}" : result?.Result is { Length: > 0 } text ? text : "no details";

    private static TaskCompletionSource<WorkerChannel> NewReadySource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>The host's gRPC listener: <c>http://127.0.0.1:{port}/</c>, HTTP/2 only.</summary>
internal sealed record GrpcEndpoint(int Port)
{
    public Uri Uri { get; } = new($"http://127.0.0.1:{Port}/");
}

/// <summary>The host's identity as sent to the worker.</summary>
internal static class HostInfo
{
    public const string Version = "4.1037.1.1";
}

/// <summary>
/// The functions the worker indexed, kept from its first successful start (the app does not change
/// while the host runs). <see cref="Loaded"/> completes once they are first loaded.
/// </summary>
internal sealed class FunctionRegistry
{
    private readonly TaskCompletionSource loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock gate = new();
    private IReadOnlyList<FunctionDefinition>? functions;

    public IReadOnlyList<FunctionDefinition> Functions => functions ?? [];

    /// <summary>Functions the host could not run ("The 'X' function is in error: ...").</summary>
    public IReadOnlyList<string> Errors { get; private set; } = [];

    public Task Loaded => loaded.Task;

    public FunctionDefinition? Find(string name) =>
        Functions.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads the worker's metadata into definitions; a function that cannot run here is reported and left out.</summary>
    public IReadOnlyList<FunctionDefinition> Register(IEnumerable<RpcFunctionMetadata> metadata, AppSettings settings, ILogger logger)
    {
        lock (gate)
        {
            if (functions is not null)
            {
                return functions;
            }

            var list = new List<FunctionDefinition>();
            var errors = new List<string>();
            foreach (var item in metadata.OrderBy(m => m.Name, StringComparer.Ordinal))
            {
                try
                {
                    list.Add(FunctionDefinition.FromMetadata(item, settings));
                }
                catch (Exception ex) when (ex is InvalidOperationException or System.Text.Json.JsonException)
                {
                    var error = $"The '{item.Name}' function is in error: {ex.Message}";
                    errors.Add(error);
                    HostLog.FunctionInError(logger, error);
                }
            }

            Errors = errors;
            functions = list;
            return list;
        }
    }

    public void MarkLoaded() => loaded.TrySetResult();
}
