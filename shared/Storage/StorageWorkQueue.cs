using System.Text;
using System.Text.Json;
using Microsoft.WindowsAzure.Storage.Queue;

namespace DisclosurePipeline.Storage;

/// <summary>
/// <see cref="IWorkQueue"/> over storage queues: the message is JSON (web defaults: camelCase), sent
/// base64-encoded as the Functions host's queue trigger expects.
/// </summary>
internal sealed class StorageWorkQueue(StorageAccount account) : IWorkQueue
{
    /// <summary>The largest JSON payload (UTF-8 bytes): base64 makes it 64 KiB, the queue's limit.</summary>
    public const int MaxPayloadBytes = 48 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task EnqueueAsync<T>(string queueName, T message, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(queueName);
        var json = JsonSerializer.Serialize(message, Json);
        var bytes = Encoding.UTF8.GetByteCount(json);
        if (bytes > MaxPayloadBytes)
        {
            throw new ArgumentException(
                $"a message for queue '{queueName}' is {bytes} bytes of JSON; at most {MaxPayloadBytes} fit in a queue message (send smaller batches)",
                nameof(message));
        }

        var queue = await account.GetQueueAsync(queueName, cancellationToken).ConfigureAwait(false);
        await queue.AddMessageAsync(new CloudQueueMessage(json), null, null, null, null, cancellationToken).ConfigureAwait(false);
    }
}
