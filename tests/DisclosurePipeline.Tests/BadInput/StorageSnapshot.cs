using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace DisclosurePipeline.Tests.BadInput;

/// <summary>
/// Everything the pipeline stores, read straight from storage: every row of every table (keys and ETag), every blob
/// of every container (name and ETag; the host's own <c>azure-webjobs-*</c> containers left out) and the message
/// count of every queue. Two equal snapshots mean nothing was written in between.
/// </summary>
internal sealed class StorageSnapshot
{
    private StorageSnapshot(SortedSet<string> items) => Items = items;

    public SortedSet<string> Items { get; }

    public static async Task<StorageSnapshot> TakeAsync(string connectionString, CancellationToken cancellationToken)
    {
        var items = new SortedSet<string>(StringComparer.Ordinal);
        var tables = new TableServiceClient(connectionString);
        await foreach (var table in tables.QueryAsync(cancellationToken: cancellationToken))
        {
            items.Add("table " + table.Name);
            var client = tables.GetTableClient(table.Name);
            await foreach (var row in client.QueryAsync<TableEntity>(cancellationToken: cancellationToken))
            {
                items.Add($"row {table.Name}/{row.PartitionKey}/{row.RowKey} {row.ETag}");
            }
        }

        var blobs = new BlobServiceClient(connectionString);
        await foreach (var container in blobs.GetBlobContainersAsync(cancellationToken: cancellationToken))
        {
            if (container.Name.StartsWith("azure-webjobs-", StringComparison.Ordinal))
            {
                continue;
            }

            items.Add("container " + container.Name);
            await foreach (var blob in blobs.GetBlobContainerClient(container.Name).GetBlobsAsync(cancellationToken: cancellationToken))
            {
                items.Add($"blob {container.Name}/{blob.Name} {blob.Properties.ETag}");
            }
        }

        var queues = new QueueServiceClient(connectionString);
        await foreach (var queue in queues.GetQueuesAsync(cancellationToken: cancellationToken))
        {
            var properties = await queues.GetQueueClient(queue.Name).GetPropertiesAsync(cancellationToken);
            items.Add($"queue {queue.Name} {properties.Value.ApproximateMessagesCount}");
        }

        return new StorageSnapshot(items);
    }

    /// <summary>What differs from <paramref name="before"/>, one line per item (empty when nothing does).</summary>
    public string DifferenceFrom(StorageSnapshot before)
    {
        ArgumentNullException.ThrowIfNull(before);
        var gone = before.Items.Except(Items).Select(i => "- " + i);
        var added = Items.Except(before.Items).Select(i => "+ " + i);
        return string.Join(Environment.NewLine, gone.Concat(added));
    }
}
