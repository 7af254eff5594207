using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DisclosurePipeline.Domain;
using DisclosurePipeline.Storage;

namespace DisclosurePipeline.Registry;

/// <summary>
/// One page of the registry lookup (<c>GET /api/suppliers</c>) as asked for: filters, page size and where the previous
/// page ended. Entities come in the registry's stored order (shard, then id), which no import or deactivation reorders,
/// so a page started from a continuation token never skips or repeats an entity that was there before.
/// </summary>
/// <param name="Kind">Only subsidiaries or only suppliers; null for both.</param>
/// <param name="Tier">Only tier 1 or tier 2; null for both.</param>
/// <param name="Active">Only active (true) or inactive (false) entities; null for both.</param>
/// <param name="Search">Only entities whose name or id contains this text (ignoring case); null for any.</param>
/// <param name="Limit">At most this many entities (1..<see cref="MaxLimit"/>).</param>
/// <param name="After">Where the previous page ended; null for the first page.</param>
public sealed record RegistryQuery(EntityKind? Kind, int? Tier, bool? Active, string? Search, int Limit, RegistryPosition? After)
{
    /// <summary>The page size when none is asked for.</summary>
    public const int DefaultLimit = 50;

    /// <summary>The largest page size.</summary>
    public const int MaxLimit = 500;

    /// <summary>The longest search text.</summary>
    public const int MaxSearchLength = 200;

    private const int MaxTokenLength = 1024;

    /// <summary>The query-string parameters, as <c>GET /api/suppliers</c> takes them.</summary>
    public static IReadOnlyList<string> Parameters { get; } = ["kind", "tier", "status", "q", "limit", "continuationToken"];

    /// <summary>True when <paramref name="entity"/> passes every filter.</summary>
    public bool Matches(RegisteredEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return (Kind is null || entity.Kind == Kind)
            && (Tier is null || entity.Tier == Tier)
            && (Active is null || entity.Active == Active)
            && (Search is null
                || entity.Name.Contains(Search, StringComparison.OrdinalIgnoreCase)
                || entity.Id.Contains(Search, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The continuation token for the page after <paramref name="last"/> (bound to these filters).</summary>
    public string TokenAfter(RegisteredEntity last)
    {
        ArgumentNullException.ThrowIfNull(last);
        return Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new TokenWire(Fingerprint(Kind, Tier, Active, Search), Uscc.Shard(last.Id), last.Id)));
    }

    /// <summary>
    /// Reads a query from its parameters (<paramref name="read"/> gives a parameter's value, or null or empty when
    /// absent). Every rule that fails is reported, keyed by parameter.
    /// </summary>
    public static Validated<RegistryQuery> Parse(Func<string, string?> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);

        EntityKind? kind = read("kind") switch
        {
            null or "" => null,
            "subsidiary" => EntityKind.Subsidiary,
            "supplier" => EntityKind.Supplier,
            var other => Fail<EntityKind>(errors, "kind", $"kind must be 'subsidiary' or 'supplier', not '{other}'."),
        };

        int? tier = read("tier") switch
        {
            null or "" => null,
            "1" => 1,
            "2" => 2,
            var other => Fail<int>(errors, "tier", $"tier must be 1 or 2, not '{other}'."),
        };

        bool? active = read("status") switch
        {
            null or "" => null,
            "active" => true,
            "inactive" => false,
            var other => Fail<bool>(errors, "status", $"status must be 'active' or 'inactive', not '{other}'."),
        };

        var search = read("q");
        if (string.IsNullOrWhiteSpace(search))
        {
            search = null;
        }
        else if (search.Length > MaxSearchLength)
        {
            errors["q"] = [$"q must be at most {MaxSearchLength} characters."];
        }
        else
        {
            search = search.Trim();
        }

        var limit = DefaultLimit;
        if (read("limit") is { Length: > 0 } limitText
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxLimit))
        {
            errors["limit"] = [$"limit must be a whole number from 1 to {MaxLimit}."];
        }

        RegistryPosition? after = null;
        if (read("continuationToken") is { Length: > 0 } token)
        {
            after = Decode(token, Fingerprint(kind, tier, active, search));
            if (after is null)
            {
                errors["continuationToken"] = ["continuationToken is not a token this listing gave for these filters; start again without it."];
            }
        }

        return errors.Count > 0
            ? Validated<RegistryQuery>.Invalid(errors)
            : Validated<RegistryQuery>.Valid(new RegistryQuery(kind, tier, active, search, limit, after));
    }

    private static T? Fail<T>(Dictionary<string, string[]> errors, string field, string message)
        where T : struct
    {
        errors[field] = [message];
        return null;
    }

    private static RegistryPosition? Decode(string token, string fingerprint)
    {
        if (token.Length > MaxTokenLength || !Base64Url.IsValid(token))
        {
            return null;
        }

        try
        {
            var wire = JsonSerializer.Deserialize<TokenWire>(Base64Url.DecodeFromChars(token));
            return wire is { F: { } f, S: { Length: > 0 } s, I: { Length: > 0 } i } && string.Equals(f, fingerprint, StringComparison.Ordinal) && Uscc.Shard(i) == s
                ? new RegistryPosition(s, i)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>A short hash of the filters, so a token is refused with other filters rather than silently skipping entities.</summary>
    private static string Fingerprint(EntityKind? kind, int? tier, bool? active, string? search)
    {
        var text = string.Join('\n', kind?.ToString() ?? "", tier?.ToString(CultureInfo.InvariantCulture) ?? "", active?.ToString() ?? "", search ?? "");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 12));
    }

    /// <summary>The token's JSON: filters' fingerprint, last shard, last id.</summary>
    private sealed record TokenWire(string? F, string? S, string? I);
}
