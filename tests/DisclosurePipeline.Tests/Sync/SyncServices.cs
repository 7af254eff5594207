using System.Text;
using System.Text.Json;
using DisclosurePipeline.Configuration;
using DisclosurePipeline.Progress;
using DisclosurePipeline.PublicData;
using DisclosurePipeline.Registry;
using DisclosurePipeline.Storage;
using DisclosurePipeline.Sync;
using DisclosurePipeline.Tests.Infrastructure;
using DisclosurePipeline.Tests.PublicData;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DisclosurePipeline.Tests.Sync;

/// <summary>The production sync services over fresh storage names, with the queue drained by the test.</summary>
internal sealed class SyncServices : IAsyncDisposable
{
    private readonly ServiceProvider provider;

    private SyncServices(ServiceProvider provider) => this.provider = provider;

    public SyncScheduler Scheduler => provider.GetRequiredService<SyncScheduler>();

    public SyncBatchProcessor Processor => provider.GetRequiredService<SyncBatchProcessor>();

    public ScheduledSync Scheduled => provider.GetRequiredService<ScheduledSync>();

    public ProgressRollupService Rollup => provider.GetRequiredService<ProgressRollupService>();

    public IProgressStore Progress => provider.GetRequiredService<IProgressStore>();

    public IEntityStore Entities => provider.GetRequiredService<IEntityStore>();

    public ICaseStore Cases => provider.GetRequiredService<ICaseStore>();

    public ISyncRunStore Runs => provider.GetRequiredService<ISyncRunStore>();

    private StorageAccount Account => provider.GetRequiredService<StorageAccount>();

    public static async Task<SyncServices> CreateAsync(SimulatorProcess simulator, CancellationToken ct, Uri? platformUrl = null)
    {
        var azurite = await Azurite.GetAsync(ct);
        return new SyncServices(BuildProvider(azurite.ConnectionString, StorageNames.Unique(), platformUrl ?? simulator.BaseUrl));
    }

    /// <summary>
    /// The services as the function app wires them, over <paramref name="connectionString"/> with
    /// <paramref name="names"/> (two providers with the same names share their data) and the platform at
    /// <paramref name="platform"/>; the public data client retries little and fast.
    /// </summary>
    public static ServiceProvider BuildProvider(string connectionString, StorageNames names, Uri platform)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PublicData:BaseUrl"] = platform.ToString(),
            ["PublicData:ApiKey"] = SimulatorProcess.ApiKey,
            ["PublicData:MaxAttempts"] = "2",
            ["PublicData:RetryBaseDelay"] = "00:00:00.010",
            ["PublicData:AttemptTimeout"] = "00:00:05",
        }).Build();
        var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton(TimeProvider.System)
            .AddPipelineStorage(connectionString, names)
            .AddPublicDataClient(configuration)
            .AddSingleton<RegistryImport>()
            .AddSingleton<SyncScheduler>()
            .AddSingleton<SyncBatchProcessor>()
            .AddSingleton<ScheduledSync>()
            .AddSingleton<ProgressRollupService>();
        services.AddOptions<PipelineOptions>();
        services.AddOptions<TargetsOptions>();
        return services.BuildServiceProvider();
    }

    public async Task ImportAsync(string csv, CancellationToken ct)
    {
        var result = await provider.GetRequiredService<RegistryImport>().ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), ct);
        Assert.IsEmpty(result.Rejected, string.Join("; ", result.Rejected.Select(r => r.Error)));
    }

    /// <summary>Receives every queued batch message (base64 JSON, as the Functions host reads it) and deletes it.</summary>
    public async Task<List<SyncBatchMessage>> ReceiveAllAsync(CancellationToken ct)
    {
        var queue = await Account.GetQueueAsync(StorageNames.SyncBatchesQueue, ct);
        var texts = await queue.TakeAllAsync(ct);
        return [.. texts.Select(t => JsonSerializer.Deserialize<SyncBatchMessage>(t, JsonSerializerOptions.Web)!)];
    }

    public async Task<int> DrainAsync(CancellationToken ct)
    {
        var messages = await ReceiveAllAsync(ct);
        foreach (var message in messages)
        {
            await Processor.ProcessAsync(message, ct);
        }

        return messages.Count;
    }

    /// <summary>Every entity and case row with its ETag.</summary>
    public async Task<List<string>> SnapshotAsync(CancellationToken ct)
    {
        var rows = new List<string>();
        foreach (var name in new[] { StorageNames.EntitiesTable, StorageNames.CasesTable })
        {
            var table = await Account.GetTableAsync(name, ct);
            rows.AddRange((await Storage.RawRows.AllAsync(table, ct)).Select(r => $"{name}/{r.PartitionKey}/{r.RowKey}/{r.ETag}"));
        }

        return rows;
    }

    public ValueTask DisposeAsync() => provider.DisposeAsync();
}
