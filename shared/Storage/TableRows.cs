using System.Globalization;
using System.Net;
using Azure;
using Azure.Data.Tables;

namespace DisclosurePipeline.Storage;

/// <summary>
/// How values are kept in table columns, and the table operations every adapter needs.
/// A merge cannot remove a column, so values that can become "none" are stored as strings in which
/// the empty string means none: timestamps in the round-trip format (offset kept), dates as
/// <c>yyyy-MM-dd</c>, decimals in invariant notation (exact, scale kept).
/// Filters are built with <see cref="TableClient.CreateQueryFilter(FormattableString)"/>, never concatenated.
/// </summary>
internal static class TableRows
{
    /// <summary>Most operations in one entity group transaction.</summary>
    public const int MaxBatchSize = 100;

    /// <summary>How many partitions' batches are written at once.</summary>
    public const int BatchParallelism = 4;

    public static string Text(string? value) => value ?? "";

    public static string? TextOrNull(string? value) => value is { Length: > 0 } s ? s : null;

    public static string Timestamp(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);

    public static string Timestamp(DateTimeOffset? value) => value is { } v ? Timestamp(v) : "";

    public static string Date(DateOnly value) => value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Date(DateOnly? value) => value is { } v ? Date(v) : "";

    public static string Amount(decimal? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "";

    public static DateTimeOffset? ParseTimestamp(string? value) =>
        TextOrNull(value) is { } s ? DateTimeOffset.ParseExact(s, "O", CultureInfo.InvariantCulture, DateTimeStyles.None) : null;

    public static DateOnly? ParseDate(string? value) =>
        TextOrNull(value) is { } s ? DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture) : null;

    public static decimal? ParseAmount(string? value) =>
        TextOrNull(value) is { } s ? decimal.Parse(s, NumberStyles.Number, CultureInfo.InvariantCulture) : null;

    public static bool IsConflict(this RequestFailedException e) => e.Status == (int)HttpStatusCode.Conflict;

    public static bool IsPreconditionFailed(this RequestFailedException e) => e.Status == (int)HttpStatusCode.PreconditionFailed;

    public static bool IsNotFound(this RequestFailedException e) => e.Status == (int)HttpStatusCode.NotFound;

