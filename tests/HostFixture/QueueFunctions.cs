using System.Text.Json.Nodes;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace HostFixture;

/// <summary>
/// Queue triggers: <c>Work</c> (a typed <see cref="WorkItem"/>; kind "fail" throws), <c>Text</c>
/// (a string; "crash:&lt;id&gt;" ends the worker process the first time it sees that id), <c>FanOut</c>
/// (a comma-separated string, returned as one output message per part) and <c>Noop</c> (benchmark).
/// </summary>
public sealed class QueueFunctions(InvocationLog log, ILogger<QueueFunctions> logger)
{
    [Function("Work")]
    public void Work([QueueTrigger("%WorkQueue%")] WorkItem item, FunctionContext context)
    {
        log.Append("Work", new JsonObject
        {
            ["id"] = item.Id,
            ["kind"] = item.Kind,
            ["note"] = item.Note,
            ["bindingData"] = InvocationLog.BindingData(context),
        });
        logger.LogInformation("work item {Id} ({Kind})", item.Id, item.Kind);
        if (item.Kind == "fail")
        {
            throw new InvalidOperationException($"work item {item.Id} was asked to fail");
        }
    }

    [Function("Text")]
    public void Text([QueueTrigger("%TextQueue%")] string message, FunctionContext context)
    {
        log.Append("Text", new JsonObject { ["message"] = message, ["bindingData"] = InvocationLog.BindingData(context) });
        if (message.StartsWith("crash:", StringComparison.Ordinal) && log.Directory is { } directory)
        {
            var marker = Path.Combine(directory, "crashed-" + message["crash:".Length..]);
            if (!File.Exists(marker))
            {
                File.WriteAllText(marker, "");
                Environment.Exit(3);
            }
        }
    }

    [Function("FanOut")]
    [QueueOutput("%FanOutOutQueue%")]
    public string[] FanOut([QueueTrigger("%FanOutQueue%")] string message)
    {
        log.Append("FanOut", new JsonObject { ["message"] = message });
        return message.Split(',');
    }

    [Function("Noop")]
    public void Noop([QueueTrigger("%NoopQueue%")] string message)
    {
    }
}
