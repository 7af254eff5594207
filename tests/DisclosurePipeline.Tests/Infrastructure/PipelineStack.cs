using System.Net.Http.Headers;

namespace DisclosurePipeline.Tests.Infrastructure;

/// <summary>
/// The whole product for end-to-end tests: its own Azurite, the public data simulator over HTTP, and
/// the published function app (artifacts/app, the .NET isolated worker) under the local Functions host —
/// the same processes ./run.sh starts. Each stack has its own storage, so test classes cannot see each
/// other's data; start one per test class, not per test.
/// </summary>
internal sealed class PipelineStack : IAsyncDisposable
{
    public const string StaffKey = "e2e-staff-key";
    public const string AnalystKey = "e2e-analyst-key";

    /// <summary>The app's timer functions, disabled on every stack (a test passes <c>"false"</c> to let one fire).</summary>
    public static readonly string[] TimerFunctions = ["ScheduleSupplierSync", "SweepPlanDeadlines", "RollupProgress"];
    public const string SimulatorKey = "e2e-sim-key";

    private readonly Azurite azurite;
    private readonly ToolProcess simulator;
    private readonly ToolProcess host;
    private readonly int hostPort;

    private PipelineStack(Azurite azurite, ToolProcess simulator, ToolProcess host, int simulatorPort, int hostPort)
    {
        this.azurite = azurite;
        this.simulator = simulator;
        this.host = host;
        this.hostPort = hostPort;
        Simulator = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{simulatorPort}/") };
        Functions = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{hostPort}/") };
        Staff = Authorized(hostPort, StaffKey);
        Analyst = Authorized(hostPort, AnalystKey);
    }

    /// <summary>The simulator (its /sim control plane needs no key).</summary>
    public HttpClient Simulator { get; }

    /// <summary>The host on its public port, no credentials.</summary>
    public HttpClient Functions { get; }

    /// <summary>The host with a staff bearer key.</summary>
    public HttpClient Staff { get; }

    /// <summary>The host with an analyst bearer key.</summary>
    public HttpClient Analyst { get; }

    public string StorageConnectionString => azurite.ConnectionString;

    /// <summary>This stack's own Azurite: stop and restart it for storage outages.</summary>
    public Azurite Storage => azurite;

    /// <summary>What the host and the worker printed lately, for failure messages.</summary>
    public string HostOutput => host.RecentOutput;

    public static async Task<PipelineStack> StartAsync(int entities, IReadOnlyDictionary<string, string?>? settings, CancellationToken cancellationToken)
    {
        RepoPaths.EnsureFunctionAppPublished();
        var azurite = await Azurite.StartAsync(cancellationToken);
        var simulatorPort = FreePort.Next();
        var simulator = ToolProcess.StartDotnet(
            RepoPaths.ToolDll("PublicDataSimulator"),
            ["--port", simulatorPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--entities", entities.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--seed", "11", "--api-key", SimulatorKey],
            new Dictionary<string, string?>());
        await simulator.WaitForPortAsync(simulatorPort, TimeSpan.FromSeconds(30), cancellationToken);

        var hostPort = FreePort.Next();
        var environment = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["PublicData__BaseUrl"] = $"http://127.0.0.1:{simulatorPort}/",
            ["PublicData__ApiKey"] = SimulatorKey,
            ["PublicData__RetryBaseDelay"] = "00:00:00.050",
            ["Auth__StaffKeys__0"] = StaffKey,
            ["Auth__AnalystKeys__0"] = AnalystKey,
        };

