using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;

namespace DisclosurePipeline.Storage;

/// <summary>
/// <see cref="IRejectedMessageStore"/> over the <c>RejectedMessages</c> table: partition = the queue without its
/// <c>-poison</c> suffix, row key = the SHA-256 of the message text (hex), so a message refused again — redelivered,
/// or refused once more from the poison queue — keeps one row. Columns <c>Queue</c>, <c>Reason</c>, <c>Text</c>,
/// <c>RejectedAt</c> (UTC), <c>Times</c>.
/// </summary>
internal sealed class TableRejectedMessageStore(StorageAccount account) : IRejectedMessageStore
{
    private const string PoisonSuffix = "-poison";

    public async Task RecordAsync(RejectedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var table = await account.GetTableAsync(StorageNames.RejectedMessagesTable, cancellationToken).ConfigureAwait(false);
        var partition = message.Queue.EndsWith(PoisonSuffix, StringComparison.Ordinal) ? message.Queue[..^PoisonSuffix.Length] : message.Queue;
        var rowKey = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(message.Text)));
        var existing = await table.GetEntityIfExistsAsync<TableEntity>(partition, rowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        var times = existing.HasValue ? (existing.Value!.GetInt32("Times") ?? 1) + 1 : 1;
        var text = message.Text.Length > RejectedMessage.MaxTextLength ? message.Text[..RejectedMessage.MaxTextLength] : message.Text;
        var row = new TableEntity(partition, rowKey)
        {
            ["Queue"] = message.Queue,
            ["Reason"] = message.Reason,
            ["Text"] = text,
            ["RejectedAt"] = message.At.UtcDateTime,
            ["Times"] = times,
        };
        await table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<RejectedMessage>> ListAsync(CancellationToken cancellationToken)
    {
        var table = await account.GetTableAsync(StorageNames.RejectedMessagesTable, cancellationToken).ConfigureAwait(false);
        var rows = await table.QueryAllAsync<TableEntity>(null, null, cancellationToken).ConfigureAwait(false);
        return rows.Select(r => new RejectedMessage(
            r.GetString("Queue") ?? r.PartitionKey,
            r.GetString("Reason") ?? "",
            r.GetString("Text") ?? "",
            r.GetDateTimeOffset("RejectedAt") ?? default)).ToList();
    }
}
