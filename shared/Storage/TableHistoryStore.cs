using System.Globalization;
using System.Security.Cryptography;
using Azure.Data.Tables;
using DisclosurePipeline.Domain;

namespace DisclosurePipeline.Storage;

/// <summary>
/// <see cref="IHistoryStore"/> over the <c>History</c> table: partition = the entity's shard, row key =
/// <c>{supplierId}|{UTC ticks, 19 digits}|{8 random hex digits}</c>. Rows are only ever inserted; the random tail
/// keeps two events of the same tick apart, so no event overwrites another, and row keys sort oldest first.
/// </summary>
internal sealed class TableHistoryStore(StorageAccount account) : IHistoryStore
{
    private const char Separator = '|';
    private const char AfterSeparator = '}';

    public async Task AppendAsync(IReadOnlyCollection<HistoryEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }

        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        await table.WriteBatchesAsync(events.Select(HistoryRow.From), TableTransactionActionType.Add, null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<HistoryEvent>> ListForEntityAsync(string supplierId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(supplierId);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var rows = await table.QueryAllAsync<HistoryRow>(
            TableRows.RangeFilter(Uscc.Shard(supplierId), supplierId + Separator, supplierId + AfterSeparator, lastInclusive: false),
            null,
            cancellationToken).ConfigureAwait(false);
        return rows.OrderBy(r => r.RowKey, StringComparer.Ordinal).Select(r => r.ToEvent()).ToList();
    }

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) =>
        account.GetTableAsync(StorageNames.HistoryTable, cancellationToken);

    /// <summary>A <c>History</c> row.</summary>
    private sealed class HistoryRow : TableRow
    {
        public string? SupplierId { get; set; }

        public string? At { get; set; }

        public string? Actor { get; set; }

        public string? Event { get; set; }

        public string? RecordId { get; set; }

        public string? Detail { get; set; }

        public static HistoryRow From(HistoryEvent e)
        {
            Keys.ThrowIfInvalid(e.SupplierId, "supplierId");
            if (e.SupplierId.Contains(Separator, StringComparison.Ordinal))
            {
                throw new ArgumentException($"supplierId '{e.SupplierId}' cannot contain '{Separator}'", nameof(e));
            }

            Span<byte> random = stackalloc byte[4];
            RandomNumberGenerator.Fill(random);
            return new HistoryRow
            {
                PartitionKey = Uscc.Shard(e.SupplierId),
                RowKey = e.SupplierId + Separator + e.At.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + Separator + Convert.ToHexStringLower(random),
                SupplierId = e.SupplierId,
                At = TableRows.Timestamp(e.At),
                Actor = e.Actor,
                Event = e.Event,
                RecordId = TableRows.Text(e.RecordId),
                Detail = TableRows.Text(e.Detail),
            };
        }

        public HistoryEvent ToEvent() =>
            new(SupplierId ?? "", TableRows.ParseTimestamp(At) ?? default, Actor ?? "", Event ?? "", TableRows.TextOrNull(RecordId), TableRows.TextOrNull(Detail));
    }
}
