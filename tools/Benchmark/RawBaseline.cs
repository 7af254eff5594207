using System.Diagnostics;
using System.Globalization;
using Azure;
using Azure.Data.Tables;

namespace Benchmark;

/// <summary>
/// The raw baseline the sync is compared with, on the same Azurite in the same run: N rows shaped like entity rows
/// written to a scratch table in 100-row entity group transactions (one partition each), <c>parallelism</c>
/// transactions at a time — the sync's own write pattern with nothing else around it.
/// </summary>
internal static class RawBaseline
{
    public static async Task<(TimeSpan Wall, double RowsPerSecond)> RunAsync(TableServiceClient service, int n, int parallelism, CancellationToken cancellationToken)
    {
        var table = service.GetTableClient("benchbaseline" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateIfNotExistsAsync(cancellationToken);
        var chunks = Enumerable.Range(0, n)
            .Select(i => new TableEntity((i % 16).ToString("00", CultureInfo.InvariantCulture), i.ToString("D18", CultureInfo.InvariantCulture))
            {
                ["Name"] = "深圳市某某电子有限公司 " + i.ToString(CultureInfo.InvariantCulture),
                ["Kind"] = "supplier",
                ["Tier"] = 1,
                ["Region"] = "广东省深圳市",
                ["ContactEmail"] = "ehs@example.com",
                ["DisclosureYear"] = 2026,
                ["PrtrState"] = "completed",
                ["PrtrCompletedAt"] = "2026-03-01T00:00:00.0000000+00:00",
                ["CarbonState"] = "none",
                ["CarbonCompletedAt"] = "",
                ["NotOnPlatform"] = false,
                ["LastSyncedAt"] = "2026-03-01T00:00:00.0000000+00:00",
            })
            .GroupBy(e => e.PartitionKey, StringComparer.Ordinal)
            .SelectMany(g => g.Chunk(100))
            .ToList();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(
            chunks,
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (chunk, ct) => await table.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertMerge, e, ETag.All)), ct));
        clock.Stop();
        await table.DeleteAsync(cancellationToken);
        return (clock.Elapsed, n / clock.Elapsed.TotalSeconds);
    }
}
