using System.Collections.Concurrent;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;

namespace DisclosurePipeline.Storage;

/// <summary>
/// The storage clients of one account (created once and shared: they are thread-safe), and the tables, queues and
/// containers of <see cref="StorageNames"/>, each created on first use (once per process, safely under concurrency).
/// Other adapters in <c>shared/Storage</c> get their tables here, so resource creation and naming stay in one place.
/// Queue messages are base64-encoded, as the Functions host's queue trigger reads them (<c>messageEncoding: base64</c>).
/// </summary>
public sealed class StorageAccount : IStorageInitializer
{
    private readonly ConcurrentDictionary<string, Lazy<Task>> created = new(StringComparer.Ordinal);
    private readonly TableServiceClient tables;
    private readonly QueueServiceClient queues;
    private readonly BlobServiceClient blobs;

    /// <summary>Uses the given service clients (the queue client's options must use <see cref="QueueMessageEncoding.Base64"/>).</summary>
    /// <param name="tables">The table service client.</param>
    /// <param name="queues">The queue service client.</param>
    /// <param name="blobs">The blob service client.</param>
    /// <param name="names">The names to use; <see cref="StorageNames.Default"/> when null.</param>
    public StorageAccount(TableServiceClient tables, QueueServiceClient queues, BlobServiceClient blobs, StorageNames? names = null)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentNullException.ThrowIfNull(blobs);
        this.tables = tables;
        this.queues = queues;
        this.blobs = blobs;
        Names = names ?? StorageNames.Default;
    }

    /// <summary>Creates the clients for <paramref name="connectionString"/> (for tools and tests).</summary>
    /// <param name="connectionString">A storage connection string (for Azurite, <c>UseDevelopmentStorage=true</c> or explicit endpoints).</param>
    /// <param name="names">The names to use; <see cref="StorageNames.Default"/> when null.</param>
    public StorageAccount(string connectionString, StorageNames? names = null)
        : this(
            new TableServiceClient(StorageConnection.FromConnectionString(connectionString).ConnectionString),
            new QueueServiceClient(connectionString, QueueOptions()),
            new BlobServiceClient(connectionString),
            names)
    {
    }

    /// <summary>The names in use.</summary>
    public StorageNames Names { get; }

    /// <summary>The options every queue client of the pipeline uses: base64 messages, as the Functions host reads them.</summary>
    public static QueueClientOptions QueueOptions(QueueClientOptions? options = null)
    {
        options ??= new QueueClientOptions();
        options.MessageEncoding = QueueMessageEncoding.Base64;
        return options;
    }

    /// <summary>A table by logical name (see <see cref="StorageNames"/>), created if it does not exist yet.</summary>
    public async Task<TableClient> GetTableAsync(string logicalName, CancellationToken cancellationToken)
    {
        var table = tables.GetTableClient(Names.Table(logicalName));
        await EnsureAsync("table:" + table.Name, ct => table.CreateIfNotExistsAsync(ct), cancellationToken).ConfigureAwait(false);
        return table;
    }

    /// <summary>A queue by logical name, created if it does not exist yet. Its messages are base64-encoded.</summary>
    public async Task<QueueClient> GetQueueAsync(string logicalName, CancellationToken cancellationToken)
    {
        var queue = queues.GetQueueClient(Names.Queue(logicalName));
        await EnsureAsync("queue:" + queue.Name, ct => queue.CreateIfNotExistsAsync(null, ct), cancellationToken).ConfigureAwait(false);
        return queue;
    }

    /// <summary>A blob container by logical name (private access), created if it does not exist yet.</summary>
    public async Task<BlobContainerClient> GetContainerAsync(string logicalName, CancellationToken cancellationToken)
    {
        var container = blobs.GetBlobContainerClient(Names.Container(logicalName));
        await EnsureAsync(
            "container:" + container.Name,
            ct => container.CreateIfNotExistsAsync(PublicAccessType.None, null, null, ct),
            cancellationToken).ConfigureAwait(false);
        return container;
    }

    /// <inheritdoc />
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        var work = new List<Task>();
        work.AddRange(Names.Tables.Select(t => GetTableAsync(t, cancellationToken)));
        work.AddRange(Names.Queues.Select(q => GetQueueAsync(q, cancellationToken)));
        work.AddRange(Names.Containers.Select(c => GetContainerAsync(c, cancellationToken)));
        await Task.WhenAll(work).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="create"/> once per key. A failed (or cancelled) creation is forgotten so the
    /// next caller tries again; the creation itself is not cancelled by one caller giving up.
    /// </summary>
    private async Task EnsureAsync(string key, Func<CancellationToken, Task> create, CancellationToken cancellationToken)
    {
        var lazy = created.GetOrAdd(key, _ => new Lazy<Task>(() => create(CancellationToken.None)));
        try
        {
            await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (lazy.Value.IsFaulted || lazy.Value.IsCanceled)
        {
            created.TryRemove(new KeyValuePair<string, Lazy<Task>>(key, lazy));
            throw;
        }
    }
}

/// <summary>Creates every table, queue and container of <see cref="StorageNames"/> that does not exist yet.</summary>
public interface IStorageInitializer
{
    /// <summary>Creates what is missing; safe to call any number of times.</summary>
    Task EnsureCreatedAsync(CancellationToken cancellationToken);
}
