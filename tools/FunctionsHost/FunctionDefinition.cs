using System.Text.Json;
using System.Text.RegularExpressions;
using FunctionsHost.Rpc;

namespace FunctionsHost;

/// <summary>
/// A function as the worker indexed it (<c>RpcFunctionMetadata</c>), with its bindings parsed from
/// <c>raw_bindings</c> and <c>%settings%</c> resolved: its trigger, its queue outputs, and any other
/// bindings (which this host does not run).
/// </summary>
internal sealed record FunctionDefinition(
    string Name,
    string FunctionId,
    RpcFunctionMetadata Metadata,
    Trigger Trigger,
    IReadOnlyList<QueueOutput> QueueOutputs,
    IReadOnlyList<string> UnsupportedBindings)
{
    public const string ReturnBindingName = "$return";

    /// <summary>Reads one function from the worker's metadata; throws <see cref="InvalidOperationException"/> when it cannot run here.</summary>
    public static FunctionDefinition FromMetadata(RpcFunctionMetadata metadata, AppSettings settings)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var bindings = metadata.RawBindings.Select(ParseBinding).ToList();
        var triggers = bindings.Where(b => (JsonFiles.String(b, "type") ?? "").EndsWith("Trigger", StringComparison.OrdinalIgnoreCase)).ToList();
        if (triggers.Count != 1)
        {
            throw new InvalidOperationException($"a function must have exactly one trigger binding, found {triggers.Count}.");
        }

        var t = triggers[0];
        var triggerIndex = bindings.FindIndex(b => (JsonFiles.String(b, "type") ?? "").EndsWith("Trigger", StringComparison.OrdinalIgnoreCase));
        var type = JsonFiles.String(t, "type")!;
        var bindingName = JsonFiles.String(t, "name") ?? throw new InvalidOperationException("the trigger binding has no 'name'.");
        Trigger trigger = type.ToLowerInvariant() switch
        {
            "timertrigger" => new TimerTrigger(
                bindingName,
                settings.Resolve(JsonFiles.String(t, "schedule") ?? throw new InvalidOperationException("the timerTrigger has no 'schedule'.")),
                JsonFiles.Bool(t, "runOnStartup") ?? false,
                JsonFiles.Bool(t, "useMonitor") ?? true),
            "queuetrigger" => new QueueTrigger(
                bindingName,
                QueueTrigger.ValidateName(settings.Resolve(JsonFiles.String(t, "queueName") ?? throw new InvalidOperationException("the queueTrigger has no 'queueName'.")).ToLowerInvariant()),
                settings.StorageConnectionString(JsonFiles.String(t, "connection") is { } c ? settings.Resolve(c) : null)),
            "httptrigger" => new HttpTrigger(
                bindingName,
                JsonFiles.String(t, "route") is { Length: > 0 } route ? route.Trim('/') : metadata.Name,
                JsonFiles.Property(t, "methods") is { ValueKind: JsonValueKind.Array } methods
                    ? [.. methods.EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant())]
                    : [],
                JsonFiles.String(t, "authLevel") ?? "function"),
            _ => throw new InvalidOperationException($"trigger type '{type}' is not supported by the local host (timerTrigger, queueTrigger and httpTrigger are)."),
        };

        if (trigger is HttpTrigger http && HttpRoutes.TemplateError(http.Route) is { } routeError)
        {
            throw new InvalidOperationException($"the route '{http.Route}' is not a valid route template: {routeError}");
        }

        var outputs = new List<QueueOutput>();
        var unsupported = new List<string>();
        foreach (var binding in bindings.Where((_, i) => i != triggerIndex))
        {
            var bindingType = JsonFiles.String(binding, "type") ?? "";
            var name = JsonFiles.String(binding, "name") ?? "";
            var direction = JsonFiles.String(binding, "direction") ?? "";
            if (bindingType.Equals("queue", StringComparison.OrdinalIgnoreCase) && direction.Equals("out", StringComparison.OrdinalIgnoreCase))
            {
                outputs.Add(new QueueOutput(
                    name,
                    QueueTrigger.ValidateName(settings.Resolve(JsonFiles.String(binding, "queueName") ?? throw new InvalidOperationException($"the queue output '{name}' has no 'queueName'.")).ToLowerInvariant()),
                    settings.StorageConnectionString(JsonFiles.String(binding, "connection") is { } c ? settings.Resolve(c) : null)));
            }
            else if (!(trigger is HttpTrigger && bindingType.Equals("http", StringComparison.OrdinalIgnoreCase)))
            {
                unsupported.Add($"{bindingType} '{name}' ({direction})");
            }
        }

        return new FunctionDefinition(metadata.Name, metadata.FunctionId, metadata, trigger, outputs, unsupported);
    }

    /// <summary>
    /// The load request as the real host builds it: name, directory, entry point, script file, and per
    /// binding only type, direction and data type (binding properties are not copied).
    /// </summary>
    public FunctionLoadRequest ToLoadRequest()
    {
        var metadata = new RpcFunctionMetadata
        {
            Name = Metadata.Name,
            Directory = Metadata.Directory ?? "",
            EntryPoint = Metadata.EntryPoint,
            ScriptFile = Metadata.ScriptFile,
            IsProxy = false,
            Language = Metadata.Language,
        };
        foreach (var raw in Metadata.RawBindings.Select(ParseBinding))
        {
            var name = JsonFiles.String(raw, "name") ?? "";
            metadata.Bindings[name] = new BindingInfo
            {
                Type = JsonFiles.String(raw, "type") ?? "",
                Direction = (JsonFiles.String(raw, "direction") ?? "in").ToLowerInvariant() switch
                {
                    "out" => BindingInfo.Types.Direction.Out,
                    "inout" => BindingInfo.Types.Direction.Inout,
                    _ => BindingInfo.Types.Direction.In,
                },
                DataType = (JsonFiles.String(raw, "dataType") ?? "").ToLowerInvariant() switch
                {
                    "string" => BindingInfo.Types.DataType.String,
                    "binary" => BindingInfo.Types.DataType.Binary,
                    "stream" => BindingInfo.Types.DataType.Stream,
                    _ => BindingInfo.Types.DataType.Undefined,
                },
            };
        }

        foreach (var (key, value) in Metadata.Properties)
        {
            metadata.Properties[key] = value;
        }

        return new FunctionLoadRequest { FunctionId = FunctionId, Metadata = metadata };
    }

    private static JsonElement ParseBinding(string raw)
    {
        using var doc = JsonDocument.Parse(raw, JsonFiles.Options);
        return doc.RootElement.Clone();
    }
}

