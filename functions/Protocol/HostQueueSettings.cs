using System.Text.Json.Nodes;

namespace DisclosurePipeline.Functions.Protocol;

/// <summary>
/// The queue settings of the app's host.json that the handler needs to know (the host applies them;
/// the handler only needs to know which delivery is the last). Read once at start from the app root
/// (<c>FUNCTIONS_APP_ROOT_PATH</c>, else the parent of the handler's folder).
/// </summary>
internal sealed record HostQueueSettings(int MaxDequeueCount)
{
    public const int DefaultMaxDequeueCount = 5;

    public static HostQueueSettings Load(string? appRoot)
    {
        foreach (var dir in new[] { appRoot, Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)) })
        {
            var path = string.IsNullOrEmpty(dir) ? null : Path.Combine(dir, "host.json");
            if (path is not null && File.Exists(path))
            {
                var value = JsonNode.Parse(File.ReadAllText(path))?["extensions"]?["queues"]?["maxDequeueCount"];
                return new HostQueueSettings(value is null ? DefaultMaxDequeueCount : (int)value);
            }
        }

        return new HostQueueSettings(DefaultMaxDequeueCount);
    }
}
