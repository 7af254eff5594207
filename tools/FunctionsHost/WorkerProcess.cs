using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace FunctionsHost;

/// <summary>
/// The worker's process, started as the real host starts it: <c>defaultExecutablePath</c> with the
/// description's arguments, the quoted full path of <c>defaultWorkerPath</c>, <c>workerArguments</c>
/// and the fixed <c>--host/--port/... --functions-*</c> suffix; working directory the app folder;
/// the host's environment plus the worker variables. Both output pipes are drained to the log.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    /// <summary>The gRPC message size limit the host passes (<c>int.MaxValue</c>).</summary>
    public const int MaxMessageLength = int.MaxValue;

    private static readonly string[] RemovedVariables = ["ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS"];
    private readonly Process process;

    private WorkerProcess(Process process) => this.process = process;

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    /// <summary>The executable and argument string the host runs (the worker path quoted, as the host does).</summary>
    public static (string FileName, string Arguments) CommandLine(AppDefinition app, Uri grpcUri, string workerId, string requestId)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(grpcUri);
        var worker = app.Worker;
        var executable = worker.DefaultExecutablePath;
        if (!Path.IsPathRooted(executable) && File.Exists(Path.Combine(app.RootPath, executable)))
        {
            executable = Path.Combine(app.RootPath, executable);
        }

        var port = grpcUri.Port.ToString(CultureInfo.InvariantCulture);
        var max = MaxMessageLength.ToString(CultureInfo.InvariantCulture);
        var parts = new List<string>(worker.Arguments)
        {
            '"' + Path.GetFullPath(Path.Combine(app.RootPath, worker.DefaultWorkerPath)) + '"',
        };
        parts.AddRange(worker.WorkerArguments);
        parts.AddRange([
            "--host", grpcUri.Host, "--port", port, "--workerId", workerId, "--requestId", requestId, "--grpcMaxMessageLength", max,
            "--functions-uri", grpcUri.AbsoluteUri, "--functions-worker-id", workerId, "--functions-request-id", requestId,
            "--functions-grpc-max-message-length", max,
        ]);
        return (executable, string.Join(' ', parts));
    }

    /// <summary>The variables the host sets for the worker on top of its own environment.</summary>
    public static IReadOnlyDictionary<string, string> Variables(AppDefinition app, AppSettings settings)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(settings);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["FUNCTIONS_WORKER_DIRECTORY"] = app.RootPath,
            ["FUNCTIONS_APPLICATION_DIRECTORY"] = app.RootPath,
            ["FUNCTIONS_WORKER_RUNTIME"] = settings.Get("FUNCTIONS_WORKER_RUNTIME") ?? app.Worker.Language,
            ["DOTNET_NOLOGO"] = "true",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "true",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "true",
        };
    }

    public static WorkerProcess Start(AppDefinition app, AppSettings settings, Uri grpcUri, string workerId, HostLoggers logs)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(logs);
        var (fileName, arguments) = CommandLine(app, grpcUri, workerId, Guid.NewGuid().ToString());
        var psi = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = app.RootPath,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var name in RemovedVariables)
        {
            psi.Environment.Remove(name);
        }

        foreach (var (name, value) in Variables(app, settings))
        {
            psi.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new WorkerStartException($"Could not start the worker '{fileName}'.");
        }
        catch (Win32Exception ex)
        {
            throw new WorkerStartException($"Could not start the worker '{fileName}' in '{app.RootPath}': {ex.Message}. Check worker.config.json's defaultExecutablePath.");
        }

        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                HostLog.WorkerOutput(logs.WorkerConsole, e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                HostLog.WorkerError(logs.WorkerConsole, e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        HostLog.WorkerStarted(logs.Host, process.Id, $"{fileName} {arguments}");
        return new WorkerProcess(process);
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => process.WaitForExitAsync(cancellationToken);

    /// <summary>Kills the process and its children, if still running; waits briefly for it to go.</summary>
    public void Kill()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        Kill();
        process.Dispose();
    }
}

/// <summary>The worker could not be started, or did not finish its start-up.</summary>
internal sealed class WorkerStartException(string message) : Exception(message);
