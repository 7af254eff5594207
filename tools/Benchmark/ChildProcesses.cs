using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Benchmark;

/// <summary>A process the benchmark started (Azurite or the simulator); killed with its children on dispose.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly string? tempDirectory;

    private ChildProcess(string name, Process process, string? tempDirectory)
    {
        Name = name;
        this.process = process;
        this.tempDirectory = tempDirectory;
    }

    public string Name { get; }

    public int Id => process.Id;

    /// <summary>CPU time used so far (user + system), the process itself (Node's worker threads included).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            process.Refresh();
            return process.HasExited ? TimeSpan.Zero : process.TotalProcessorTime;
        }
    }

    /// <summary>Peak resident set (VmHWM) in bytes, from /proc; 0 where that is not available.</summary>
    public long PeakResidentBytes => ProcStatus.ReadKilobytes(process.Id, "VmHWM") * 1024;

    public static ChildProcess Start(string name, string fileName, IEnumerable<string> arguments, string? tempDirectory = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {name} ({fileName})");
        var stderr = new List<string>();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                lock (stderr)
                {
                    if (stderr.Count < 20)
                    {
                        stderr.Add(line);
                        Console.Error.WriteLine($"  [{name}] {line}");
                    }
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ChildProcess(name, process, tempDirectory);
    }

    /// <summary>Waits until something accepts connections on <paramref name="port"/>.</summary>
    public async Task WaitForPortAsync(int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {process.ExitCode} before listening on port {port}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return;
            }
            catch (SocketException) when (deadline.Elapsed < timeout)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        process.Dispose();
        if (tempDirectory is not null)
        {
            try
            {
                Directory.Delete(tempDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS's temp cleanup.
            }
        }
    }
}

/// <summary>Free loopback ports.</summary>
internal static class FreePort
{
    private static readonly HashSet<int> Handed = [];

    public static int Next()
    {
        lock (Handed)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                if (Handed.Add(port))
                {
                    return port;
                }
            }
        }
    }

    public static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Reads figures from /proc/{pid}/status (Linux).</summary>
internal static class ProcStatus
{
    public static long ReadKilobytes(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    var parts = line[(field.Length + 1)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            // Not Linux, or the process is gone.
        }

        return 0;
    }

    /// <summary>The 1-minute load average, or null where /proc/loadavg does not exist.</summary>
    public static string? LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return null;
        }
    }
}

/// <summary>CPU time of some processes (by pid) from a start, per item processed since.</summary>
internal sealed class CpuMeter
{
    private readonly (string Name, int Pid, TimeSpan At)[] start;

    private CpuMeter((string Name, int Pid, TimeSpan At)[] start) => this.start = start;

    public static CpuMeter Start(params (string Name, int Pid)[] processes) =>
        new([.. processes.Select(p => (p.Name, p.Pid, Of(p.Pid)))]);

    /// <summary>Each process's CPU milliseconds since the start, divided by <paramref name="items"/>.</summary>
    public IReadOnlyList<(string Process, double Ms)> PerItem(int items) =>
        [.. start.Select(s => (s.Name, (Of(s.Pid) - s.At).TotalMilliseconds / Math.Max(1, items)))];

    private static TimeSpan Of(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.TotalProcessorTime;
        }
        catch (ArgumentException)
        {
            return TimeSpan.Zero; // gone
        }
    }
}
