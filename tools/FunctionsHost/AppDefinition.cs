using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FunctionsHost;

/// <summary>A function app as the Functions host reads it: host.json plus one folder per function.</summary>
internal sealed partial record AppDefinition(
    string RootPath,
    string HostId,
    CustomHandlerDescription Handler,
    TimeSpan FunctionTimeout,
    string RoutePrefix,
    QueuesOptions Queues,
    IReadOnlyList<FunctionDefinition> Functions,
    IReadOnlyList<string> Errors)
{
    /// <summary>The Consumption plan's default when host.json sets no functionTimeout.</summary>
    public static readonly TimeSpan DefaultFunctionTimeout = TimeSpan.FromMinutes(5);

    public FunctionDefinition? Find(string name) =>
        Functions.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Reads host.json and every <c>*/function.json</c> under <paramref name="rootPath"/>. A function
    /// whose bindings cannot be resolved is reported in <see cref="Errors"/> and left out (as the host
    /// does: "The 'X' function is in error"); a broken host.json fails the whole load.
    /// </summary>
    public static AppDefinition Load(string rootPath, AppSettings settings)
    {
        rootPath = Path.GetFullPath(rootPath);
        var hostJsonPath = Path.Combine(rootPath, "host.json");
        if (!File.Exists(hostJsonPath))
        {
            throw new InvalidOperationException($"No host.json in '{rootPath}': --app must point at an assembled function app.");
        }

        using var hostDoc = JsonDocument.Parse(File.ReadAllText(hostJsonPath), JsonFiles.Options);
        var host = hostDoc.RootElement;
        var handler = CustomHandlerDescription.Read(host);
        var extensions = JsonFiles.Property(host, "extensions");
        var http = extensions is { } e ? JsonFiles.Property(e, "http") : null;
        var routePrefix = http is { } h ? JsonFiles.String(h, "routePrefix") ?? "api" : "api";
        var queues = QueuesOptions.Read(extensions is { } x ? JsonFiles.Property(x, "queues") : null);
        var timeout = JsonFiles.TimeSpan(host, "functionTimeout") ?? DefaultFunctionTimeout;

        var functions = new List<FunctionDefinition>();
        var errors = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories(rootPath).Order(StringComparer.Ordinal))
        {
            var functionJson = Path.Combine(dir, "function.json");
            if (!File.Exists(functionJson))
            {
                continue;
            }

            var name = Path.GetFileName(dir);
            try
            {
                functions.Add(FunctionDefinition.Read(name, File.ReadAllText(functionJson), settings));
            }
            catch (Exception ex) when (ex is InvalidOperationException or JsonException)
            {
                errors.Add($"The '{name}' function is in error: {ex.Message}");
            }
        }

        var hostId = settings.Get("AzureFunctionsJobHost__id") ?? DeriveHostId(rootPath);
        return new AppDefinition(rootPath, hostId, handler, timeout, routePrefix.Trim('/'), queues, functions, errors);
    }

    /// <summary>A stable host id for an app folder: lower-case, at most 32 characters, like the real ones.</summary>
    public static string DeriveHostId(string rootPath)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(rootPath)));
        return "local-" + Convert.ToHexStringLower(hash)[..26];
    }

    [GeneratedRegex("^[a-z][a-z0-9_\\-]{0,127}$", RegexOptions.IgnoreCase)]
    internal static partial Regex FunctionNamePattern();
}

/// <summary>host.json's <c>customHandler</c> section (or the older <c>httpWorker</c>).</summary>
internal sealed record CustomHandlerDescription(
    string DefaultExecutablePath,
    string? WorkingDirectory,
    IReadOnlyList<string> Arguments,
    string? DefaultWorkerPath,
    IReadOnlyList<string> WorkerArguments,
    bool EnableForwardingHttpRequest,
    TimeSpan InitializationTimeout)
{
    public static CustomHandlerDescription Read(JsonElement host)
    {
        var section = JsonFiles.Property(host, "customHandler") ?? JsonFiles.Property(host, "httpWorker")
            ?? throw new InvalidOperationException("host.json has no 'customHandler' section; this host runs custom handlers only.");
        var description = JsonFiles.Property(section, "description")
            ?? throw new InvalidOperationException("host.json: 'customHandler.description' is missing.");
        var exe = JsonFiles.String(description, "defaultExecutablePath");
        if (string.IsNullOrWhiteSpace(exe))
        {
            throw new InvalidOperationException("host.json: 'customHandler.description.defaultExecutablePath' is required.");
        }

        return new CustomHandlerDescription(
            exe,
            JsonFiles.String(description, "workingDirectory"),
            Strings(description, "arguments"),
            JsonFiles.String(description, "defaultWorkerPath"),
            Strings(description, "workerArguments"),
            JsonFiles.Bool(section, "enableForwardingHttpRequest") ?? false,
            JsonFiles.TimeSpan(section, "initializationTimeout") ?? TimeSpan.FromSeconds(30));
    }

    private static string[] Strings(JsonElement element, string name) =>
        JsonFiles.Property(element, name) is { ValueKind: JsonValueKind.Array } array
            ? [.. array.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!)]
            : [];
}

