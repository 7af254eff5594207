using DisclosurePipeline.Cases;
using DisclosurePipeline.Functions.Http;

namespace DisclosurePipeline.Functions.ListViolations;

/// <summary>
/// <c>GET /api/violations?status=&amp;supplierId=&amp;authority=&amp;dueFrom=&amp;dueTo=&amp;sort=&amp;limit=&amp;continuationToken=</c> —
/// staff: one page of cases with their status now, and the token for the next page.
/// </summary>
internal static class ListViolationsFunction
{
    public const string Name = "ListViolations";

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/violations", HandleAsync).WithName(Name).RequireAuthorization(Policies.Staff);

    private static async Task<IResult> HandleAsync(HttpRequest request, CaseService service, CancellationToken cancellationToken)
    {
        var query = CaseQuery.Parse(name => request.Query[name].ToString());
        if (!query.IsValid)
        {
            return Problems.Validation(query.Errors);
        }

        if (query.Value!.SupplierId is { } supplierId && !RouteIds.AreUsable(supplierId))
        {
            return TypedResults.Ok(new CasePage([], null));
        }

        return TypedResults.Ok(await service.ListPageAsync(query.Value, cancellationToken));
    }
}