    /// <summary>
    /// Replaces <paramref name="row"/> only if the stored row still has <paramref name="etag"/>; false when
    /// someone changed or deleted it first (412/404), the expected outcome of a lost race.
    /// </summary>
    public static async Task<bool> TryReplaceAsync<T>(this TableClient table, T row, string? etag, string what, CancellationToken cancellationToken)
        where T : ITableEntity
    {
        if (string.IsNullOrEmpty(etag))
        {
            throw new ArgumentException($"a {what} can only be replaced with the ETag it was read with", nameof(etag));
        }

        try
        {
            await table.UpdateEntityAsync(row, new ETag(etag), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.IsPreconditionFailed() || e.IsNotFound())
        {
            return false;
        }
    }

    /// <summary>Adds <paramref name="row"/>; false when a row with its keys exists already (409).</summary>
    public static async Task<bool> TryAddAsync<T>(this TableClient table, T row, CancellationToken cancellationToken)
        where T : ITableEntity
    {
        try
        {
            await table.AddEntityAsync(row, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.IsConflict())
        {
            return false;
        }
    }

    /// <summary>Every row a query returns, following continuation tokens; <paramref name="select"/> names the columns to fetch (all when null).</summary>
    public static async Task<List<T>> QueryAllAsync<T>(this TableClient table, string? filter, IEnumerable<string>? select, CancellationToken cancellationToken)
        where T : class, ITableEntity, new()
    {
        var rows = new List<T>();
        await foreach (var row in table.QueryAsync<T>(filter, MaxPageSize, select, cancellationToken).ConfigureAwait(false))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The first row a query returns, or null (a page may be empty while a continuation follows).</summary>
    public static async Task<T?> QueryFirstAsync<T>(this TableClient table, string filter, CancellationToken cancellationToken)
        where T : class, ITableEntity, new()
    {
        await foreach (var row in table.QueryAsync<T>(filter, 1, null, cancellationToken).ConfigureAwait(false))
        {
            return row;
        }

        return null;
    }

    /// <summary>One row by key, or null.</summary>
    public static async Task<T?> RetrieveAsync<T>(this TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken)
        where T : class, ITableEntity, new()
    {
        var response = await table.GetEntityIfExistsAsync<T>(partitionKey, rowKey, null, cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>A partition's rows whose keys fall in [<paramref name="first"/>, <paramref name="last"/>] (or [first, last) when not <paramref name="lastInclusive"/>).</summary>
    public static string RangeFilter(string partitionKey, string first, string last, bool lastInclusive = true) => lastInclusive
        ? TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {first} and RowKey le {last}")
        : TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {first} and RowKey lt {last}");

    /// <summary>Every row of one partition.</summary>
    public static string PartitionFilter(string partitionKey) => TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}");

    /// <summary>
    /// Writes rows with one operation kind in entity group transactions: grouped by partition, at most
    /// <see cref="MaxBatchSize"/> per transaction, a few partitions at once. When a transaction fails with
    /// <paramref name="tolerated"/> (e.g. 409 for inserts of rows that exist), that transaction's rows are
    /// written one by one instead, and rows failing with that status are skipped. Returns how many rows were skipped.
    /// Updates and deletes are unconditional (<see cref="ETag.All"/>).
    /// </summary>
    public static async Task<int> WriteBatchesAsync<T>(
        this TableClient table,
        IEnumerable<T> rows,
        TableTransactionActionType operation,
        HttpStatusCode? tolerated,
        CancellationToken cancellationToken)
        where T : ITableEntity
    {
        var chunks = rows
            .GroupBy(r => r.PartitionKey, StringComparer.Ordinal)
            .SelectMany(g => DistinctByRowKey(g).Chunk(MaxBatchSize))
            .ToList();
        var skipped = 0;
        await Parallel.ForEachAsync(
            chunks,
            new ParallelOptions { MaxDegreeOfParallelism = BatchParallelism, CancellationToken = cancellationToken },
            async (chunk, ct) =>
            {
                var n = await WriteChunkAsync(table, chunk, operation, tolerated, ct).ConfigureAwait(false);
                Interlocked.Add(ref skipped, n);
            }).ConfigureAwait(false);
        return skipped;
    }

    private static async Task<int> WriteChunkAsync<T>(
        TableClient table,
        T[] chunk,
        TableTransactionActionType operation,
        HttpStatusCode? tolerated,
        CancellationToken cancellationToken)
        where T : ITableEntity
    {
        if (chunk.Length > 1)
        {
            try
            {
                await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(operation, r, ETag.All)), cancellationToken).ConfigureAwait(false);
                return 0;
            }
            catch (RequestFailedException e) when (tolerated is { } status && e.Status == (int)status)
            {
                // Fall through: one by one, skipping the rows that fail the same way.
            }
        }

        var skipped = 0;
        foreach (var row in chunk)
        {
            try
            {
                await ExecuteAsync(table, row, operation, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (tolerated is { } status && e.Status == (int)status)
            {
                skipped++;
            }
        }

        return skipped;
    }

    private static Task<Response> ExecuteAsync<T>(TableClient table, T row, TableTransactionActionType operation, CancellationToken cancellationToken)
        where T : ITableEntity => operation switch
        {
            TableTransactionActionType.Add => table.AddEntityAsync(row, cancellationToken),
            TableTransactionActionType.UpsertMerge => table.UpsertEntityAsync(row, TableUpdateMode.Merge, cancellationToken),
            TableTransactionActionType.UpsertReplace => table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken),
            TableTransactionActionType.UpdateMerge => table.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Merge, cancellationToken),
            TableTransactionActionType.UpdateReplace => table.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Replace, cancellationToken),
            TableTransactionActionType.Delete => table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
        };

    /// <summary>A transaction may not touch one row twice: the last of duplicates wins.</summary>
    private static IEnumerable<T> DistinctByRowKey<T>(IEnumerable<T> rows)
        where T : ITableEntity
    {
        var byKey = new Dictionary<string, T>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var row in rows)
        {
            if (!byKey.ContainsKey(row.RowKey))
            {
                order.Add(row.RowKey);
            }

            byKey[row.RowKey] = row;
        }

        return order.Select(k => byKey[k]);
    }

    /// <summary>Largest page the table service returns.</summary>
    private const int MaxPageSize = 1000;
}

/// <summary>The keys, timestamp and ETag every typed row has.</summary>
internal abstract class TableRow : ITableEntity
{
    public string PartitionKey { get; set; } = "";

    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }
}
