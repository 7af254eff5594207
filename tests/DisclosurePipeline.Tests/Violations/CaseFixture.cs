using DisclosurePipeline.Alerts;
using DisclosurePipeline.Auth;
using DisclosurePipeline.Cases;
using DisclosurePipeline.Configuration;
using DisclosurePipeline.Domain;
using DisclosurePipeline.Storage;
using DisclosurePipeline.Tests.Infrastructure;
using DisclosurePipeline.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DisclosurePipeline.Tests.Violations;

/// <summary>The case, key and alert services over Azurite (names of their own) with a fake clock.</summary>
internal sealed class CaseFixture : IAsyncDisposable
{
    /// <summary>10:00 in Shanghai on 2024-05-03.</summary>
    public static readonly DateTimeOffset Published = new(2024, 5, 3, 10, 0, 0, TimeSpan.FromHours(8));

    private readonly ServiceProvider provider;

    private CaseFixture(ServiceProvider provider, FakeTimeProvider clock)
    {
        this.provider = provider;
        Clock = clock;
    }

    public FakeTimeProvider Clock { get; }

    public CaseService Cases => provider.GetRequiredService<CaseService>();

    public SupplierKeyService Keys => provider.GetRequiredService<SupplierKeyService>();

    public AlertSweep Sweep => provider.GetRequiredService<AlertSweep>();

    public AlertDelivery Delivery => provider.GetRequiredService<AlertDelivery>();

    public AlertDigests Digests => provider.GetRequiredService<AlertDigests>();

    public IAlertStore Alerts => provider.GetRequiredService<IAlertStore>();

    public IHistoryStore History => provider.GetRequiredService<IHistoryStore>();

    public ICaseStore CaseStore => provider.GetRequiredService<ICaseStore>();

    public IDocumentStore Documents => provider.GetRequiredService<IDocumentStore>();

    public StorageAccount Account => provider.GetRequiredService<StorageAccount>();

    /// <summary>A case service like <see cref="Cases"/> whose plan store is <paramref name="plans"/> (one made from the real one).</summary>
    public CaseService CasesWith(Func<IPlanStore, IPlanStore> plans) =>
        ActivatorUtilities.CreateInstance<CaseService>(provider, plans(provider.GetRequiredService<IPlanStore>()));

    public static Task<CaseFixture> CreateAsync(Uri? webhook, CancellationToken cancellationToken) =>
        CreateAsync(webhook, _ => { }, cancellationToken);

    /// <summary>A fixture whose alert settings <paramref name="configure"/> adjusts after the webhook is set.</summary>
    public static async Task<CaseFixture> CreateAsync(Uri? webhook, Action<AlertsOptions> configure, CancellationToken cancellationToken)
    {
        var azurite = await Azurite.GetAsync(cancellationToken);
        var clock = new FakeTimeProvider(Published.AddHours(1));
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(clock)
            .AddPipelineStorage(azurite.ConnectionString, StorageNames.Unique())
            .AddCaseServices();
        services.AddOptions<PipelineOptions>();
        services.AddOptions<AlertsOptions>().Configure(o =>
        {
            o.WebhookUrl = webhook;
            o.DeliveryTimeout = TimeSpan.FromSeconds(5);
            configure(o);
        });
        return new CaseFixture(services.BuildServiceProvider(), clock);
    }

    /// <summary>Registers an entity and opens cases for records published at <see cref="Published"/> (due 2024-05-13).</summary>
    public Task<RegisteredEntity> OpenAsync(int n, params string[] recordIds) => OpenAsync(n, Published, "ehs@example.com", recordIds);

    /// <summary>Registers an entity (with <paramref name="contactEmail"/>, or none) and opens cases for records published at <paramref name="published"/>.</summary>
    public async Task<RegisteredEntity> OpenAsync(int n, DateTimeOffset published, string? contactEmail, params string[] recordIds)
    {
        var entity = TestIds.Entity(TestIds.Uscc(n), "厦门某某化工有限公司 " + n) with { ContactEmail = contactEmail };
        await provider.GetRequiredService<IEntityStore>().SaveRegistryFieldsAsync([entity], CancellationToken.None);
        var rules = provider.GetRequiredService<CaseRules>();
        var opened = recordIds.Select(r => rules.Open(new ViolationRecord(
            r, entity.Id, entity.Name, "厦门市生态环境局", null, "water", "超标排放", null, null, published, false, null))).ToList();
        await CaseStore.ApplySyncAsync(opened, [], CancellationToken.None);
        return entity;
    }

    /// <summary>How many messages wait on the alerts queue.</summary>
    public async Task<int> QueuedAlertsAsync(CancellationToken cancellationToken)
    {
        var queue = await Account.GetQueueAsync(StorageNames.AlertsQueue, cancellationToken);
        var messages = await queue.PeekMessagesAsync(32, cancellationToken);
        return messages.Value.Length;
    }

    /// <summary>Takes the messages off the alerts queue and returns their alert ids.</summary>
    public async Task<List<string>> DrainAlertsQueueAsync(CancellationToken cancellationToken)
    {
        var queue = await Account.GetQueueAsync(StorageNames.AlertsQueue, cancellationToken);
        var texts = await queue.TakeAllAsync(cancellationToken);
        return [.. texts.Select(t => System.Text.Json.JsonDocument.Parse(t).RootElement.GetProperty("alertId").GetString()!)];
    }

    public static PlanContent Content(string summary = "修复排污口") =>
        new(summary, "阀门故障", [new PlanAction("更换阀门", "厂长", new DateOnly(2024, 6, 1))], new DateOnly(2024, 7, 1), PlanContact.None);

    public ValueTask DisposeAsync() => provider.DisposeAsync();
}
