using System.Security.Cryptography;
using System.Text;
using DisclosurePipeline.Configuration;

namespace DisclosurePipeline.Auth;

/// <summary>Who a bearer token says the caller is.</summary>
public enum CallerRole
{
    /// <summary>Supply-chain staff: everything.</summary>
    Staff,

    /// <summary>Analyst: progress and dashboard, read-only.</summary>
    Analyst,

    /// <summary>A supplier (or subsidiary) holding an issued key: only its own <c>/api/me/*</c>.</summary>
    Supplier,
}

/// <summary>
/// Staff and analyst keys from settings, compared without leaking through timing: both sides are hashed
/// to SHA-256 (so lengths do not show) and compared with <see cref="CryptographicOperations.FixedTimeEquals"/>,
/// and every configured key is checked, match or not.
/// </summary>
public static class SettingsKeys
{
    /// <summary>True when <paramref name="presented"/> equals <paramref name="expected"/>, in time independent of where they differ or of their lengths.</summary>
    public static bool FixedTimeEquals(string? presented, string? expected)
    {
        if (string.IsNullOrEmpty(presented) || string.IsNullOrEmpty(expected))
        {
            return false;
        }

        Span<byte> a = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> b = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), a);
        SHA256.HashData(Encoding.UTF8.GetBytes(expected), b);
        return CryptographicOperations.FixedTimeEquals(a, b);
    }

    /// <summary>
    /// True when <paramref name="presented"/> equals any of <paramref name="keys"/>. Checks them all. Blank keys never
    /// match, nor do unresolved Key Vault references (<see cref="IsUnresolvedReference"/>).
    /// </summary>
    public static bool MatchesAny(string? presented, IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var match = false;
        foreach (var key in keys)
        {
            // Non-short-circuiting OR: the time taken does not tell which key matched.
            match |= !string.IsNullOrWhiteSpace(key) && !IsUnresolvedReference(key) && FixedTimeEquals(presented, key);
        }

        return match;
    }

    /// <summary>
    /// True for a setting that still reads <c>@Microsoft.KeyVault(…)</c>: App Service leaves a Key Vault reference
    /// as it is written when it cannot resolve it (the app's identity may not read the secret, or the secret is
    /// missing). That text is public (it is in <c>infra/</c>), so it must never work as a key.
    /// </summary>
    public static bool IsUnresolvedReference(string? key) =>
        key is not null && key.TrimStart().StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The role a settings key grants: <see cref="CallerRole.Staff"/> for a staff key (staff wins if a key is
    /// configured as both), <see cref="CallerRole.Analyst"/> for an analyst key, null otherwise (perhaps a
    /// supplier key: see <see cref="SupplierKeys"/>).
    /// </summary>
    public static CallerRole? RoleOf(string? presented, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var staff = MatchesAny(presented, options.StaffKeys);
        var analyst = MatchesAny(presented, options.AnalystKeys);
        return staff ? CallerRole.Staff : analyst ? CallerRole.Analyst : null;
    }
}
