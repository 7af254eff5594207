using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DisclosurePipeline.Domain;

/// <summary>
/// Deterministic alert ids: the same (type, supplier, record, due date) always gives the same id, so a
/// sweep run twice stores one alert, and the id doubles as the webhook's <c>Idempotency-Key</c>.
/// </summary>
public static class AlertId
{
    /// <summary>
    /// The id of an alert: <c>{type}-{yyyyMMdd}-{32 hex}</c>, the hex being the first 16 bytes of SHA-256
    /// over the length-prefixed fields. Record ids come from the platform and may hold any character, so
    /// they are hashed rather than embedded; the result holds only <c>[a-z0-9_-]</c> and is safe as a
    /// table row key, a blob name and an HTTP header value.
    /// </summary>
    /// <param name="type">The alert type, lower case letters and underscores (see <see cref="AlertTypes"/>).</param>
    /// <param name="supplierId">The entity's id.</param>
    /// <param name="recordId">The record's id.</param>
    /// <param name="planDueOn">The deadline the alert is about.</param>
    public static string For(string type, string supplierId, string recordId, DateOnly planDueOn)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(supplierId);
        ArgumentNullException.ThrowIfNull(recordId);
        foreach (var c in type)
        {
            if (c is not ((>= 'a' and <= 'z') or '_'))
            {
                throw new ArgumentException("An alert type holds only lower-case letters and underscores.", nameof(type));
            }
        }

        var date = planDueOn.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

        // Length prefixes make the encoding unambiguous: ("a-b", "c") and ("a", "b-c") hash differently.
        var input = string.Create(CultureInfo.InvariantCulture, $"{type.Length}:{type}|{supplierId.Length}:{supplierId}|{recordId.Length}:{recordId}|{date}");
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(input), hash);
        return $"{type}-{date}-{Convert.ToHexStringLower(hash[..16])}";
    }
}
