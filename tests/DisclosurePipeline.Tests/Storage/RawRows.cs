using Azure.Data.Tables;

namespace DisclosurePipeline.Tests.Storage;

/// <summary>Rows read through <see cref="TableClient"/> as stored: each column's value typed by its EDM type.</summary>
internal static class RawRows
{
    private static readonly HashSet<string> SystemColumns = new(StringComparer.Ordinal) { "PartitionKey", "RowKey", "Timestamp", "odata.etag" };

    public static async Task<List<TableEntity>> AllAsync(TableClient table, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The row's own columns (not the keys, timestamp or ETag) with their EDM types.</summary>
    public static Dictionary<string, string> Columns(this TableEntity row) =>
        row.Keys.Where(k => !SystemColumns.Contains(k)).ToDictionary(k => k, k => Edm(row[k]), StringComparer.Ordinal);

    /// <summary>The EDM type the table service stores a value as (what the SDK deserialised it into tells it).</summary>
    public static string Edm(object? value) => value switch
    {
        string => "Edm.String",
        int => "Edm.Int32",
        long => "Edm.Int64",
        double => "Edm.Double",
        bool => "Edm.Boolean",
        DateTimeOffset or DateTime => "Edm.DateTime",
        byte[] or BinaryData => "Edm.Binary",
        Guid => "Edm.Guid",
        null => "null",
        _ => "unknown " + value.GetType().Name,
    };

    /// <summary>Asserts the row has exactly <paramref name="expected"/> columns with those EDM types.</summary>
    public static void AssertColumns(this TableEntity row, IReadOnlyDictionary<string, string> expected, string what)
    {
        var actual = row.Columns();
        var missing = expected.Keys.Except(actual.Keys).ToList();
        var extra = actual.Keys.Except(expected.Keys).ToList();
        var wrong = expected.Where(e => actual.TryGetValue(e.Key, out var t) && t != e.Value).Select(e => $"{e.Key}: {actual[e.Key]}, expected {e.Value}").ToList();
        Assert.IsTrue(
            missing.Count == 0 && extra.Count == 0 && wrong.Count == 0,
            $"{what}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", extra)}], wrong type [{string.Join("; ", wrong)}]");
    }
}
