using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Benchmark;

/// <summary>Who caused a storage request: set by the benchmark around each call, flowing into the SDKs' events.</summary>
internal enum Origin
{
    /// <summary>Not attributed (should not happen during a measured phase).</summary>
    Other,

    /// <summary>Setup (creating tables and queues), not measured.</summary>
    Setup,

    /// <summary>The registry import (production <c>RegistryImport</c>).</summary>
    Import,

    /// <summary><c>SyncScheduler.StartFullRunAsync</c>: registry listing, run row, batch messages.</summary>
    Scheduler,

    /// <summary><c>SyncBatchProcessor.ProcessAsync</c>: range reads, entity/case writes, batch rows, run completion.</summary>
    Processor,

    /// <summary>What the Functions host itself does: receive and delete queue messages.</summary>
    Host,

    /// <summary>The benchmark looking at the run (is it completed?); excluded from the figures.</summary>
    Monitor,
}

/// <summary>
/// Counts every HTTP request the storage clients send (every attempt, retries included): an Azure.Core
/// <see cref="HttpPipelinePolicy"/> added per retry to the clients' options, classified by origin, service and
/// kind. Table writes are counted per request and per row written (an entity group transaction's body names each
/// row operation and its table).
/// </summary>
internal sealed partial class StorageCounter : HttpPipelinePolicy
{
    private static readonly AsyncLocal<Origin> CurrentOrigin = new();

    private readonly int tablePort;
    private readonly int queuePort;
    private readonly ConcurrentDictionary<(Origin Origin, string Kind), int> requests = new();
    private readonly ConcurrentDictionary<(Origin Origin, string Table), int> rowWrites = new();
    private readonly ConcurrentDictionary<string, (int Count, double Seconds)> tableTimes = new(StringComparer.Ordinal);
    // Responses that were not 2xx: 409 (insert of a row that exists), 412 (lost ETag race), 5xx, 0 (no response).
    private readonly ConcurrentDictionary<string, int> failures = new(StringComparer.Ordinal);

    public StorageCounter(int tablePort, int queuePort)
    {
        this.tablePort = tablePort;
        this.queuePort = queuePort;
    }

    /// <summary>Attributes the storage requests made by the code that runs until the scope is disposed.</summary>
    public static OriginScope As(Origin origin)
    {
        var previous = CurrentOrigin.Value;
        CurrentOrigin.Value = origin;
        return new OriginScope(previous);
    }

