using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DisclosurePipeline.Cases;

/// <summary>
/// Where a page of a case listing ended: the last case's sort value and keys. Carried to the client as an opaque
/// continuation token (base64url JSON) that also names the filters and order it belongs to, so a token used with
/// other filters is refused rather than silently skipping cases. Cases added or changed between pages do not
/// shift the pages: the next page starts after this position in the order, wherever that now is.
/// </summary>
/// <param name="SortValue">The last case's sort value (UTC ticks of <c>publishedAt</c>, or the day number of <c>planDueOn</c>).</param>
/// <param name="SupplierId">The last case's entity.</param>
/// <param name="RecordId">The last case's record.</param>
public sealed record CaseCursor(long SortValue, string SupplierId, string RecordId)
{
    private const int FingerprintBytes = 12;
    private const int MaxTokenLength = 2048;

    /// <summary>The cursor after <paramref name="last"/> in <paramref name="sort"/> order.</summary>
    public static CaseCursor After(CaseView last, CaseSort sort)
    {
        ArgumentNullException.ThrowIfNull(last);
        return new CaseCursor(SortValueOf(last, sort), last.SupplierId, last.RecordId);
    }

    /// <summary>A case's sort value in <paramref name="sort"/> order (before the direction is applied).</summary>
    public static long SortValueOf(CaseView view, CaseSort sort)
    {
        ArgumentNullException.ThrowIfNull(view);
        return sort is CaseSort.DueEarliestFirst or CaseSort.DueLatestFirst ? view.PlanDueOn.DayNumber : view.PublishedAt.UtcTicks;
    }

    /// <summary>The token for this cursor within the query identified by <paramref name="fingerprint"/>.</summary>
    public string Encode(string fingerprint)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new Wire(Hash(fingerprint), SortValue, SupplierId, RecordId));
        return Base64Url.EncodeToString(json);
    }

    /// <summary>The cursor in <paramref name="token"/>, or null when it is malformed or belongs to another query.</summary>
    public static CaseCursor? Decode(string token, string fingerprint)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength || !Base64Url.IsValid(token))
        {
            return null;
        }

        try
        {
            var wire = JsonSerializer.Deserialize<Wire>(Base64Url.DecodeFromChars(token));
            return wire is { F: { } f, I: { Length: > 0 } i, R: { Length: > 0 } r } && string.Equals(f, Hash(fingerprint), StringComparison.Ordinal)
                ? new CaseCursor(wire.S, i, r)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string Hash(string fingerprint) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fingerprint)).AsSpan(0, FingerprintBytes));

    private sealed record Wire(string? F, long S, string? I, string? R);
}
