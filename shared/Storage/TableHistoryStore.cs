using System.Globalization;
using System.Security.Cryptography;
using DisclosurePipeline.Domain;
using Microsoft.Azure.Cosmos.Table;

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

    private const string SupplierId = nameof(SupplierId);
    private const string At = nameof(At);
    private const string Actor = nameof(Actor);
    private const string Event = nameof(Event);
    private const string RecordId = nameof(RecordId);
    private const string Detail = nameof(Detail);

    public async Task AppendAsync(IReadOnlyCollection<HistoryEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }

        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        await table.WriteBatchesAsync(events.Select(ToRow), TableOperation.Insert, null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<HistoryEvent>> ListForEntityAsync(string supplierId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(supplierId);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var rows = await table.QueryAllAsync(
            TableRows.RangeQuery(Uscc.Shard(supplierId), supplierId + Separator, supplierId + AfterSeparator, lastInclusive: false),
            cancellationToken).ConfigureAwait(false);
        return rows.OrderBy(r => r.RowKey, StringComparer.Ordinal).Select(FromRow).ToList();
    }

    private Task<CloudTable> TableAsync(CancellationToken cancellationToken) =>
        account.GetTableAsync(StorageNames.HistoryTable, cancellationToken);

    private static DynamicTableEntity ToRow(HistoryEvent e)
    {
        Keys.ThrowIfInvalid(e.SupplierId, "supplierId");
        if (e.SupplierId.Contains(Separator, StringComparison.Ordinal))
        {
            throw new ArgumentException($"supplierId '{e.SupplierId}' cannot contain '{Separator}'", nameof(e));
        }

        Span<byte> random = stackalloc byte[4];
        RandomNumberGenerator.Fill(random);
        var rowKey = e.SupplierId + Separator + e.At.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + Separator + Convert.ToHexStringLower(random);
        var row = new DynamicTableEntity(Uscc.Shard(e.SupplierId), rowKey);
        row.Properties[SupplierId] = new EntityProperty(e.SupplierId);
        row.Properties[At] = new EntityProperty(TableRows.Timestamp(e.At));
        row.Properties[Actor] = new EntityProperty(e.Actor);
        row.Properties[Event] = new EntityProperty(e.Event);
        row.Properties[RecordId] = new EntityProperty(TableRows.Text(e.RecordId));
        row.Properties[Detail] = new EntityProperty(TableRows.Text(e.Detail));
        return row;
    }

    private static HistoryEvent FromRow(DynamicTableEntity row) =>
        new(
            row.GetText(SupplierId) ?? "",
            row.GetTimestamp(At) ?? default,
            row.GetText(Actor) ?? "",
            row.GetText(Event) ?? "",
            row.GetTextOrNull(RecordId),
            row.GetTextOrNull(Detail));
}
