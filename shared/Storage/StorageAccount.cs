using System.Collections.Concurrent;
using Microsoft.Azure.Cosmos.Table;
using Microsoft.WindowsAzure.Storage.Blob;
using Microsoft.WindowsAzure.Storage.Queue;
using BlobQueueAccount = Microsoft.WindowsAzure.Storage.CloudStorageAccount;
using TableAccount = Microsoft.Azure.Cosmos.Table.CloudStorageAccount;

namespace DisclosurePipeline.Storage;

/// <summary>
/// The storage clients of one account, created once (they are thread-safe and meant to be shared),
/// and the tables, queues and containers of <see cref="StorageNames"/>, each created on first use
/// (once per process, safely under concurrency). Other adapters in <c>shared/Storage</c> get their
/// tables here, so resource creation and naming stay in one place.
/// </summary>
public sealed class StorageAccount : IStorageInitializer
{
    private readonly ConcurrentDictionary<string, Lazy<Task>> created = new(StringComparer.Ordinal);
    private readonly CloudTableClient tables;
    private readonly CloudQueueClient queues;
    private readonly CloudBlobClient blobs;

    /// <summary>Creates the clients for <paramref name="connectionString"/>.</summary>
    /// <param name="connectionString">A storage connection string (for Azurite, <c>UseDevelopmentStorage=true</c> or explicit endpoints).</param>
    /// <param name="names">The names to use; <see cref="StorageNames.Default"/> when null.</param>
    public StorageAccount(string connectionString, StorageNames? names = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        Names = names ?? StorageNames.Default;
        tables = TableAccount.Parse(connectionString).CreateCloudTableClient();
        var account = BlobQueueAccount.Parse(connectionString);
        queues = account.CreateCloudQueueClient();
        blobs = account.CreateCloudBlobClient();
    }

    /// <summary>The names in use.</summary>
    public StorageNames Names { get; }

    /// <summary>A table by logical name (see <see cref="StorageNames"/>), created if it does not exist yet.</summary>
    public async Task<CloudTable> GetTableAsync(string logicalName, CancellationToken cancellationToken)
    {
        var table = tables.GetTableReference(Names.Table(logicalName));
        await EnsureAsync("table:" + table.Name, ct => table.CreateIfNotExistsAsync(null, null, ct), cancellationToken).ConfigureAwait(false);
        return table;
    }

    /// <summary>
    /// A queue by logical name, created if it does not exist yet. Its messages are base64-encoded
    /// (<see cref="CloudQueue.EncodeMessage"/>), as the Functions host's queue trigger expects.
    /// </summary>
    public async Task<CloudQueue> GetQueueAsync(string logicalName, CancellationToken cancellationToken)
    {
        var queue = queues.GetQueueReference(Names.Queue(logicalName));
        queue.EncodeMessage = true;
        await EnsureAsync("queue:" + queue.Name, ct => queue.CreateIfNotExistsAsync(null, null, ct), cancellationToken).ConfigureAwait(false);
        return queue;
    }

    /// <summary>A blob container by logical name (private access), created if it does not exist yet.</summary>
    public async Task<CloudBlobContainer> GetContainerAsync(string logicalName, CancellationToken cancellationToken)
    {
        var container = blobs.GetContainerReference(Names.Container(logicalName));
        await EnsureAsync(
            "container:" + container.Name,
            ct => container.CreateIfNotExistsAsync(BlobContainerPublicAccessType.Off, null, null, ct),
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
