using Microsoft.Azure.Cosmos.Table;

namespace DisclosurePipeline.Storage;

/// <summary>
/// <see cref="ISyncStateStore"/> as one row (partition <c>state</c>, row <c>sync</c>) of the
/// <c>SyncRuns</c> table: the change-feed cursor and when the last full sync started.
/// </summary>
internal sealed class TableSyncStateStore(StorageAccount account) : ISyncStateStore
{
    private const string Partition = "state";
    private const string Row = "sync";
    private const string ChangeCursor = nameof(ChangeCursor);
    private const string LastFullRunAt = nameof(LastFullRunAt);

    public async Task<SyncState?> GetAsync(CancellationToken cancellationToken)
    {
        var table = await account.GetTableAsync(StorageNames.SyncRunsTable, cancellationToken).ConfigureAwait(false);
        var result = await table.ExecuteAsync(TableOperation.Retrieve<DynamicTableEntity>(Partition, Row), null, null, cancellationToken).ConfigureAwait(false);
        return result.Result is DynamicTableEntity row
            ? new SyncState(row.GetTextOrNull(ChangeCursor), row.GetTimestamp(LastFullRunAt))
            : null;
    }

    public async Task SaveAsync(SyncState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var table = await account.GetTableAsync(StorageNames.SyncRunsTable, cancellationToken).ConfigureAwait(false);
        var row = new DynamicTableEntity(Partition, Row);
        row.Properties[ChangeCursor] = new EntityProperty(TableRows.Text(state.ChangeCursor));
        row.Properties[LastFullRunAt] = new EntityProperty(TableRows.Timestamp(state.LastFullRunAt));
        await table.ExecuteAsync(TableOperation.InsertOrReplace(row), null, null, cancellationToken).ConfigureAwait(false);
    }
}
