using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace FunctionsHost;

/// <summary>
/// A worker app's build or publish output as the host reads it: <c>host.json</c> (timeout, route
/// prefix, queue options) and <c>worker.config.json</c> (how to start the worker). The functions
/// themselves come from the worker (worker indexing).
/// </summary>
internal sealed record AppDefinition(
    string RootPath,
    string HostId,
    WorkerDescription Worker,
    TimeSpan FunctionTimeout,
    string RoutePrefix,
    QueuesOptions Queues)
{
    /// <summary>The Consumption plan's default when host.json sets no functionTimeout.</summary>
    public static readonly TimeSpan DefaultFunctionTimeout = TimeSpan.FromMinutes(5);

    public static AppDefinition Load(string rootPath, AppSettings settings)
    {
        rootPath = Path.GetFullPath(rootPath);
        var hostJsonPath = Path.Combine(rootPath, "host.json");
        if (!File.Exists(hostJsonPath))
        {
            throw new InvalidOperationException($"No host.json in '{rootPath}': --app must point at a worker app's build or publish output.");
        }

        using var hostDoc = JsonDocument.Parse(File.ReadAllText(hostJsonPath), JsonFiles.Options);
        var host = hostDoc.RootElement;
        var extensions = JsonFiles.Property(host, "extensions");
        var http = extensions is { } e ? JsonFiles.Property(e, "http") : null;
        var routePrefix = http is { } h ? JsonFiles.String(h, "routePrefix") ?? "api" : "api";
        var queues = QueuesOptions.Read(extensions is { } x ? JsonFiles.Property(x, "queues") : null);
        var timeout = JsonFiles.TimeSpan(host, "functionTimeout") ?? DefaultFunctionTimeout;
        var hostId = settings.Get("AzureFunctionsJobHost__id") ?? DeriveHostId(rootPath);
        return new AppDefinition(rootPath, hostId, WorkerDescription.Load(rootPath), timeout, routePrefix.Trim('/'), queues);
    }

    /// <summary>A stable host id for an app folder: lower-case, at most 32 characters, like the real ones.</summary>
    public static string DeriveHostId(string rootPath)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(rootPath)));
        return "local-" + Convert.ToHexStringLower(hash)[..26];
    }
}

/// <summary>
/// The app's <c>worker.config.json</c> <c>description</c>: the executable (<c>dotnet</c>), the app
/// dll and extra arguments, and whether the worker indexes its own functions.
/// </summary>
internal sealed record WorkerDescription(
    string Language,
    string DefaultExecutablePath,
    string DefaultWorkerPath,
    IReadOnlyList<string> Arguments,
    IReadOnlyList<string> WorkerArguments,
    bool WorkerIndexing)
{
    public static WorkerDescription Load(string rootPath)
    {
        var path = Path.Combine(rootPath, "worker.config.json");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"No worker.config.json in '{rootPath}': --app must point at the output folder of a .NET isolated worker project (built with Microsoft.Azure.Functions.Worker.Sdk).");
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(path), JsonFiles.Options);
        var description = JsonFiles.Property(doc.RootElement, "description")
            ?? throw new InvalidOperationException("worker.config.json has no 'description'.");
        var exe = JsonFiles.String(description, "defaultExecutablePath");
        var workerPath = JsonFiles.String(description, "defaultWorkerPath");
        if (string.IsNullOrWhiteSpace(exe) || string.IsNullOrWhiteSpace(workerPath))
        {
            throw new InvalidOperationException("worker.config.json: 'description.defaultExecutablePath' and 'defaultWorkerPath' are required.");
        }

        var worker = new WorkerDescription(
            JsonFiles.String(description, "language") ?? "dotnet-isolated",
            exe,
            workerPath,
            Strings(description, "arguments"),
            Strings(description, "workerArguments"),
            JsonFiles.Bool(description, "workerIndexing") ?? false);
        return worker.WorkerIndexing
            ? worker
            : throw new InvalidOperationException("worker.config.json: 'workerIndexing' is not true; this host only runs workers that index their own functions.");
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
