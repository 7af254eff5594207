using Azure.Data.Tables;

namespace DisclosurePipeline.Storage;

/// <summary>
/// <see cref="ISyncStateStore"/> as one row (partition <c>state</c>, row <c>sync</c>) of the
/// <c>SyncRuns</c> table: the change-feed cursor and when the last full sync started.
/// </summary>
internal sealed class TableSyncStateStore(StorageAccount account) : ISyncStateStore
{
    private const string Partition = "state";
    private const string Row = "sync";

    public async Task<SyncState?> GetAsync(CancellationToken cancellationToken)
    {
        var table = await account.GetTableAsync(StorageNames.SyncRunsTable, cancellationToken).ConfigureAwait(false);
        var row = await table.RetrieveAsync<StateRow>(Partition, Row, cancellationToken).ConfigureAwait(false);
        return row is null ? null : new SyncState(TableRows.TextOrNull(row.ChangeCursor), TableRows.ParseTimestamp(row.LastFullRunAt));
    }

    public async Task SaveAsync(SyncState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var table = await account.GetTableAsync(StorageNames.SyncRunsTable, cancellationToken).ConfigureAwait(false);
        var row = new StateRow
        {
            PartitionKey = Partition,
            RowKey = Row,
            ChangeCursor = TableRows.Text(state.ChangeCursor),
            LastFullRunAt = TableRows.Timestamp(state.LastFullRunAt),
        };
        await table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The sync state row.</summary>
    private sealed class StateRow : TableRow
    {
        public string? ChangeCursor { get; set; }

        public string? LastFullRunAt { get; set; }
    }
}
