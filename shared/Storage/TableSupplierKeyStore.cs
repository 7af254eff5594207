using Azure;
using Azure.Data.Tables;
using DisclosurePipeline.Auth;

namespace DisclosurePipeline.Storage;

/// <summary>
/// <see cref="ISupplierKeyStore"/> over the <c>SupplierKeys</c> table: partition <c>key</c>, row key = the key id
/// (24 hex digits, not secret). Salt and hash are base64 text; the key itself is never stored. <c>RevokedAt</c> and
/// <c>LastUsedAt</c> are round-trip timestamps, empty (or absent, on rows written before they existed) for none.
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
        return row?.ToKey();
    }

    public async Task<IReadOnlyList<StoredKey>> ListForSupplierAsync(string supplierId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(supplierId);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var rows = await table.QueryAllAsync<KeyRow>(
            TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and SupplierId eq {supplierId}"), null, cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToKey()).OrderBy(k => k.IssuedAt).ThenBy(k => k.KeyId, StringComparer.Ordinal)];
    }

    public async Task<StoredKey?> RevokeAsync(string keyId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        Keys.ThrowIfInvalid(keyId, "keyId");
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var row = await table.RetrieveAsync<KeyRow>(Partition, keyId, cancellationToken).ConfigureAwait(false);
            if (row is null || TableRows.TextOrNull(row.RevokedAt) is not null)
            {
                return row?.ToKey();
            }

            var change = new RevocationRow { PartitionKey = Partition, RowKey = keyId, RevokedAt = TableRows.Timestamp(at) };
            try
            {
                // Conditional on the row as read: a use recorded meanwhile makes this read again rather than lose either write.
                await table.UpdateEntityAsync(change, row.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
                return row.ToKey() with { RevokedAt = at };
            }
            catch (RequestFailedException e) when (e.IsPreconditionFailed())
            {
            }
        }
    }

    public async Task<bool> RecordUseAsync(StoredKey key, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (string.IsNullOrEmpty(key.ETag))
        {
            throw new ArgumentException("a key's use can only be recorded with the ETag it was read with", nameof(key));
        }

        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var change = new UseRow { PartitionKey = Partition, RowKey = key.KeyId, LastUsedAt = TableRows.Timestamp(at) };
        try
        {
            await table.UpdateEntityAsync(change, new ETag(key.ETag), TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.IsPreconditionFailed() || e.IsNotFound())
        {
            return false;
        }
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

        public string? RevokedAt { get; set; }

        public string? LastUsedAt { get; set; }

        public StoredKey ToKey() =>
            new(RowKey, SupplierId ?? "", Convert.FromBase64String(Salt ?? ""), Convert.FromBase64String(Hash ?? ""), TableRows.ParseTimestamp(IssuedAt) ?? default)
            {
                RevokedAt = TableRows.ParseTimestamp(RevokedAt),
                LastUsedAt = TableRows.ParseTimestamp(LastUsedAt),
                ETag = ETag.ToString(),
            };
    }

    /// <summary>The one column a revocation merges.</summary>
    private sealed class RevocationRow : TableRow
    {
        public string? RevokedAt { get; set; }
    }

    /// <summary>The one column a recorded use merges.</summary>
    private sealed class UseRow : TableRow
    {
        public string? LastUsedAt { get; set; }
    }
}