/// <summary>host.json's <c>extensions.queues</c>, with the Queues extension's defaults.</summary>
internal sealed record QueuesOptions(
    int BatchSize,
    int NewBatchThreshold,
    TimeSpan MaxPollingInterval,
    TimeSpan VisibilityTimeout,
    int MaxDequeueCount,
    bool Base64)
{
    /// <summary>The shortest polling interval the extension uses.</summary>
    public static readonly TimeSpan MinimumPollingInterval = TimeSpan.FromMilliseconds(100);

    public static QueuesOptions Read(JsonElement? section)
    {
        var s = section ?? default;
        var batchSize = Math.Clamp(section is null ? 16 : JsonFiles.Int(s, "batchSize") ?? 16, 1, 32);
        var encoding = section is null ? null : JsonFiles.String(s, "messageEncoding");
        if (encoding is not null && !encoding.Equals("base64", StringComparison.OrdinalIgnoreCase) && !encoding.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"host.json: extensions.queues.messageEncoding must be 'base64' or 'none', not '{encoding}'.");
        }

        return new QueuesOptions(
            batchSize,
            (section is null ? null : JsonFiles.Int(s, "newBatchThreshold")) ?? batchSize / 2 * Environment.ProcessorCount,
            // Core Tools' default is 2 s (the extension's own is 1 min).
            (section is null ? null : JsonFiles.TimeSpan(s, "maxPollingInterval")) ?? TimeSpan.FromSeconds(2),
            (section is null ? null : JsonFiles.TimeSpan(s, "visibilityTimeout")) ?? TimeSpan.Zero,
            (section is null ? null : JsonFiles.Int(s, "maxDequeueCount")) ?? 5,
            !"none".Equals(encoding, StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>One function folder: its name and its (resolved) trigger.</summary>
internal sealed record FunctionDefinition(string Name, Trigger Trigger, IReadOnlyList<string> UnsupportedBindings)
{
    public static FunctionDefinition Read(string name, string functionJson, AppSettings settings)
    {
        if (!AppDefinition.FunctionNamePattern().IsMatch(name) || name.Equals("host", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"'{name}' is not a valid function name.");
        }

        using var doc = JsonDocument.Parse(functionJson, JsonFiles.Options);
        if (JsonFiles.Bool(doc.RootElement, "disabled") == true)
        {
            throw new InvalidOperationException("the function is disabled in function.json.");
        }

        var bindings = JsonFiles.Property(doc.RootElement, "bindings") is { ValueKind: JsonValueKind.Array } array
            ? array.EnumerateArray().ToList()
            : throw new InvalidOperationException("function.json has no 'bindings' array.");

        var triggers = bindings.Where(b => (JsonFiles.String(b, "type") ?? "").EndsWith("Trigger", StringComparison.OrdinalIgnoreCase)).ToList();
        if (triggers.Count != 1)
        {
            throw new InvalidOperationException($"a function must have exactly one trigger binding, found {triggers.Count}.");
        }

        var t = triggers[0];
        var type = JsonFiles.String(t, "type")!;
        var bindingName = JsonFiles.String(t, "name") ?? throw new InvalidOperationException("the trigger binding has no 'name'.");
        var others = bindings.Where(b => !(JsonFiles.String(b, "type") ?? "").EndsWith("Trigger", StringComparison.OrdinalIgnoreCase)).ToList();
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
                JsonFiles.String(t, "route") is { Length: > 0 } route ? route.Trim('/') : name,
                JsonFiles.Property(t, "methods") is { ValueKind: JsonValueKind.Array } methods
                    ? [.. methods.EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant())]
                    : [],
                JsonFiles.String(t, "authLevel") ?? "function",
                IsHttpOutOnly(others)),
            _ => throw new InvalidOperationException($"trigger type '{type}' is not supported by the local host (timerTrigger, queueTrigger and httpTrigger are)."),
        };

        if (trigger is HttpTrigger http && HttpForwarder.TemplateError(http.Route) is { } routeError)
        {
            throw new InvalidOperationException($"the route '{http.Route}' is not a valid route template: {routeError}");
        }

        var unsupported = others
            .Where(b => !(trigger is HttpTrigger && "http".Equals(JsonFiles.String(b, "type"), StringComparison.OrdinalIgnoreCase)))
            .Select(b => $"{JsonFiles.String(b, "type")} '{JsonFiles.String(b, "name")}' ({JsonFiles.String(b, "direction")})")
            .ToList();
        return new FunctionDefinition(name, trigger, unsupported);
    }

    private static bool IsHttpOutOnly(List<JsonElement> others) =>
        others.Count == 1
        && "http".Equals(JsonFiles.String(others[0], "type"), StringComparison.OrdinalIgnoreCase)
        && "out".Equals(JsonFiles.String(others[0], "direction"), StringComparison.OrdinalIgnoreCase);
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

/// <summary>
/// An HTTP trigger: <c>Route</c> without the prefix (default: the function name), upper-case
/// <c>Methods</c> (empty means all), <c>IsHttpInAndOut</c> when the function has exactly one
/// httpTrigger in and one http out, the only shape that is forwarded.
/// </summary>
internal sealed record HttpTrigger(string BindingName, string Route, IReadOnlyList<string> Methods, string AuthLevel, bool IsHttpInAndOut)
    : Trigger(BindingName)
{
    public override string TypeName => "httpTrigger";
}
