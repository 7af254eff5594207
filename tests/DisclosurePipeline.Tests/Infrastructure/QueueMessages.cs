using Azure.Storage.Queues;

namespace DisclosurePipeline.Tests.Infrastructure;

internal static class QueueMessages
{
    /// <summary>
    /// Takes every message off <paramref name="queue"/> (decoded as the queue client's options say: the pipeline's
    /// clients decode base64, as the Functions host does) and deletes each; returns their texts in the order received.
    /// </summary>
    public static async Task<List<string>> TakeAllAsync(this QueueClient queue, CancellationToken cancellationToken)
    {
        var texts = new List<string>();
        while (true)
        {
            var received = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(1), cancellationToken)).Value;
            if (received.Length == 0)
            {
                return texts;
            }

            foreach (var message in received)
            {
                texts.Add(message.Body.ToString());
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
            }
        }
    }
}
