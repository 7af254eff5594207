using System.Globalization;
using DisclosurePipeline.Domain;

namespace DisclosurePipeline.Cases;

/// <summary>The orders a case listing can be sorted in; every order ends with supplier id then record id.</summary>
public enum CaseSort
{
    /// <summary><c>-publishedAt</c>: newest record first (the default).</summary>
    PublishedNewestFirst,

    /// <summary><c>publishedAt</c>: oldest record first.</summary>
    PublishedOldestFirst,

    /// <summary><c>planDueOn</c>: earliest deadline first (for overdue cases: most overdue first).</summary>
    DueEarliestFirst,

    /// <summary><c>-planDueOn</c>: latest deadline first.</summary>
    DueLatestFirst,
}

/// <summary>
/// One page of a case listing as asked for: filters, order, page size and where the previous page ended.
/// Parse it from a query string with <see cref="Parse"/>.
/// </summary>
/// <param name="Status">Only cases with this status now; null for any.</param>
/// <param name="SupplierId">Only this entity's cases; null for every entity.</param>
/// <param name="Authority">Only cases whose authority contains this text (case-insensitive); null for any.</param>
/// <param name="DueFrom">Only cases due on or after this local date.</param>
/// <param name="DueTo">Only cases due on or before this local date.</param>
/// <param name="Sort">The order.</param>
/// <param name="Limit">At most this many cases (1..<see cref="MaxLimit"/>).</param>
/// <param name="After">Where the previous page ended (from its continuation token); null for the first page.</param>
public sealed record CaseQuery(
    CaseStatus? Status,
    string? SupplierId,
    string? Authority,
    DateOnly? DueFrom,
    DateOnly? DueTo,
    CaseSort Sort,
    int Limit,
    CaseCursor? After)
{
    /// <summary>The page size when none is asked for: large enough that a client unaware of paging gets every case of any status but <c>removed</c> in the demo.</summary>
    public const int DefaultLimit = 1000;

    /// <summary>The largest page size.</summary>
    public const int MaxLimit = 1000;

    /// <summary>The query-string parameters, as <c>GET /api/violations</c> takes them.</summary>
    public static IReadOnlyList<string> Parameters { get; } = ["status", "supplierId", "authority", "dueFrom", "dueTo", "sort", "limit", "continuationToken"];

    /// <summary>Every case, newest record first, at most <see cref="MaxLimit"/>.</summary>
    public static CaseQuery FirstPage(CaseStatus? status = null, string? supplierId = null, int limit = DefaultLimit) =>
        new(status, supplierId, null, null, null, CaseSort.PublishedNewestFirst, limit, null);

    /// <summary>The contract's status words.</summary>
    public static bool TryParseStatus(string text, out CaseStatus status)
    {
        CaseStatus? parsed = text switch
        {
            "open" => CaseStatus.Open,
            "overdue" => CaseStatus.Overdue,
            "plan_submitted" => CaseStatus.PlanSubmitted,
            "plan_approved" => CaseStatus.PlanApproved,
            "removed" => CaseStatus.Removed,
            _ => null,
        };
        status = parsed ?? default;
        return parsed is not null;
    }

    /// <summary>
    /// Reads a query from its parameters (<paramref name="read"/> gives a parameter's value, or null or empty when
    /// absent). Every rule that fails is reported, keyed by parameter, with a message meant for people.
    /// </summary>
    public static Validated<CaseQuery> Parse(Func<string, string?> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);

        CaseStatus? status = null;
        if (Value(read, "status") is { } statusText)
        {
            if (TryParseStatus(statusText, out var parsed))
            {
                status = parsed;
            }
            else
            {
                errors["status"] = ["status must be one of open, overdue, plan_submitted, plan_approved, removed."];
            }
        }

        var supplierId = Value(read, "supplierId");
        var authority = Value(read, "authority")?.Trim() is { Length: > 0 } a ? a : null;
        var dueFrom = ParseDate(read, "dueFrom", errors);
        var dueTo = ParseDate(read, "dueTo", errors);
        if (dueFrom is { } from && dueTo is { } to && from > to)
        {
            errors["dueFrom"] = ["dueFrom must not be after dueTo."];
        }

        var sort = CaseSort.PublishedNewestFirst;
        if (Value(read, "sort") is { } sortText)
        {
            if (SortFromWord(sortText) is { } parsedSort)
            {
                sort = parsedSort;
            }
            else
            {
                errors["sort"] = ["sort must be one of -publishedAt, publishedAt, planDueOn, -planDueOn."];
            }
        }

        var limit = DefaultLimit;
        if (Value(read, "limit") is { } limitText)
        {
            if (int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsedLimit) && parsedLimit is >= 1 and <= MaxLimit)
            {
                limit = parsedLimit;
            }
            else
            {
                errors["limit"] = [$"limit must be a whole number from 1 to {MaxLimit}."];
            }
        }

        var query = new CaseQuery(status, supplierId, authority, dueFrom, dueTo, sort, limit, null);
        if (Value(read, "continuationToken") is { } token && errors.Count == 0)
        {
            if (CaseCursor.Decode(token, query.Fingerprint()) is { } after)
            {
                query = query with { After = after };
            }
            else
            {
                errors["continuationToken"] = ["continuationToken is not one this listing returned with these filters and sort (ask for the first page again)."];
            }
        }

        return errors.Count == 0 ? Validated<CaseQuery>.Valid(query) : Validated<CaseQuery>.Invalid(errors);
    }

    /// <summary>The word <c>sort</c> takes for <paramref name="sort"/>.</summary>
    public static string SortWord(CaseSort sort) => sort switch
    {
        CaseSort.PublishedOldestFirst => "publishedAt",
        CaseSort.DueEarliestFirst => "planDueOn",
        CaseSort.DueLatestFirst => "-planDueOn",
        _ => "-publishedAt",
    };

    /// <summary>True when <paramref name="view"/> passes every filter of this query.</summary>
    public bool Matches(CaseView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return (Status is null || view.Status == Status)
            && (SupplierId is null || string.Equals(view.SupplierId, SupplierId, StringComparison.Ordinal))
            && (Authority is null || view.Authority.Contains(Authority, StringComparison.OrdinalIgnoreCase))
            && (DueFrom is null || view.PlanDueOn >= DueFrom)
            && (DueTo is null || view.PlanDueOn <= DueTo);
    }

    /// <summary>Identifies the filters and order (not the page size): a continuation token is only good for the query that gave it.</summary>
    internal string Fingerprint() => string.Join(
        '\u001f',
        Status?.ToString() ?? "",
        SupplierId ?? "",
        Authority ?? "",
        DueFrom?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
        DueTo?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
        SortWord(Sort));

    private static CaseSort? SortFromWord(string word) => word switch
    {
        "-publishedAt" => CaseSort.PublishedNewestFirst,
        "publishedAt" => CaseSort.PublishedOldestFirst,
        "planDueOn" => CaseSort.DueEarliestFirst,
        "-planDueOn" => CaseSort.DueLatestFirst,
        _ => null,
    };

    private static string? Value(Func<string, string?> read, string name) => read(name) is { Length: > 0 } v ? v : null;

    private static DateOnly? ParseDate(Func<string, string?> read, string name, Dictionary<string, string[]> errors)
    {
        if (Value(read, name) is not { } text)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        errors[name] = [$"{name} must be a date written YYYY-MM-DD."];
        return null;
    }
}
