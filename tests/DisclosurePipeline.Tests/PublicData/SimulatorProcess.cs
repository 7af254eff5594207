using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DisclosurePipeline.PublicData;
using DisclosurePipeline.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DisclosurePipeline.Tests.PublicData;

/// <summary>The public data simulator as a real process on a free loopback port, with its control plane.</summary>
internal sealed class SimulatorProcess : IAsyncDisposable
{
    public const string ApiKey = "sim-key";

    private readonly ToolProcess process;

    private SimulatorProcess(ToolProcess process, int port)
    {
        this.process = process;
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        Control = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseUrl { get; }

    /// <summary>A plain client for the control plane and raw contract calls (no key unless a test adds one).</summary>
    public HttpClient Control { get; }

    public static async Task<SimulatorProcess> StartAsync(int entities, int seed, CancellationToken cancellationToken)
    {
        var port = FreePort.Next();
        var process = ToolProcess.StartDotnet(
            RepoPaths.ToolDll("PublicDataSimulator"),
            ["--port", port.ToString(CultureInfo.InvariantCulture), "--entities", entities.ToString(CultureInfo.InvariantCulture),
             "--seed", seed.ToString(CultureInfo.InvariantCulture), "--api-key", ApiKey],
            new Dictionary<string, string?>());
        var simulator = new SimulatorProcess(process, port);
        try
        {
            await process.WaitForPortAsync(port, TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch
        {
            await simulator.DisposeAsync();
            throw;
        }

        return simulator;
    }

    /// <summary>A real <see cref="IPublicDataClient"/> (the production registration) pointed at this simulator.</summary>
    public ServiceProvider CreateClientServices(
        string? apiKey = null,
        int maxAttempts = 6,
        TimeSpan? attemptTimeout = null,
        TimeSpan? retryBaseDelay = null,
        int maxConcurrentRequests = 8,
        TimeProvider? timeProvider = null,
        ILoggerProvider? logs = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PublicData:BaseUrl"] = BaseUrl.ToString(),
            ["PublicData:ApiKey"] = apiKey ?? ApiKey,
            ["PublicData:MaxAttempts"] = maxAttempts.ToString(CultureInfo.InvariantCulture),
            ["PublicData:AttemptTimeout"] = (attemptTimeout ?? TimeSpan.FromSeconds(10)).ToString("c", CultureInfo.InvariantCulture),
            ["PublicData:RetryBaseDelay"] = (retryBaseDelay ?? TimeSpan.FromMilliseconds(10)).ToString("c", CultureInfo.InvariantCulture),
            ["PublicData:MaxConcurrentRequests"] = maxConcurrentRequests.ToString(CultureInfo.InvariantCulture),
        }).Build();
        var services = new ServiceCollection().AddLogging(b =>
        {
            if (logs is not null)
            {
                b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace);
            }
        });
        if (timeProvider is not null)
        {
            services.AddSingleton(timeProvider);
        }

        return services.AddPublicDataClient(configuration).BuildServiceProvider();
    }

    public async Task SetFaultsAsync(object faults, CancellationToken cancellationToken)
    {
        using var response = await Control.PutAsJsonAsync("sim/faults", faults, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        await SetFaultsAsync(new { }, cancellationToken);
        using var response = await Control.PostAsync("sim/stats/reset", null, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public async Task<SimulatorStats> StatsAsync(CancellationToken cancellationToken)
    {
        var json = await Control.GetFromJsonAsync<JsonObject>("sim/stats", cancellationToken) ?? throw new InvalidOperationException("no stats");
        var byStatus = json["byStatus"]!.AsObject().ToDictionary(p => int.Parse(p.Key, CultureInfo.InvariantCulture), p => p.Value!.GetValue<long>());
        return new SimulatorStats(
            json["requests"]!.GetValue<long>(), json["injected429"]!.GetValue<long>(), json["injected5xx"]!.GetValue<long>(),
            json["maxInFlight"]!.GetValue<long>(), byStatus);
    }

    public async Task<JsonObject> InfoAsync(CancellationToken cancellationToken) =>
        await Control.GetFromJsonAsync<JsonObject>("sim/info", cancellationToken) ?? throw new InvalidOperationException("no info");

    /// <summary>The registry CSV's rows as (id, name, kind, tier, region, email).</summary>
    public async Task<List<string[]>> RegistryAsync(int count, CancellationToken cancellationToken)
    {
        var csv = await Control.GetStringAsync($"sim/registry.csv?count={count}", cancellationToken);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.AreEqual("id,name,kind,tier,region,contactEmail", lines[0]);
        return [.. lines.Skip(1).Select(l => l.Split(','))];
    }

    /// <summary>The simulator's own view of an enterprise (records and disclosures), to compare the client against.</summary>
    public async Task<JsonObject> EnterpriseAsync(string id, CancellationToken cancellationToken, int? year = null) =>
        await Control.GetFromJsonAsync<JsonObject>($"sim/enterprises/{id}" + (year is null ? "" : $"?year={year}"), cancellationToken)
        ?? throw new InvalidOperationException("no enterprise");

    public async Task<JsonObject> PostControlAsync(string path, object? body, CancellationToken cancellationToken)
    {
        using var response = await Control.PostAsync(path, body is null ? null : JsonContent.Create(body), cancellationToken);
        response.EnsureSuccessStatusCode();
        return response.StatusCode == System.Net.HttpStatusCode.NoContent
            ? []
            : await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken) ?? [];
    }

    public async Task PutDisclosuresAsync(string id, object body, CancellationToken cancellationToken)
    {
        using var response = await Control.PutAsJsonAsync($"sim/disclosures/{id}", body, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>A raw contract call with the right key.</summary>
    public async Task<HttpResponseMessage> PostApiAsync(string path, string json, CancellationToken cancellationToken, string? apiKey = ApiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        return await Control.SendAsync(request, cancellationToken);
    }

    public static string Json(object value) => JsonSerializer.Serialize(value, JsonSerializerOptions.Web);

    public async ValueTask DisposeAsync()
    {
        Control.Dispose();
        await process.DisposeAsync();
    }
}

internal sealed record SimulatorStats(long Requests, long Injected429, long Injected5xx, long MaxInFlight, IReadOnlyDictionary<int, long> ByStatus)
{
    public long Count(int status) => ByStatus.TryGetValue(status, out var n) ? n : 0;
}

/// <summary>The system clock, recording every timer asked of it (Polly's retry delays and attempt timeouts).</summary>
internal sealed class RecordingTimeProvider : TimeProvider
{
    private readonly ConcurrentQueue<TimeSpan> dueTimes = new();

    public IReadOnlyCollection<TimeSpan> DueTimes => [.. dueTimes];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        dueTimes.Enqueue(dueTime);
        return base.CreateTimer(callback, state, dueTime, period);
    }
}
