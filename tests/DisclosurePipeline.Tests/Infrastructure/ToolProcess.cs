using System.Collections.Concurrent;
using System.Diagnostics;

namespace DisclosurePipeline.Tests.Infrastructure;

/// <summary>
/// A real process started by a test (the simulator, the local Functions host), its output kept for
/// failure messages, killed with its children on dispose.
/// </summary>
internal sealed class ToolProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();

    private ToolProcess(Process process) => this.process = process;

    /// <summary>The last lines the process wrote (stdout and stderr), for assertion messages.</summary>
    public string RecentOutput => string.Join(Environment.NewLine, output.TakeLast(80));

    public bool HasExited => process.HasExited;

    /// <summary>Runs <c>dotnet &lt;dll&gt; args</c> with extra environment variables.</summary>
    public static ToolProcess StartDotnet(string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string?> environment)
    {
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is not built: build DisclosurePipeline.sln first.");
        }

        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + dll);
        var tool = new ToolProcess(process);
        process.OutputDataReceived += (_, e) => tool.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => tool.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return tool;
    }

    /// <summary>Waits until the process listens on <paramref name="port"/>; fails with its output if it exits first.</summary>
    public async Task WaitForPortAsync(int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the process exited with {process.ExitCode} before listening on {port}:{Environment.NewLine}{RecentOutput}");
            }

            try
            {
                await FreePort.WaitForListenerAsync(port, TimeSpan.FromMilliseconds(200), cancellationToken);
                return;
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        while (output.Count > 400 && output.TryDequeue(out _))
        {
        }
    }
}
