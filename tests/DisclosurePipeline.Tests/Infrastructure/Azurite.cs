using System.Diagnostics;

namespace DisclosurePipeline.Tests.Infrastructure;

/// <summary>
/// One real Azurite for the test run, on free ports, persisting to a fresh temporary folder
/// (in-memory mode can freeze under queue load). Started on first use, stopped at assembly cleanup.
/// Tests isolate themselves with unique table, queue and container names. An instance of one's own can be
/// stopped and started again on the same ports and folder (<see cref="StopAsync"/>, <see cref="RestartAsync"/>), for
/// storage outages; its data survives.
/// </summary>
internal sealed class Azurite : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static Azurite? shared;

    private readonly string location;
    private Process process;

    private Azurite(Process process, string location, int blobPort, int queuePort, int tablePort)
    {
        this.process = process;
        this.location = location;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    public string ConnectionString =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + AccountKey
        + $";BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1"
        + $";QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1"
        + $";TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    /// <summary>The run's shared instance, started on first call.</summary>
    public static async Task<Azurite> GetAsync(CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            return shared ??= await StartAsync(cancellationToken);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Stops the shared instance, if one was started.</summary>
    public static async Task StopSharedAsync()
    {
        if (shared is not null)
        {
            await shared.DisposeAsync();
            shared = null;
        }
    }

    public static async Task<Azurite> StartAsync(CancellationToken cancellationToken)
    {
        var location = Path.Combine(Path.GetTempPath(), "azurite-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(location);
        int blob = FreePort.Next(), queue = FreePort.Next(), table = FreePort.Next();
        var azurite = new Azurite(Launch(location, blob, queue, table), location, blob, queue, table);
        await azurite.WaitForListenersAsync(cancellationToken);
        return azurite;
    }

    /// <summary>
    /// Stops the process as an operator would (SIGTERM, so Azurite writes its data out; killed after 10 s), keeping its
    /// data folder; the ports refuse connections until <see cref="RestartAsync"/>.
    /// </summary>
    public async Task StopAsync()
    {
        if (process.HasExited)
        {
            return;
        }

        using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Starts Azurite again on the same ports and folder, and waits until it listens.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        await StopAsync();
        process.Dispose();
        process = Launch(location, BlobPort, QueuePort, TablePort);
        await WaitForListenersAsync(cancellationToken);
    }

    private static Process Launch(string location, int blob, int queue, int table)
    {
        var bin = RepoPaths.Combine("tools", "azurite", "node_modules", ".bin", "azurite");
        if (!File.Exists(bin))
        {
            throw new InvalidOperationException($"Azurite is not installed at {bin}: run ./test.sh, or 'npm ci' in tools/azurite.");
        }

        var psi = new ProcessStartInfo(bin)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--silent", "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl",
            "--location", location,
            "--blobPort", blob.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--queuePort", queue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tablePort", table.ToString(System.Globalization.CultureInfo.InvariantCulture),
        })
        {
            psi.ArgumentList.Add(arg);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start Azurite");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitForListenersAsync(CancellationToken cancellationToken)
    {
        foreach (var port in new[] { BlobPort, QueuePort, TablePort })
        {
            await FreePort.WaitForListenerAsync(port, TimeSpan.FromSeconds(30), cancellationToken);
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
        try
        {
            Directory.Delete(location, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is left for the OS's temp cleanup.
        }
    }
}

[TestClass]
public static class AzuriteLifetime
{
    [AssemblyCleanup]
    public static async Task StopAzuriteAsync() => await Azurite.StopSharedAsync();
}
