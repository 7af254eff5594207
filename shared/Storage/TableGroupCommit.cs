using Azure;
using Azure.Data.Tables;

namespace DisclosurePipeline.Storage;

/// <summary>
/// Upserts (replace) rows of one table through group commits: while a write to a partition is in flight, rows for
/// that partition wait, and the next write takes all of them (at most <see cref="TableRows.MaxBatchSize"/>) in one
/// entity group transaction. Each caller's task completes when its row is stored (or fails with the write's error),
/// so concurrent callers share round trips without giving up durability. Two rows with the same key in one group:
/// the one queued last wins.
/// </summary>
internal sealed class TableGroupCommit(Func<CancellationToken, Task<TableClient>> table)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, List<Pending>> pending = new(StringComparer.Ordinal);

    /// <summary>Stores <paramref name="row"/> (insert or replace); completes once it is written.</summary>
    public Task UpsertAsync(ITableEntity row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        var item = new Pending(row, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        bool start;
        lock (gate)
        {
            start = !pending.TryGetValue(row.PartitionKey, out var queue);
            if (start)
            {
                queue = [];
                pending[row.PartitionKey] = queue;
            }

            queue!.Add(item);
        }

        if (start)
        {
            // The writer is not cancelled by one caller giving up: other callers' rows ride on the same write.
            _ = Task.Run(() => WriteLoopAsync(row.PartitionKey), CancellationToken.None);
        }

        return item.Done.Task.WaitAsync(cancellationToken);
    }

    private async Task WriteLoopAsync(string partition)
    {
        var first = true;
        while (true)
        {
            List<Pending> group;
            lock (gate)
            {
                var queue = pending[partition];
                if (queue.Count == 0)
                {
                    pending.Remove(partition);
                    return;
                }

                // The first write goes alone (it started the loop); later ones take what queued meanwhile.
                var take = first ? 1 : Math.Min(queue.Count, TableRows.MaxBatchSize);
                group = queue.GetRange(0, take);
                queue.RemoveRange(0, take);
            }

            first = false;
            try
            {
                var client = await table(CancellationToken.None).ConfigureAwait(false);
                var rows = group.GroupBy(p => p.Row.RowKey, StringComparer.Ordinal).Select(g => g.Last().Row).ToList();
                if (rows.Count == 1)
                {
                    await client.UpsertEntityAsync(rows[0], TableUpdateMode.Replace, CancellationToken.None).ConfigureAwait(false);
                }
                else
                {
                    await client.SubmitTransactionAsync(
                        rows.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r, ETag.All)),
                        CancellationToken.None).ConfigureAwait(false);
                }

                group.ForEach(p => p.Done.TrySetResult());
            }
            catch (Exception e)
            {
                group.ForEach(p => p.Done.TrySetException(e));
            }
        }
    }

    private sealed record Pending(ITableEntity Row, TaskCompletionSource Done);
}
