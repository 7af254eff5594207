using Azure.Data.Tables;
using DisclosurePipeline.Auth;

namespace DisclosurePipeline.Storage;

/// <summary>
/// <see cref="ISupplierKeyStore"/> over the <c>SupplierKeys</c> table: partition <c>key</c>, row key = the key id
/// (24 hex digits, not secret). Salt and hash are base64 text; the key itself is never stored.
/// </summary>
internal sealed class TableSupplierKeyStore(StorageAccount account) : ISupplierKeyStore
{
    private const string Partition = "key";

    public async Task AddAsync(StoredKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        Keys.ThrowIfInvalid(key.KeyId, "keyId");
        var row = new KeyRow
        {
            PartitionKey = Partition,
            RowKey = key.KeyId,
            SupplierId = key.SupplierId,
            Salt = Convert.ToBase64String(key.Salt),
            Hash = Convert.ToBase64String(key.Hash),
            IssuedAt = TableRows.Timestamp(key.IssuedAt),
        };
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);

        // Insert, never replace: a key id collision (96 random bits) fails loudly instead of hijacking a key.
        await table.AddEntityAsync(row, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredKey?> FindAsync(string keyId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        Keys.ThrowIfInvalid(keyId, "keyId");
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.RetrieveAsync<KeyRow>(Partition, keyId, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        return new StoredKey(
            row.RowKey,
            row.SupplierId ?? "",
            Convert.FromBase64String(row.Salt ?? ""),
            Convert.FromBase64String(row.Hash ?? ""),
            TableRows.ParseTimestamp(row.IssuedAt) ?? default);
    }

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) =>
        account.GetTableAsync(StorageNames.SupplierKeysTable, cancellationToken);

    /// <summary>A <c>SupplierKeys</c> row.</summary>
    private sealed class KeyRow : TableRow
    {
        public string? SupplierId { get; set; }

        public string? Salt { get; set; }

        public string? Hash { get; set; }

        public string? IssuedAt { get; set; }
    }
}
