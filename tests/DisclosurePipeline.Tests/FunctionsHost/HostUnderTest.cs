using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Storage.Queues;
using DisclosurePipeline.Tests.Infrastructure;

namespace DisclosurePipeline.Tests.FunctionsHost;

/// <summary>
/// The local Functions host running for real (<c>dotnet FunctionsHost.dll --app ...</c>) over the
/// HostFixture worker's build output and the shared Azurite, with its own port, local.settings.json
/// (unique queue names), host id and invocation log folder. Each fixture function appends what it
/// received to <c>{LogDir}/{Function}.jsonl</c>.
/// </summary>
internal sealed partial class HostUnderTest : IAsyncDisposable
{
    private readonly Process process;
    private readonly string folder;
    private readonly StringBuilder output = new();

    private HostUnderTest(Process process, string folder, int port, string hostId, Azurite azurite, IReadOnlyDictionary<string, string> settings)
    {
        this.process = process;
        this.folder = folder;
        Port = port;
        HostId = hostId;
        Azurite = azurite;
        Settings = settings;
        Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    /// <summary>The fixture worker's build output, built by the test project's reference to it.</summary>
    public static string FixtureApp => RepoPaths.Combine("tests", "HostFixture", "bin", RepoPaths.Configuration, "net10.0");

    public int Port { get; }

    public string HostId { get; }

    public Azurite Azurite { get; }

    /// <summary>The app settings (queue names and schedules) this host runs with.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    public HttpClient Http { get; }

    public string LogDir => Path.Combine(folder, "log");

    public bool HasExited => process.HasExited;

    /// <summary>What the host printed so far (for diagnostics, and to find the worker's pid).</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Fresh settings: every queue the fixture reads or writes gets a unique name; timers never fire on their own.</summary>
    public static Dictionary<string, string> NewSettings()
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        return new Dictionary<string, string>
        {
            ["TickSchedule"] = "0 0 0 1 1 *",
            ["WorkQueue"] = "work-" + suffix,
            ["TextQueue"] = "text-" + suffix,
            ["FanOutQueue"] = "fanout-" + suffix,
            ["FanOutOutQueue"] = "fanout-out-" + suffix,
            ["NoopQueue"] = "noop-" + suffix,
            ["MultiOutQueue"] = "multi-out-" + suffix,
            ["AuditQueue"] = "audit-" + suffix,
        };
    }

    /// <summary>Starts the host and waits until <c>/admin/host/status</c> says Running (all functions loaded).</summary>
    public static async Task<HostUnderTest> StartAsync(CancellationToken cancellationToken, Action<Dictionary<string, string>>? configure = null, string? hostId = null)
    {
        var azurite = await Azurite.GetAsync(cancellationToken);
        var settings = NewSettings();
        configure?.Invoke(settings);
        var folder = Path.Combine(Path.GetTempPath(), "functionshost-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(folder, "log"));
        var settingsPath = Path.Combine(folder, "local.settings.json");
        await File.WriteAllTextAsync(settingsPath, JsonSerializer.Serialize(new { IsEncrypted = false, Values = settings }), cancellationToken);

        var port = FreePort.Next();
        hostId ??= NewHostId();
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { RepoPaths.ToolDll("FunctionsHost"), "--app", FixtureApp, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--settings", settingsPath })
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["AzureWebJobsStorage"] = azurite.ConnectionString;
        psi.Environment["FIXTURE_LOG_DIR"] = Path.Combine(folder, "log");
        psi.Environment["AzureFunctionsJobHost__id"] = hostId;
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the Functions host");
        var host = new HostUnderTest(process, folder, port, hostId, azurite, settings);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await host.WaitUntilRunningAsync(cancellationToken);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    public static string NewHostId() => "test-" + Guid.NewGuid().ToString("N")[..20];

    /// <summary>A queue client for one of the fixture's queues (by setting name), base64 as host.json says.</summary>
    public QueueClient Queue(string setting, bool raw = false) => Queue(Azurite, Settings[setting], raw);

    public static QueueClient Queue(Azurite azurite, string name, bool raw = false) =>
        new(azurite.ConnectionString, name, new QueueClientOptions { MessageEncoding = raw ? QueueMessageEncoding.None : QueueMessageEncoding.Base64 });

    /// <summary>The process ids of the workers this host started, in order.</summary>
    public IReadOnlyList<int> WorkerProcessIds() =>
        [.. WorkerStarted().Matches(Output).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>The invocations the fixture logged for a function, oldest first.</summary>
    public IReadOnlyList<JsonObject> Invocations(string function)
    {
        var path = Path.Combine(LogDir, function + ".jsonl");
        if (!File.Exists(path))
        {
            return [];
        }

        var records = new List<JsonObject>();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            try
            {
                if (JsonNode.Parse(line) is JsonObject record)
                {
                    records.Add(record);
                }
            }
            catch (JsonException)
            {
                // A line still being written; the next read sees it whole.
            }
        }

        return records;
    }

    /// <summary>Waits until the function logged at least <paramref name="count"/> invocations.</summary>
    public async Task<IReadOnlyList<JsonObject>> WaitForInvocationsAsync(string function, int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            var records = Invocations(function);
            if (records.Count >= count)
            {
                return records;
            }

            ThrowIfExited();
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Waits until the host printed a line matching <paramref name="pattern"/>.</summary>
    public async Task WaitForOutputAsync(string pattern, CancellationToken cancellationToken)
    {
        while (!Regex.IsMatch(Output, pattern))
        {
            ThrowIfExited();
            await Task.Delay(50, cancellationToken);
        }
    }

    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode;
    }

    /// <summary>Sends SIGTERM, as a service manager or Ctrl-C would.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async Task WaitUntilRunningAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ThrowIfExited();
            try
            {
                var status = await Http.GetFromJsonAsync<JsonObject>("admin/host/status", cancellationToken);
                if (status?["state"]?.GetValue<string>() == "Running")
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        foreach (var pid in WorkerProcessIds())
        {
            try
            {
                using var worker = Process.GetProcessById(pid);
                worker.Kill();
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                // Gone, as it should be.
            }
        }

        process.Dispose();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS's temp cleanup.
        }
    }

    /// <summary>Whether a process with this id is still running (and not a zombie).</summary>
    public static bool IsRunning(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        return File.Exists(stat) && !File.ReadAllText(stat).Contains(") Z ", StringComparison.Ordinal);
    }

    private void ThrowIfExited()
    {
        if (process.HasExited)
        {
            throw new InvalidOperationException($"The Functions host exited with code {process.ExitCode}:\n{Output}");
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    [GeneratedRegex(@"Starting worker process \(pid (\d+)\)")]
    private static partial Regex WorkerStarted();
}

/// <summary>Queue helpers for the host tests.</summary>
internal static class HostQueues
{
    /// <summary>Waits until the queue holds at least <paramref name="count"/> messages, then takes (and deletes) them all.</summary>
    public static async Task<List<string>> TakeAtLeastAsync(this QueueClient queue, int count, CancellationToken cancellationToken)
    {
        var texts = new List<string>();
        while (true)
        {
            if (await queue.ExistsAsync(cancellationToken))
            {
                foreach (var message in (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(1), cancellationToken)).Value)
                {
                    texts.Add(message.Body.ToString());
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                }
            }

            if (texts.Count >= count)
            {
                return texts;
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    public static async Task WaitUntilEmptyAsync(this QueueClient queue, CancellationToken cancellationToken)
    {
        while ((await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount > 0)
        {
            await Task.Delay(50, cancellationToken);
        }
    }
}
