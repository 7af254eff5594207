using DisclosurePipeline.Cases;
using DisclosurePipeline.Storage;
using Microsoft.Extensions.Logging;

namespace DisclosurePipeline.Auth;

/// <summary>The outcome of <see cref="SupplierKeyService.RevokeAsync"/>.</summary>
public enum KeyRevocation
{
    /// <summary>The key was valid and is revoked now.</summary>
    Revoked,

    /// <summary>The key had been revoked before; nothing changed.</summary>
    AlreadyRevoked,

    /// <summary>No key with that id was issued for that entity.</summary>
    NotFound,
}

/// <summary>
/// Issues supplier keys to registered entities, resolves presented keys to their entity, lists and revokes them.
/// Every check reads the store: a revocation, or the entity's deactivation, takes effect on the next request on
/// every instance.
/// </summary>
public sealed partial class SupplierKeyService(
    IEntityStore entities,
    ISupplierKeyStore keys,
    IHistoryStore history,
    TimeProvider clock,
    ILogger<SupplierKeyService> logger)
{
    /// <summary>A key's <see cref="StoredKey.LastUsedAt"/> is written at most once per this interval, so requests do not each write.</summary>
    public static readonly TimeSpan UseRecordInterval = TimeSpan.FromHours(1);

    /// <summary>
    /// Issues a key for a registered entity (subsidiary or supplier): stores its salted hash and records
    /// <c>key_issued</c> (with the key id, never the key) in the history. Null when the entity is not registered.
    /// </summary>
    public async Task<IssuedKey?> IssueAsync(string supplierId, string actor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(supplierId);
        ArgumentException.ThrowIfNullOrEmpty(actor);
        if (await entities.GetAsync(supplierId, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        var issued = SupplierKeys.Issue(supplierId, clock);
        await keys.AddAsync(issued.Stored, cancellationToken).ConfigureAwait(false);
        await history.AppendAsync(
            [new HistoryEvent(supplierId, issued.Stored.IssuedAt, actor, HistoryEvents.KeyIssued, null, issued.Stored.KeyId)],
            cancellationToken).ConfigureAwait(false);
        Log.KeyIssued(logger, supplierId, issued.Stored.KeyId);
        return issued;
    }

    /// <summary>
    /// The entity a presented supplier key acts for, or null when it is not a valid issued key, the key is revoked, or
    /// its entity is no longer registered or is inactive. Records the key's use when the last record is older than
    /// <see cref="UseRecordInterval"/>.
    /// </summary>
    public async Task<string?> ResolveAsync(string? presentedKey, CancellationToken cancellationToken)
    {
        if (!SupplierKeys.TryGetKeyId(presentedKey, out var keyId))
        {
            return null;
        }

        var stored = await keys.FindAsync(keyId, cancellationToken).ConfigureAwait(false);
        if (stored is null || !SupplierKeys.Verify(presentedKey, stored) || stored.RevokedAt is not null)
        {
            return null;
        }

        var entity = await entities.GetAsync(stored.SupplierId, cancellationToken).ConfigureAwait(false);
        if (entity is not { Active: true })
        {
            return null;
        }

        var now = clock.GetUtcNow();
        if (stored.LastUsedAt is not { } last || now - last >= UseRecordInterval)
        {
            await keys.RecordUseAsync(stored, now, cancellationToken).ConfigureAwait(false);
        }

        return stored.SupplierId;
    }

    /// <summary>The keys issued for an entity, revoked ones included, oldest first (ids and times only: no secret is kept).</summary>
    public Task<IReadOnlyList<StoredKey>> ListAsync(string supplierId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(supplierId);
        return keys.ListForSupplierAsync(supplierId, cancellationToken);
    }

    /// <summary>
    /// Revokes one of an entity's keys at once and records <c>key_revoked</c> (with the key id) in the history. A key of
    /// another entity is <see cref="KeyRevocation.NotFound"/>, as is an unknown one.
    /// </summary>
    public async Task<KeyRevocation> RevokeAsync(string supplierId, string keyId, string actor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(supplierId);
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        ArgumentException.ThrowIfNullOrEmpty(actor);
        var stored = await keys.FindAsync(keyId, cancellationToken).ConfigureAwait(false);
        if (stored is null || !string.Equals(stored.SupplierId, supplierId, StringComparison.Ordinal))
        {
            return KeyRevocation.NotFound;
        }

        if (stored.RevokedAt is not null)
        {
            return KeyRevocation.AlreadyRevoked;
        }

        var now = clock.GetUtcNow();
        var revoked = await keys.RevokeAsync(keyId, now, cancellationToken).ConfigureAwait(false);
        if (revoked?.RevokedAt != now)
        {
            // Someone else revoked it between the read and the write.
            return revoked is null ? KeyRevocation.NotFound : KeyRevocation.AlreadyRevoked;
        }

        await history.AppendAsync([new HistoryEvent(supplierId, now, actor, HistoryEvents.KeyRevoked, null, keyId)], cancellationToken).ConfigureAwait(false);
        Log.KeyRevoked(logger, supplierId, keyId);
        return KeyRevocation.Revoked;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Supplier key {KeyId} issued for {SupplierId}")]
        public static partial void KeyIssued(ILogger logger, string supplierId, string keyId);

        [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Supplier key {KeyId} of {SupplierId} revoked")]
        public static partial void KeyRevoked(ILogger logger, string supplierId, string keyId);
    }
}
