using System.Globalization;
using System.Net;
using Microsoft.Azure.Cosmos.Table;

namespace DisclosurePipeline.Storage;

/// <summary>
/// How values are kept in table columns, and the table operations every adapter needs.
/// A merge cannot remove a column, so values that can become "none" are stored as strings in which
/// the empty string means none: timestamps in the round-trip format (offset kept), dates as
/// <c>yyyy-MM-dd</c>, decimals in invariant notation (exact, scale kept).
/// </summary>
internal static class TableRows
{
    /// <summary>Most operations in one entity group transaction.</summary>
    public const int MaxBatchSize = 100;

    /// <summary>How many partitions' batches are written at once.</summary>
    public const int BatchParallelism = 4;

    public static string Text(string? value) => value ?? "";

    public static string Timestamp(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);

    public static string Timestamp(DateTimeOffset? value) => value is { } v ? Timestamp(v) : "";

    public static string Date(DateOnly value) => value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Date(DateOnly? value) => value is { } v ? Date(v) : "";

    public static string Amount(decimal? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "";

    public static string? GetText(this DynamicTableEntity row, string column) =>
        row.Properties.TryGetValue(column, out var p) && p.PropertyType == EdmType.String ? p.StringValue : null;

    public static string? GetTextOrNull(this DynamicTableEntity row, string column) =>
        row.GetText(column) is { Length: > 0 } s ? s : null;

    public static int GetInt(this DynamicTableEntity row, string column) =>
        row.Properties.TryGetValue(column, out var p) && p.PropertyType == EdmType.Int32 ? p.Int32Value ?? 0 : 0;

    public static bool GetBool(this DynamicTableEntity row, string column) =>
        row.Properties.TryGetValue(column, out var p) && p.PropertyType == EdmType.Boolean && (p.BooleanValue ?? false);

    public static DateTimeOffset? GetTimestamp(this DynamicTableEntity row, string column) =>
        row.GetTextOrNull(column) is { } s ? DateTimeOffset.ParseExact(s, "O", CultureInfo.InvariantCulture, DateTimeStyles.None) : null;

    public static DateOnly? GetDate(this DynamicTableEntity row, string column) =>
        row.GetTextOrNull(column) is { } s ? DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture) : null;

    public static decimal? GetAmount(this DynamicTableEntity row, string column) =>
        row.GetTextOrNull(column) is { } s ? decimal.Parse(s, NumberStyles.Number, CultureInfo.InvariantCulture) : null;

    /// <summary>The HTTP status of a failed storage call (a failed batch reports its failing operation's status).</summary>
    public static int Status(this StorageException exception) => exception.RequestInformation?.HttpStatusCode ?? 0;

    public static bool IsConflict(this StorageException e) => e.Status() == (int)HttpStatusCode.Conflict;

    public static bool IsPreconditionFailed(this StorageException e) => e.Status() == (int)HttpStatusCode.PreconditionFailed;

    public static bool IsNotFound(this StorageException e) => e.Status() == (int)HttpStatusCode.NotFound;

    /// <summary>Every row a query returns, following continuation tokens.</summary>
    /// <summary>
    /// Replaces <paramref name="row"/> only if the stored row still has <paramref name="etag"/>; false when
    /// someone changed or deleted it first (412/404), the expected outcome of a lost race.
    /// </summary>
    public static async Task<bool> TryReplaceAsync(this CloudTable table, DynamicTableEntity row, string? etag, string what, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(etag))
        {
            throw new ArgumentException($"a {what} can only be replaced with the ETag it was read with", nameof(etag));
        }