    /// <summary>A snapshot of the counts so far.</summary>
    public StorageCounts Snapshot() => new(
        requests.ToDictionary(p => p.Key, p => p.Value),
        rowWrites.ToDictionary(p => p.Key, p => p.Value),
        tableTimes.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
        failures.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline, async: false).AsTask().GetAwaiter().GetResult();

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline, async: true);

    private async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline, bool async)
    {
        var origin = CurrentOrigin.Value;
        var uri = message.Request.Uri.ToUri();
        var kind = uri.Port == tablePort ? CountTable(origin, message.Request, uri)
            : uri.Port == queuePort ? CountOther(origin, QueueKind(message.Request.Method, uri))
            : CountOther(origin, "blob");
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var status = 0;
        try
        {
            if (async)
            {
                await ProcessNextAsync(message, pipeline);
            }
            else
            {
                ProcessNext(message, pipeline);
            }

            status = message.HasResponse ? message.Response.Status : 0;
        }
        finally
        {
            if (uri.Port == tablePort)
            {
                var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
                tableTimes.AddOrUpdate(kind, (1, seconds), (_, t) => (t.Count + 1, t.Seconds + seconds));
            }

            if (status is < 200 or >= 300)
            {
                Add(failures, $"{kind} -> {status}");
            }
        }
    }

    private string CountOther(Origin origin, string kind)
    {
        Add(requests, (origin, kind));
        return kind;
    }

    private static string KindOf(string kind, string table) => kind + " " + table;

    private string CountTable(Origin origin, Request request, Uri uri)
    {
        var method = request.Method.Method;
        var resource = Uri.UnescapeDataString(uri.AbsolutePath).Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        if (resource == "$batch")
        {
            Add(requests, (origin, TableKinds.Batch));
            var tables = BatchTables(request);
            foreach (var table in tables)
            {
                Add(rowWrites, (origin, table));
            }

            return KindOf(TableKinds.Batch, tables[0]);
        }

        var name = TableName(resource);
        if (method == "GET")
        {
            Add(requests, (origin, TableKinds.Read));
            return KindOf(resource.Contains("PartitionKey=", StringComparison.Ordinal) ? "table point read" : "table query", name);
        }

        if (method == "POST" && name == "Tables")
        {
            Add(requests, (origin, TableKinds.Admin));
            return TableKinds.Admin;
        }

        if (name == "Tables")
        {
            Add(requests, (origin, TableKinds.Admin));
            return TableKinds.Admin;
        }

        // POST = insert, PUT = replace / insert-or-replace, MERGE = merge / insert-or-merge, DELETE.
        Add(requests, (origin, TableKinds.SingleWrite));
        Add(rowWrites, (origin, name));
        return KindOf(TableKinds.SingleWrite, name);
    }

    /// <summary>The table named by each operation line in an entity group transaction's multipart body.</summary>
    private static List<string> BatchTables(Request request)
    {
        var tables = new List<string>();
        if (request.Content is null)
        {
            tables.Add("(empty batch)");
            return tables;
        }

        // The transaction's body is built in memory; writing it out again leaves it sendable.
        using var copy = new MemoryStream();
        request.Content.WriteTo(copy, CancellationToken.None);
        var body = Encoding.UTF8.GetString(copy.ToArray());
        foreach (Match m in BatchOperationLine().Matches(body))
        {
            tables.Add(TableName(m.Groups["resource"].Value));
        }

        if (tables.Count == 0)
        {
            tables.Add("(unparsed batch)");
        }

        return tables;
    }

    private static string TableName(string resource)
    {
        resource = resource.Split('?')[0];
        var paren = resource.IndexOf('(', StringComparison.Ordinal);
        return paren < 0 ? resource : resource[..paren];
    }

    /// <summary>
    /// <c>GET …/messages</c> receive (<c>peekonly</c> peek), <c>POST …/messages</c> enqueue,
    /// <c>PUT …/messages/{id}</c> update, <c>DELETE</c> delete; anything else is queue administration.
    /// </summary>
    private static string QueueKind(RequestMethod method, Uri uri)
    {
        if (method == RequestMethod.Delete && uri.AbsolutePath.Contains("/messages/", StringComparison.Ordinal))
        {
            return QueueKinds.Delete;
        }

        var path = uri.AbsolutePath.TrimEnd('/');
        var query = uri.Query;
        if (path.EndsWith("/messages", StringComparison.Ordinal))
        {
            return query.Contains("peekonly", StringComparison.OrdinalIgnoreCase) ? QueueKinds.Peek
                : query.Contains("numofmessages", StringComparison.OrdinalIgnoreCase) ? QueueKinds.Receive
                : QueueKinds.Enqueue;
        }

        if (path.Contains("/messages/", StringComparison.Ordinal))
        {
            return query.Contains("visibilitytimeout", StringComparison.OrdinalIgnoreCase) ? QueueKinds.Update : QueueKinds.Delete;
        }

        return QueueKinds.Admin;
    }

    private static void Add<TKey>(ConcurrentDictionary<TKey, int> counts, TKey key)
        where TKey : notnull =>
        counts.AddOrUpdate(key, 1, (_, n) => n + 1);

    [GeneratedRegex(@"^(?:POST|PUT|MERGE|PATCH|DELETE) https?://[^\s]+/(?<resource>[^/\s]+) HTTP/1\.1\r?$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex BatchOperationLine();

    /// <summary>Restores the previous origin.</summary>
    internal readonly struct OriginScope(Origin previous) : IDisposable
    {
        public void Dispose() => CurrentOrigin.Value = previous;
    }
}

/// <summary>Kinds of table requests.</summary>
internal static class TableKinds
{
    public const string Read = "table read";
    public const string Batch = "table batch write";
    public const string SingleWrite = "table single write";
    public const string Admin = "table create";
}

/// <summary>Kinds of queue requests.</summary>
internal static class QueueKinds
{
    public const string Enqueue = "queue enqueue";
    public const string Receive = "queue receive";
    public const string Delete = "queue delete";
    public const string Update = "queue update";
    public const string Peek = "queue peek";
    public const string Admin = "queue admin";
}

/// <summary>Request counts by (origin, kind) and table rows written by (origin, table).</summary>
internal sealed record StorageCounts(
    IReadOnlyDictionary<(Origin Origin, string Kind), int> Requests,
    IReadOnlyDictionary<(Origin Origin, string Table), int> RowWrites,
    IReadOnlyDictionary<string, (int Count, double Seconds)> TableTimes,
    IReadOnlyDictionary<string, int> Failures)
{
    public StorageCounts Minus(StorageCounts before) => new(
        Requests.ToDictionary(p => p.Key, p => p.Value - before.Requests.GetValueOrDefault(p.Key)),
        RowWrites.ToDictionary(p => p.Key, p => p.Value - before.RowWrites.GetValueOrDefault(p.Key)),
        TableTimes.ToDictionary(
            p => p.Key,
            p => before.TableTimes.TryGetValue(p.Key, out var b) ? (p.Value.Count - b.Count, p.Value.Seconds - b.Seconds) : p.Value,
            StringComparer.Ordinal),
        Failures.ToDictionary(p => p.Key, p => p.Value - before.Failures.GetValueOrDefault(p.Key), StringComparer.Ordinal));

    /// <summary>Requests of the measured origins (the benchmark's own monitoring and setup left out).</summary>
    public int Total => Requests.Where(p => p.Key.Origin is not (Origin.Monitor or Origin.Setup)).Sum(p => p.Value);

    public int Count(string kind, params Origin[] origins) =>
        Requests.Where(p => p.Key.Kind == kind && (origins.Length == 0 ? p.Key.Origin is not (Origin.Monitor or Origin.Setup) : origins.Contains(p.Key.Origin))).Sum(p => p.Value);

    public int Rows(string table) =>
        RowWrites.Where(p => p.Key.Table == table && p.Key.Origin is not (Origin.Monitor or Origin.Setup)).Sum(p => p.Value);

    /// <summary>Requests the app's code sent (scheduler, processor, import): the host's queue receive and delete left out.</summary>
    public int App => Requests.Where(p => p.Key.Origin is Origin.Scheduler or Origin.Processor or Origin.Import or Origin.Other).Sum(p => p.Value);

    public int TableReads => Count(TableKinds.Read);

    public int TableWriteRequests => Count(TableKinds.Batch) + Count(TableKinds.SingleWrite);

    public int QueueRequests => Requests.Where(p => p.Key.Kind.StartsWith("queue", StringComparison.Ordinal) && p.Key.Origin is not (Origin.Monitor or Origin.Setup)).Sum(p => p.Value);
}
