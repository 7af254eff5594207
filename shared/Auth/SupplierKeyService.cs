using DisclosurePipeline.Cases;
using DisclosurePipeline.Storage;
using Microsoft.Extensions.Logging;

namespace DisclosurePipeline.Auth;

/// <summary>Issues supplier keys to registered entities and resolves presented keys to their entity.</summary>
public sealed partial class SupplierKeyService(
    IEntityStore entities,
    ISupplierKeyStore keys,
    IHistoryStore history,
    TimeProvider clock,
    ILogger<SupplierKeyService> logger)
{
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

    /// <summary>The entity a presented supplier key acts for, or null when it is not a valid issued key.</summary>
    public async Task<string?> ResolveAsync(string? presentedKey, CancellationToken cancellationToken)
    {
        if (!SupplierKeys.TryGetKeyId(presentedKey, out var keyId))
        {
            return null;
        }

        var stored = await keys.FindAsync(keyId, cancellationToken).ConfigureAwait(false);
        return stored is not null && SupplierKeys.Verify(presentedKey, stored) ? stored.SupplierId : null;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Supplier key {KeyId} issued for {SupplierId}")]
        public static partial void KeyIssued(ILogger logger, string supplierId, string keyId);
    }
}
