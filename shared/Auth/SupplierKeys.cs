using System.Security.Cryptography;
using System.Text;

namespace DisclosurePipeline.Auth;

/// <summary>
/// What the store keeps of a supplier key: never the key itself, only a salted hash of its secret.
/// </summary>
/// <param name="KeyId">The key's public id (24 lower-case hex digits), embedded in the key; the store looks keys up by it.</param>
/// <param name="SupplierId">The entity the key acts for.</param>
/// <param name="Salt">16 random bytes, one salt per key.</param>
/// <param name="Hash">HMAC-SHA256 keyed by <paramref name="Salt"/> over the key id, supplier id and secret (32 bytes).</param>
/// <param name="IssuedAt">When the key was issued.</param>
public sealed record StoredKey(string KeyId, string SupplierId, byte[] Salt, byte[] Hash, DateTimeOffset IssuedAt)
{
    /// <summary>When staff revoked the key; null while it is valid. A revoked key never verifies again.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>When the key was last seen on a request, to within <see cref="SupplierKeyService.UseRecordInterval"/>; null when never.</summary>
    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>The store's concurrency token; null for a key not read from the store.</summary>
    public string? ETag { get; init; }
}

/// <summary>A newly issued key: <see cref="Key"/> is shown to staff once and then forgotten; <see cref="Stored"/> is kept.</summary>
/// <param name="Key">The plain key, <c>sk_{keyId}_{secret}</c>.</param>
/// <param name="Stored">What to store.</param>
public sealed record IssuedKey(string Key, StoredKey Stored)
{
    /// <summary>Keeps the plain key out of logs and debugger views.</summary>
    public override string ToString() => $"IssuedKey {{ KeyId = {Stored.KeyId}, SupplierId = {Stored.SupplierId} }}";
}

/// <summary>
/// Supplier keys: <c>sk_{keyId}_{secret}</c>, where <c>keyId</c> is 12 random bytes as 24 lower-case hex
/// digits (not secret: it lets the store find the one row to check, no scan) and <c>secret</c> is 32 bytes
/// from <see cref="RandomNumberGenerator"/> as unpadded base64url (43 characters). The whole key is URL-safe.
/// </summary>
/// <remarks>
/// The hash is HMAC-SHA256 keyed by a per-key random salt, not a slow password hash (PBKDF2, etc.). Key
/// stretching makes guessing low-entropy passwords expensive; a 256-bit random secret cannot be guessed at
/// any speed, so stretching would only add latency to every supplier request. The salt still makes equal
/// secrets (there are none) and precomputation useless, and binding the key id and supplier id into the
/// MAC means a stored row edited to point at another supplier no longer verifies.
/// </remarks>
public static class SupplierKeys
{
    /// <summary>Every supplier key starts with this.</summary>
    public const string Prefix = "sk_";

    private const int KeyIdBytes = 12;
    private const int KeyIdLength = KeyIdBytes * 2;
    private const int SecretBytes = 32;
    private const int SecretLength = 43; // base64url of 32 bytes, unpadded
    private const int SaltBytes = 16;
    private const int KeyLength = 3 + KeyIdLength + 1 + SecretLength;

    /// <summary>Issues a new key for <paramref name="supplierId"/>, stamped with <paramref name="time"/>'s now.</summary>
    public static IssuedKey Issue(string supplierId, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(supplierId);
        ArgumentNullException.ThrowIfNull(time);

        Span<byte> id = stackalloc byte[KeyIdBytes];
        RandomNumberGenerator.Fill(id);
        var keyId = Convert.ToHexStringLower(id);

        var secretBytes = RandomNumberGenerator.GetBytes(SecretBytes);
        var secret = Base64Url(secretBytes);
        CryptographicOperations.ZeroMemory(secretBytes);

        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var stored = new StoredKey(keyId, supplierId, salt, Mac(salt, keyId, supplierId, secret), time.GetUtcNow());
        return new IssuedKey(Prefix + keyId + "_" + secret, stored);
    }

    /// <summary>
    /// The key id of a presented bearer token that has the shape of a supplier key, for the store lookup.
    /// False for anything else (a staff or analyst key, garbage).
    /// </summary>
    public static bool TryGetKeyId(string? presentedKey, out string keyId)
    {
        if (TrySplit(presentedKey, out var id, out _))
        {
            keyId = id;
            return true;
        }

        keyId = "";
        return false;
    }

    /// <summary>
    /// True when <paramref name="presentedKey"/> is the key that <paramref name="stored"/> was issued for: its
    /// key id matches and its secret's MAC equals the stored hash (compared in constant time).
    /// </summary>
    public static bool Verify(string? presentedKey, StoredKey stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (!TrySplit(presentedKey, out var keyId, out var secret)
            || !string.Equals(keyId, stored.KeyId, StringComparison.Ordinal)
            || stored.Hash.Length != SHA256.HashSizeInBytes)
        {
            return false;
        }

        var actual = Mac(stored.Salt, keyId, stored.SupplierId, secret);
        return CryptographicOperations.FixedTimeEquals(actual, stored.Hash);
    }

    private static bool TrySplit(string? key, out string keyId, out string secret)
    {
        keyId = "";
        secret = "";
        if (key is null || key.Length != KeyLength || !key.StartsWith(Prefix, StringComparison.Ordinal) || key[3 + KeyIdLength] != '_')
        {
            return false;
        }

        var id = key.AsSpan(3, KeyIdLength);
        foreach (var c in id)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        var rest = key.AsSpan(3 + KeyIdLength + 1);
        foreach (var c in rest)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '-' or '_'))
            {
                return false;
            }
        }

        keyId = id.ToString();
        secret = rest.ToString();
        return true;
    }

    private static byte[] Mac(byte[] salt, string keyId, string supplierId, string secret)
    {
        // Unambiguous whatever the supplier id holds: the key id and the secret have fixed lengths.
        var message = Encoding.UTF8.GetBytes(keyId + "\n" + supplierId + "\n" + secret);
        try
        {
            return HMACSHA256.HashData(salt, message);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(message);
        }
    }

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