/// <summary>A function's trigger binding, with <c>%settings%</c> already resolved.</summary>
internal abstract record Trigger(string BindingName)
{
    public abstract string TypeName { get; }
}

internal sealed record TimerTrigger(string BindingName, string Schedule, bool RunOnStartup, bool UseMonitor) : Trigger(BindingName)
{
    public override string TypeName => "timerTrigger";
}

internal sealed partial record QueueTrigger(string BindingName, string QueueName, string ConnectionString) : Trigger(BindingName)
{
    public override string TypeName => "queueTrigger";

    public static string ValidateName(string name) =>
        QueueNamePattern().IsMatch(name) && !name.Contains("--", StringComparison.Ordinal)
            ? name
            : throw new InvalidOperationException($"'{name}' is not a valid queue name (3-63 lower-case letters, digits and single dashes).");

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex QueueNamePattern();
}

/// <summary>An HTTP trigger: <c>Route</c> without the prefix (default: the function name), upper-case <c>Methods</c> (empty means all).</summary>
internal sealed record HttpTrigger(string BindingName, string Route, IReadOnlyList<string> Methods, string AuthLevel) : Trigger(BindingName)
{
    public override string TypeName => "httpTrigger";
}

/// <summary>A queue output binding (<c>[QueueOutput]</c>): the output's name (<c>$return</c> or a property), the queue, its connection.</summary>
internal sealed record QueueOutput(string Name, string QueueName, string ConnectionString);
