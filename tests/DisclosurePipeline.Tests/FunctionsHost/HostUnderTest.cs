using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DisclosurePipeline.Tests.Infrastructure;

namespace DisclosurePipeline.Tests.FunctionsHost;

/// <summary>
/// The local Functions host running for real (<c>dotnet FunctionsHost.dll --app ...</c>) over the
/// HostFixture app and the shared Azurite, with its own port, local.settings.json, host id and
/// invocation log folder. The fixture handler appends each invocation it receives to
/// <c>{LogDir}/{Function}.jsonl</c>.
/// </summary>
internal sealed class HostUnderTest : IAsyncDisposable
{
    private readonly Process process;
    private readonly string folder;
    private readonly StringBuilder output = new();

    private HostUnderTest(Process process, string folder, int port, string hostId)
    {
        this.process = process;
        this.folder = folder;
        Port = port;
        HostId = hostId;
        Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public static string FixtureApp => RepoPaths.Combine("tests", "HostFixture", "bin", RepoPaths.Configuration, "app");

    public int Port { get; }

    public string HostId { get; }

    public HttpClient Http { get; }

    public string LogDir => Path.Combine(folder, "log");

    /// <summary>What the host printed so far (for diagnostics when a test fails; never asserted on).</summary>
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

    /// <summary>
    /// Starts the host and waits until its HTTP port answers (after the handler is up). <c>settings</c>
    /// become local.settings.json's <c>Values</c>; <c>environment</c> is set on the host process itself;
    /// <c>hostId</c> (schedule status blobs) is unique per test by default.
    /// </summary>
    public static async Task<HostUnderTest> StartAsync(
        Azurite azurite, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null, string? hostId = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "functionshost-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(folder, "log"));
        var settingsPath = Path.Combine(folder, "local.settings.json");
        await File.WriteAllTextAsync(settingsPath, JsonSerializer.Serialize(new { IsEncrypted = false, Values = settings }), cancellationToken);

        var port = FreePort.Next();
        hostId ??= NewHostId();
        var psi = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { RepoPaths.ToolDll("FunctionsHost"), "--app", FixtureApp, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--settings", settingsPath })
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["AzureWebJobsStorage"] = azurite.ConnectionString;
        psi.Environment["FIXTURE_LOG_DIR"] = Path.Combine(folder, "log");
        psi.Environment["AzureFunctionsJobHost__id"] = hostId;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the Functions host");
        var host = new HostUnderTest(process, folder, port, hostId);
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

    /// <summary>The invocations the fixture handler logged for a function, oldest first.</summary>
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

    /// <summary>Waits until the function was invoked at least <paramref name="count"/> times.</summary>
    public async Task<IReadOnlyList<JsonObject>> WaitForInvocationsAsync(string function, int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            var records = Invocations(function);
            if (records.Count >= count)
            {
                return records;
            }

            if (process.HasExited)
            {
                throw new InvalidOperationException($"The Functions host exited with code {process.ExitCode}:\n{Output}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Waits for the host process to exit by itself; its exit code.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
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

    private async Task WaitUntilRunningAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The Functions host exited with code {process.ExitCode}:\n{Output}");
            }

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
}

/// <summary>Reads the host's payload encodings back (one layer of JSON string encoding per call).</summary>
internal static class Payload
{
    public static string Decode(JsonNode? node) => JsonSerializer.Deserialize<string>(node!.GetValue<string>())!;
}
