using DisclosurePipeline.Auth;
using Microsoft.Azure.Cosmos.Table;

namespace DisclosurePipeline.Storage;

/// <summary>
/// <see cref="ISupplierKeyStore"/> over the <c>SupplierKeys</c> table: partition <c>key</c>, row key = the key id
/// (24 hex digits, not secret). Salt and hash are base64 text; the key itself is never stored.
/// </summary>
internal sealed class TableSupplierKeyStore(StorageAccount account) : ISupplierKeyStore
{
    private const string Partition = "key";

    private const string SupplierId = nameof(SupplierId);
    private const string Salt = nameof(Salt);
    private const string Hash = nameof(Hash);
    private const string IssuedAt = nameof(IssuedAt);

    public async Task AddAsync(StoredKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        Keys.ThrowIfInvalid(key.KeyId, "keyId");
        var row = new DynamicTableEntity(Partition, key.KeyId);
        row.Properties[SupplierId] = new EntityProperty(key.SupplierId);
        row.Properties[Salt] = new EntityProperty(Convert.ToBase64String(key.Salt));
        row.Properties[Hash] = new EntityProperty(Convert.ToBase64String(key.Hash));
        row.Properties[IssuedAt] = new EntityProperty(TableRows.Timestamp(key.IssuedAt));
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);

        // Insert, never replace: a key id collision (96 random bits) fails loudly instead of hijacking a key.
        await table.ExecuteAsync(TableOperation.Insert(row), null, null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredKey?> FindAsync(string keyId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        Keys.ThrowIfInvalid(keyId, "keyId");
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.RetrieveAsync(Partition, keyId, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        return new StoredKey(
            row.RowKey,
            row.GetText(SupplierId) ?? "",
            Convert.FromBase64String(row.GetText(Salt) ?? ""),
            Convert.FromBase64String(row.GetText(Hash) ?? ""),
            row.GetTimestamp(IssuedAt) ?? default);
    }

    private Task<CloudTable> TableAsync(CancellationToken cancellationToken) =>
        account.GetTableAsync(StorageNames.SupplierKeysTable, cancellationToken);
}
