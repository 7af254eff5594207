namespace DisclosurePipeline.Functions.Http;

/// <summary>Ids taken from a route or query, checked before they reach a table key.</summary>
internal static class RouteIds
{
    /// <summary>
    /// True when every one of <paramref name="values"/> could be a stored id: not empty, at most 512 characters, none of
    /// <c>/ \ # ?</c> or control characters (which no table key holds). Anything else cannot exist: 404.
    /// </summary>
    public static bool AreUsable(params string?[] values) =>
        values.All(v => !string.IsNullOrEmpty(v) && v.Length <= 512 && !v.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c)));
}
