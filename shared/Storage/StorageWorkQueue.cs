using System.Text.Json;

namespace DisclosurePipeline.Storage;

/// <summary>
/// <see cref="IWorkQueue"/> over storage queues: the message is JSON (web defaults: camelCase), sent
/// base64-encoded (the queue clients' <c>MessageEncoding</c>) as the Functions host's queue trigger reads it.
/// </summary>
internal sealed class StorageWorkQueue(StorageAccount account) : IWorkQueue
{
    /// <summary>The largest JSON payload (UTF-8 bytes): base64 makes it 64 KiB, the queue's limit.</summary>
    public const int MaxPayloadBytes = 48 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task EnqueueAsync<T>(string queueName, T message, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(queueName);
        var json = JsonSerializer.SerializeToUtf8Bytes(message, Json);
        if (json.Length > MaxPayloadBytes)
        {
            throw new ArgumentException(
                $"a message for queue '{queueName}' is {json.Length} bytes of JSON; at most {MaxPayloadBytes} fit in a queue message (send smaller batches)",
                nameof(message));
        }

        var queue = await account.GetQueueAsync(queueName, cancellationToken).ConfigureAwait(false);
        await queue.SendMessageAsync(new BinaryData(json), cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
