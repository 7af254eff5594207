using Microsoft.WindowsAzure.Storage.Queue;

namespace DisclosurePipeline.Tests.Infrastructure;

internal static class QueueMessages
{
    /// <summary>
    /// Takes every message off <paramref name="queue"/> (as the Functions host would receive them: base64 decoded)
    /// and deletes each; returns their texts in the order received.
    /// </summary>
    public static async Task<List<string>> TakeAllAsync(this CloudQueue queue, CancellationToken cancellationToken)
    {
        var texts = new List<string>();
        while (true)
        {
            var received = (await queue.GetMessagesAsync(32, TimeSpan.FromMinutes(1), null, null, cancellationToken)).ToList();
            if (received.Count == 0)
            {
                return texts;
            }

            foreach (var message in received)
            {
                texts.Add(message.AsString);
                await queue.DeleteMessageAsync(message.Id, message.PopReceipt, null, null, cancellationToken);
            }
        }
    }
}