        // The hourly timers fire only when a test runs them (POST /admin/functions/{name} still does): a real tick at
        // the top of the wall-clock hour would otherwise start a run, or record a failed one, in the middle of a test.
        foreach (var timer in TimerFunctions)
        {
            environment[$"AzureWebJobs__{timer}__Disabled"] = "true";
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        var host = ToolProcess.StartDotnet(
            RepoPaths.ToolDll("FunctionsHost"),
            ["--app", RepoPaths.FunctionApp, "--port", hostPort.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            environment);
        var stack = new PipelineStack(azurite, simulator, host, simulatorPort, hostPort);
        try
        {
            await host.WaitForPortAsync(hostPort, TimeSpan.FromSeconds(60), cancellationToken);
            await stack.WaitForHandlerAsync(cancellationToken);
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }

        return stack;
    }

    /// <summary>Runs a timer function now through the host's admin endpoint.</summary>
    public async Task RunFunctionAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await Functions.PostAsync(
            $"admin/functions/{name}",
            new StringContent("""{"input":""}""", System.Text.Encoding.UTF8, "application/json"),
            cancellationToken);
        if ((int)response.StatusCode != 202)
        {
            throw new InvalidOperationException($"POST /admin/functions/{name} answered {(int)response.StatusCode}{Environment.NewLine}{HostOutput}");
        }
    }

    /// <summary>Registers <paramref name="entityId"/> (if it is not yet) and issues a supplier key for it, as staff do.</summary>
    public async Task<string> IssueSupplierKeyAsync(string entityId, CancellationToken cancellationToken)
    {
        using var import = await Staff.PutAsync(
            "api/suppliers",
            new StringContent($"id,name,kind\n{entityId},测试供应商 {entityId[^4..]},supplier\n", System.Text.Encoding.UTF8, "text/csv"),
            cancellationToken);
        using var issued = await Staff.PostAsync($"api/suppliers/{entityId}/keys", null, cancellationToken);
        if ((int)import.StatusCode != 200 || (int)issued.StatusCode != 201)
        {
            throw new InvalidOperationException($"could not issue a key for {entityId}: import {(int)import.StatusCode}, keys {(int)issued.StatusCode}{Environment.NewLine}{HostOutput}");
        }

        var body = System.Text.Json.Nodes.JsonNode.Parse(await issued.Content.ReadAsStringAsync(cancellationToken))!;
        return (string)body["key"]!;
    }

    /// <summary>The running worker's process id as the host reports it; waits while the worker (re)starts.</summary>
    public async Task<int> WorkerProcessIdAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using (var response = await Functions.GetAsync("admin/host/status", cancellationToken))
            {
                var status = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!;
                if (status["workerProcessId"] is { } pid && (string?)status["state"] == "Running")
                {
                    return (int)pid;
                }
            }

            if (DateTime.UtcNow > deadline || host.HasExited)
            {
                throw new InvalidOperationException("the host reports no running worker:" + Environment.NewLine + HostOutput);
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>
    /// A client of the host whose connections come from <paramref name="source"/> (any 127.x.y.z address is loopback on
    /// Linux), so that the host sees another client address; with a bearer key when one is given.
    /// </summary>
    public HttpClient ClientFrom(System.Net.IPAddress source, string? key)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                try
                {
                    socket.Bind(new System.Net.IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{hostPort}/") };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        Simulator.Dispose();
        Functions.Dispose();
        Staff.Dispose();
        Analyst.Dispose();
        await host.DisposeAsync();
        await simulator.DisposeAsync();
        await azurite.DisposeAsync();
    }

    private static HttpClient Authorized(int port, string key)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>
    /// The host listens before the worker is ready; wait until /admin/host/status says it runs and the app serves
    /// its routes (the dashboard page, which needs no key, answers 200).
    /// </summary>
    private async Task WaitForHandlerAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await Functions.GetAsync("admin/host/status", cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.IsSuccessStatusCode && body.Contains("Running", StringComparison.Ordinal))
                {
                    using var page = await Functions.GetAsync("api/dashboard", cancellationToken);
                    if (page.IsSuccessStatusCode)
                    {
                        return;
                    }
                }
            }
            catch (HttpRequestException)
            {
            }

            if (host.HasExited)
            {
                break;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new InvalidOperationException("the function app did not become ready:" + Environment.NewLine + HostOutput);
    }
}
