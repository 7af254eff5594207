using DisclosurePipeline.Domain;
using DisclosurePipeline.Storage;
using DisclosurePipeline.Tests.Infrastructure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;

namespace DisclosurePipeline.Tests.Storage;

/// <summary>The storage adapters over the shared Azurite, with names of their own (a fresh prefix).</summary>
internal sealed class TestStorage : IAsyncDisposable
{
    private readonly ServiceProvider provider;

    private TestStorage(ServiceProvider provider, string connectionString)
    {
        this.provider = provider;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public StorageAccount Account => provider.GetRequiredService<StorageAccount>();

    public StorageNames Names => Account.Names;

    public IEntityStore Entities => provider.GetRequiredService<IEntityStore>();

    public ICaseStore Cases => provider.GetRequiredService<ICaseStore>();

    public ISyncRunStore SyncRuns => provider.GetRequiredService<ISyncRunStore>();

    public IWorkQueue Queue => provider.GetRequiredService<IWorkQueue>();

    public IPlanStore Plans => provider.GetRequiredService<IPlanStore>();

    public IAlertStore Alerts => provider.GetRequiredService<IAlertStore>();

    public ISupplierKeyStore Keys => provider.GetRequiredService<ISupplierKeyStore>();

    public IHistoryStore History => provider.GetRequiredService<IHistoryStore>();

    public IDocumentStore Documents => provider.GetRequiredService<IDocumentStore>();

    public static async Task<TestStorage> CreateAsync(CancellationToken cancellationToken)
    {
        var azurite = await Azurite.GetAsync(cancellationToken);
        var services = new ServiceCollection().AddPipelineStorage(azurite.ConnectionString, StorageNames.Unique());
        return new TestStorage(services.BuildServiceProvider(), azurite.ConnectionString);
    }

    /// <summary>A table read directly (not through the adapters), to check what was really written.</summary>
    public TableClient RawTable(string logicalName) => new TableServiceClient(ConnectionString).GetTableClient(Names.Table(logicalName));

    /// <summary>A queue read directly, without message decoding (what the Functions host receives on the wire).</summary>
    public QueueClient RawQueue(string logicalName) => new QueueServiceClient(ConnectionString).GetQueueClient(Names.Queue(logicalName));

    /// <summary>A blob container read directly.</summary>
    public BlobContainerClient RawContainer(string logicalName) => new BlobServiceClient(ConnectionString).GetBlobContainerClient(Names.Container(logicalName));

    /// <summary>Every row of a table as stored (typed by the EDM type of each column).</summary>
    public Task<List<TableEntity>> RawRowsAsync(string logicalName, CancellationToken cancellationToken) =>
        RawRows.AllAsync(RawTable(logicalName), cancellationToken);

    public ValueTask DisposeAsync() => provider.DisposeAsync();
}

/// <summary>Valid USCCs made up for tests.</summary>
internal static class TestIds
{
    /// <summary>The n-th made-up code: a fixed 10-character prefix, n in base 31 (7 digits), and the check character.</summary>
    public static string Uscc(int n, string prefix = "9144030000")
    {
        var digits = new char[7];
        for (var i = 6; i >= 0; i--)
        {
            digits[i] = DisclosurePipeline.Domain.Uscc.Alphabet[n % 31];
            n /= 31;
        }

        var first17 = prefix + new string(digits);
        return first17 + DisclosurePipeline.Domain.Uscc.CheckCharacter(first17);
    }

    /// <summary>Codes for 0..count-1.</summary>
    public static List<string> Many(int count, string prefix = "9144030000") =>
        Enumerable.Range(0, count).Select(n => Uscc(n, prefix)).ToList();

    /// <summary>At least <paramref name="count"/> codes that all fall in one shard, sorted.</summary>
    public static List<string> InOneShard(string shard, int count) =>
        Enumerable.Range(0, count * 64).Select(n => Uscc(n)).Where(id => DisclosurePipeline.Domain.Uscc.Shard(id) == shard)
            .Take(count).Order(StringComparer.Ordinal).ToList();

    public static RegisteredEntity Entity(string id, string name = "深圳市某某电子有限公司", EntityKind kind = EntityKind.Supplier) =>
        new(id, name, kind, 1, "广东省深圳市", "ehs@example.com");
}
