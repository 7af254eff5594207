using System.Globalization;
using System.Text.Json.Nodes;

namespace Benchmark;

/// <summary>The queue settings of the app's host.json that shape how the Functions host drains a queue.</summary>
internal sealed record HostQueueSettings(int BatchSize, int NewBatchThreshold, TimeSpan MaxPollingInterval, TimeSpan VisibilityTimeout, int MaxDequeueCount)
{
    /// <summary>The host's shortest polling interval (the Queues extension's minimum).</summary>
    public static readonly TimeSpan MinimumPollingInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a fetched message stays invisible while it is processed (the host renews it; a run here never needs that).</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    /// <summary>Most messages processed at once: a batch is fetched whenever in-flight work is at or below the threshold.</summary>
    public int Concurrency => BatchSize + NewBatchThreshold;

    public static HostQueueSettings Load(string hostJsonPath)
    {
        var queues = JsonNode.Parse(File.ReadAllText(hostJsonPath))?["extensions"]?["queues"];
        var batchSize = (int?)queues?["batchSize"] ?? 16;
        return new HostQueueSettings(
            batchSize,
            (int?)queues?["newBatchThreshold"] ?? batchSize / 2,
            Span(queues?["maxPollingInterval"], TimeSpan.FromMinutes(1)),
            Span(queues?["visibilityTimeout"], TimeSpan.Zero),
            (int?)queues?["maxDequeueCount"] ?? 5);
    }

    private static TimeSpan Span(JsonNode? node, TimeSpan fallback) =>
        node is null ? fallback : TimeSpan.Parse((string)node!, CultureInfo.InvariantCulture);
}