        row.ETag = etag;
        try
        {
            await table.ExecuteAsync(TableOperation.Replace(row), null, null, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (StorageException e) when (e.IsPreconditionFailed() || e.IsNotFound())
        {
            return false;
        }
    }

    public static async Task<List<DynamicTableEntity>> QueryAllAsync(this CloudTable table, TableQuery query, CancellationToken cancellationToken)
    {
        var rows = new List<DynamicTableEntity>();
        TableContinuationToken? token = null;
        do
        {
            var segment = await table.ExecuteQuerySegmentedAsync(query, token, null, null, cancellationToken).ConfigureAwait(false);
            rows.AddRange(segment.Results);
            token = segment.ContinuationToken;
        }
        while (token is not null);
        return rows;
    }

    /// <summary>The first row a query returns, or null (a segment may be empty while a continuation follows).</summary>
    public static async Task<DynamicTableEntity?> QueryFirstAsync(this CloudTable table, TableQuery query, CancellationToken cancellationToken)
    {
        TableContinuationToken? token = null;
        do
        {
            var segment = await table.ExecuteQuerySegmentedAsync(query.Take(1), token, null, null, cancellationToken).ConfigureAwait(false);
            if (segment.Results.Count > 0)
            {
                return segment.Results[0];
            }

            token = segment.ContinuationToken;
        }
        while (token is not null);
        return null;
    }

    /// <summary>One row by key, or null.</summary>
    public static async Task<DynamicTableEntity?> RetrieveAsync(this CloudTable table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        var result = await table.ExecuteAsync(TableOperation.Retrieve(partitionKey, rowKey), null, null, cancellationToken).ConfigureAwait(false);
        return result.Result as DynamicTableEntity;
    }

    /// <summary>A partition's rows whose keys fall in [<paramref name="first"/>, <paramref name="last"/>].</summary>
    public static TableQuery RangeQuery(string partitionKey, string first, string last, bool lastInclusive = true) =>
        new TableQuery().Where(TableQuery.CombineFilters(
            TableQuery.GenerateFilterCondition("PartitionKey", QueryComparisons.Equal, partitionKey),
            TableOperators.And,
            TableQuery.CombineFilters(
                TableQuery.GenerateFilterCondition("RowKey", QueryComparisons.GreaterThanOrEqual, first),
                TableOperators.And,
                TableQuery.GenerateFilterCondition("RowKey", lastInclusive ? QueryComparisons.LessThanOrEqual : QueryComparisons.LessThan, last))));

    /// <summary>Every row of one partition.</summary>
    public static TableQuery PartitionQuery(string partitionKey) =>
        new TableQuery().Where(TableQuery.GenerateFilterCondition("PartitionKey", QueryComparisons.Equal, partitionKey));

    /// <summary>
    /// Writes rows with one operation kind in entity group transactions: grouped by partition, at most
    /// <see cref="MaxBatchSize"/> per transaction, a few partitions at once. When a transaction fails with
    /// <paramref name="tolerated"/> (e.g. 409 for inserts of rows that exist), that transaction's rows are
    /// written one by one instead, and rows failing with that status are skipped. Returns how many rows were skipped.
    /// </summary>
    public static async Task<int> WriteBatchesAsync(
        this CloudTable table,
        IEnumerable<DynamicTableEntity> rows,
        Func<ITableEntity, TableOperation> operation,
        HttpStatusCode? tolerated,
        CancellationToken cancellationToken)
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

    private static async Task<int> WriteChunkAsync(
        CloudTable table,
        DynamicTableEntity[] chunk,
        Func<ITableEntity, TableOperation> operation,
        HttpStatusCode? tolerated,
        CancellationToken cancellationToken)
    {
        if (chunk.Length > 1)
        {
            var batch = new TableBatchOperation();
            foreach (var row in chunk)
            {
                batch.Add(operation(row));
            }

            try
            {
                await table.ExecuteBatchAsync(batch, null, null, cancellationToken).ConfigureAwait(false);
                return 0;
            }
            catch (StorageException e) when (tolerated is { } status && e.Status() == (int)status)
            {
                // Fall through: one by one, skipping the rows that fail the same way.
            }
        }

        var skipped = 0;
        foreach (var row in chunk)
        {
            try
            {
                await table.ExecuteAsync(operation(row), null, null, cancellationToken).ConfigureAwait(false);
            }
            catch (StorageException e) when (tolerated is { } status && e.Status() == (int)status)
            {
                skipped++;
            }
        }

        return skipped;
    }

    /// <summary>A transaction may not touch one row twice: the last of duplicates wins.</summary>
    private static IEnumerable<DynamicTableEntity> DistinctByRowKey(IEnumerable<DynamicTableEntity> rows)
    {
        var byKey = new Dictionary<string, DynamicTableEntity>(StringComparer.Ordinal);
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
}
