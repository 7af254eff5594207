using System.Text;
using System.Text.Json;
using DisclosurePipeline.Alerts;
using DisclosurePipeline.Auth;
using DisclosurePipeline.Cases;
using DisclosurePipeline.Configuration;
using DisclosurePipeline.Progress;
using DisclosurePipeline.PublicData;
using DisclosurePipeline.Registry;
using DisclosurePipeline.Storage;
using DisclosurePipeline.Sync;
using DisclosurePipeline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DisclosurePipeline.Tests.Registry;

/// <summary>
/// The registry, sync, alert, key and progress services as the app composes them, over Azurite (names of their own),
/// with a fake clock and <see cref="FakePlatform"/>; the test drains the sync queue itself.
/// </summary>
internal sealed class RegistryFixture : IAsyncDisposable
{
    /// <summary>Records are published at 10:00 in Shanghai on 2024-05-03 (plans due 2024-05-13).</summary>
    public static readonly DateTimeOffset Published = new(2024, 5, 3, 10, 0, 0, TimeSpan.FromHours(8));

    private readonly ServiceProvider provider;

    private RegistryFixture(ServiceProvider provider, FakeTimeProvider clock, FakePlatform platform)
    {
        this.provider = provider;
        Clock = clock;
        Platform = platform;
    }

    public FakeTimeProvider Clock { get; }

    public FakePlatform Platform { get; }

    public RegistryService Registry => provider.GetRequiredService<RegistryService>();

    public RegistryImport Import => provider.GetRequiredService<RegistryImport>();

    public ScheduledSync Scheduled => provider.GetRequiredService<ScheduledSync>();

    public SyncScheduler Scheduler => provider.GetRequiredService<SyncScheduler>();

    public SupplierKeyService Keys => provider.GetRequiredService<SupplierKeyService>();

    public AlertSweep Sweep => provider.GetRequiredService<AlertSweep>();

    public ProgressRollupService Rollup => provider.GetRequiredService<ProgressRollupService>();

    public CaseService Cases => provider.GetRequiredService<CaseService>();

    public IEntityStore Entities => provider.GetRequiredService<IEntityStore>();

    public ISupplierKeyStore KeyStore => provider.GetRequiredService<ISupplierKeyStore>();

    public IHistoryStore History => provider.GetRequiredService<IHistoryStore>();

    public ISyncRunStore Runs => provider.GetRequiredService<ISyncRunStore>();

    public IProgressStore Progress => provider.GetRequiredService<IProgressStore>();

    private StorageAccount Account => provider.GetRequiredService<StorageAccount>();

    public static async Task<RegistryFixture> CreateAsync(CancellationToken cancellationToken)
    {
        var azurite = await Azurite.GetAsync(cancellationToken);
        var clock = new FakeTimeProvider(Published.AddDays(1));
        var platform = new FakePlatform(Published);
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(clock)
            .AddSingleton<IPublicDataClient>(platform)
            .AddPipelineStorage(azurite.ConnectionString, StorageNames.Unique())
            .AddCaseServices()
            .AddSingleton<RegistryImport>()
            .AddSingleton<RegistryService>()
            .AddSingleton<SyncScheduler>()
            .AddSingleton<SyncBatchProcessor>()
            .AddSingleton<ScheduledSync>()
            .AddSingleton<ProgressRollupService>();
        services.AddOptions<PipelineOptions>();
        services.AddOptions<TargetsOptions>();
        services.AddOptions<AlertsOptions>();
        return new RegistryFixture(services.BuildServiceProvider(), clock, platform);
    }

    /// <summary>A CSV of <paramref name="ids"/> as suppliers (tier 1), or as subsidiaries when <paramref name="kind"/> says so.</summary>
    public static string Csv(IEnumerable<string> ids, string kind = "supplier", int tier = 1) =>
        "id,name,kind,tier\n" + string.Concat(ids.Select(id => $"{id},企业 {id[^5..]},{kind},{tier}\n"));

    public Task<RegistryImportOutcome> ImportAsync(string csv, CancellationToken ct) =>
        Registry.ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), ct);

    /// <summary>Takes every queued sync batch off the queue.</summary>
    public async Task<List<SyncBatchMessage>> TakeBatchesAsync(CancellationToken ct)
    {
        var queue = await Account.GetQueueAsync(StorageNames.SyncBatchesQueue, ct);
        var texts = await queue.TakeAllAsync(ct);
        return [.. texts.Select(t => JsonSerializer.Deserialize<SyncBatchMessage>(t, JsonSerializerOptions.Web)!)];
    }

    /// <summary>Processes every queued sync batch; returns the ids they named.</summary>
    public async Task<List<string>> DrainAsync(CancellationToken ct)
    {
        var processor = provider.GetRequiredService<SyncBatchProcessor>();
        var ids = new List<string>();
        foreach (var batch in await TakeBatchesAsync(ct))
        {
            await processor.ProcessAsync(batch, ct);
            ids.AddRange(batch.Ids);
        }

        return ids;
    }

    public ValueTask DisposeAsync() => provider.DisposeAsync();
}
