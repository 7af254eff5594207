namespace DisclosurePipeline.Cases;

/// <summary>
/// One page of a case listing: <c>{"items":[case,…],"continuationToken":"…"}</c>. The token asks for the next page
/// (same filters and order); it is null on the last page.
/// </summary>
/// <param name="Items">The cases on this page, in the query's order.</param>
/// <param name="ContinuationToken">The next page's token, or null when there are no more cases.</param>
public sealed record CasePage(IReadOnlyList<CaseView> Items, string? ContinuationToken);
