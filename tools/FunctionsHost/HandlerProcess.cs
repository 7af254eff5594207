using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace FunctionsHost;

/// <summary>
/// The custom handler's process, started and watched the way the host does it: a fresh random port
/// in <c>FUNCTIONS_CUSTOMHANDLER_PORT</c>, <c>GET /</c> polled every 25 ms until any HTTP answer,
/// stdout and stderr copied to the terminal, and a restart after every exit until more than 3
/// errors happened within 30 minutes.
/// </summary>
internal sealed class HandlerProcess : IHostedService, IDisposable
{
    public static readonly TimeSpan ErrorWindow = TimeSpan.FromMinutes(30);
    public const int MaxErrorsInWindow = 3;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);

    private readonly AppDefinition app;
    private readonly AppSettings settings;
    private readonly HostLoggers logs;
    private readonly TimeProvider clock;
    private readonly IHostApplicationLifetime lifetime;
    private readonly HttpClient pingClient = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
    private readonly CancellationTokenSource stopping = new();
    private readonly List<DateTimeOffset> errors = [];
    private TaskCompletionSource<Uri> ready = NewReadySource();
    private Process? current;
    private Task? supervisor;

    public HandlerProcess(AppDefinition app, AppSettings settings, HostLoggers logs, TimeProvider clock, IHostApplicationLifetime lifetime)
    {
        this.app = app;
        this.settings = settings;
        this.logs = logs;
        this.clock = clock;
        this.lifetime = lifetime;
    }

    /// <summary>The handler's base address (<c>http://127.0.0.1:{port}/</c>) once it answers; waits across restarts.</summary>
    public Task<Uri> WhenReadyAsync(CancellationToken cancellationToken) => Volatile.Read(ref ready).Task.WaitAsync(cancellationToken);

    /// <summary>Starts the handler and waits until it answers; a handler that cannot start fails the host's start.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping.Token);
        var (process, address) = await LaunchAsync(linked.Token);
        current = process;
        ready.TrySetResult(address);
        supervisor = SuperviseAsync(process, stopping.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        Kill(current);
        if (supervisor is not null)
        {
            await supervisor.WaitAsync(cancellationToken);
        }
    }

    public void Dispose()
    {
        Kill(current);
        current?.Dispose();
        pingClient.Dispose();
        stopping.Dispose();
    }

    /// <summary>The command line the host runs: executable, then arguments joined with spaces (unquoted, as the host does).</summary>
    internal static (string FileName, string Arguments) CommandLine(AppDefinition app, AppSettings settings, IReadOnlyDictionary<string, string> childVariables)
    {
        var handler = app.Handler;
        var underRoot = Path.GetFullPath(Path.Combine(app.RootPath, handler.DefaultExecutablePath));
        var fileName = File.Exists(underRoot) ? underRoot : handler.DefaultExecutablePath;
        var parts = handler.Arguments.Select(a => settings.ExpandArgument(a, childVariables)).Where(a => a.Length > 0).ToList();
        if (!string.IsNullOrEmpty(handler.DefaultWorkerPath))
        {
            parts.Add('"' + Path.GetFullPath(Path.Combine(app.RootPath, handler.DefaultWorkerPath)) + '"');
        }

        parts.AddRange(handler.WorkerArguments.Select(a => settings.ExpandArgument(a, childVariables)).Where(a => a.Length > 0));
        return (fileName, string.Join(' ', parts));
    }

    private async Task SuperviseAsync(Process process, CancellationToken cancellationToken)
    {
        Process? running = process;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (running is not null)
                {
                    await running.WaitForExitAsync(cancellationToken);
                    Volatile.Write(ref ready, NewReadySource());
                    HostLog.HandlerExited(logs.Host, running.ExitCode, CountError());
                    running.Dispose();
                    running = current = null;
                }

                if (errors.Count > MaxErrorsInWindow)
                {
                    GiveUp($"The custom handler failed more than {MaxErrorsInWindow} times in {ErrorWindow.TotalMinutes:0} minutes.");
                    return;
                }

                try
                {
                    var (next, address) = await LaunchAsync(cancellationToken);
                    running = current = next;
                    Volatile.Read(ref ready).TrySetResult(address);
                }
                catch (HandlerStartException ex)
                {
                    HostLog.HandlerError(logs.Host, ex.Message);
                    CountError();
                    if (errors.Count > MaxErrorsInWindow)
                    {
                        GiveUp($"The custom handler failed more than {MaxErrorsInWindow} times in {ErrorWindow.TotalMinutes:0} minutes.");
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: StopAsync kills the process.
        }
    }

    private int CountError()
    {
        var now = clock.GetUtcNow();
        errors.RemoveAll(e => now - e > ErrorWindow);
        errors.Add(now);
        return errors.Count;
    }

    private void GiveUp(string reason)
    {
        HostLog.HandlerGaveUp(logs.Host, reason);
        Environment.ExitCode = 1;
        lifetime.StopApplication();
    }

    private async Task<(Process Process, Uri Address)> LaunchAsync(CancellationToken cancellationToken)
    {
        var port = FreePort();
        var workerId = Guid.NewGuid().ToString();
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["FUNCTIONS_CUSTOMHANDLER_WORKER_ID"] = workerId,
            ["FUNCTIONS_HTTPWORKER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["FUNCTIONS_HTTPWORKER_ID"] = workerId,
            ["FUNCTIONS_APP_ROOT_PATH"] = app.RootPath,
        };
        var (fileName, arguments) = CommandLine(app, settings, variables);
        var workingDirectory = Path.GetFullPath(Path.Combine(app.RootPath, app.Handler.WorkingDirectory ?? ""));
        var psi = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in variables)
        {
            psi.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new HandlerStartException($"Could not start the custom handler '{fileName}'.");
        }
        catch (Win32Exception ex)
        {
            throw new HandlerStartException($"Could not start the custom handler '{fileName}' (working directory '{workingDirectory}'): {ex.Message}. Check customHandler.description.defaultExecutablePath in host.json and that the app was built.");
        }

        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                HostLog.HandlerOutput(logs.Handler, e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                HostLog.HandlerError(logs.Handler, e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        HostLog.HandlerStarted(logs.Host, process.Id, port, $"{fileName} {arguments}".TrimEnd());

        var address = new Uri($"http://127.0.0.1:{port}/");
        try
        {
            await WaitUntilAnsweringAsync(process, address, cancellationToken);
        }
        catch
        {
            Kill(process);
            process.Dispose();
            throw;
        }

        return (process, address);
    }

    private async Task WaitUntilAnsweringAsync(Process process, Uri address, CancellationToken cancellationToken)
    {
        var timeout = app.Handler.InitializationTimeout;
        var deadline = clock.GetUtcNow() + timeout;
        while (true)
        {
            if (process.HasExited)
            {
                throw new HandlerStartException($"The custom handler exited with code {process.ExitCode} before it answered GET {address}.");
            }

            try
            {
                using var response = await pingClient.GetAsync(address, cancellationToken);
                return; // any HTTP answer means the server is up
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                if (clock.GetUtcNow() > deadline)
                {
                    throw new HandlerStartException($"The custom handler did not answer GET {address} within {timeout} (customHandler.initializationTimeout). Does it listen on 127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT?");
                }

                await Task.Delay(PollInterval, clock, cancellationToken);
            }
        }
    }

    private static void Kill(Process? process)
    {
        try
        {
            if (process is not null && !process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static TaskCompletionSource<Uri> NewReadySource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>The handler could not be started or did not answer in time.</summary>
internal sealed class HandlerStartException(string message) : Exception(message);
