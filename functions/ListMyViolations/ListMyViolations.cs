using System.Security.Claims;
using DisclosurePipeline.Cases;
using DisclosurePipeline.Functions.Http;

namespace DisclosurePipeline.Functions.ListMyViolations;

/// <summary><c>GET /api/me/violations</c> — supplier: its own cases only.</summary>
internal static class ListMyViolationsFunction
{
    public const string Name = "ListMyViolations";

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/me/violations", HandleAsync).WithName(Name).RequireAuthorization(Policies.Supplier);

    private static async Task<IResult> HandleAsync(ClaimsPrincipal user, CaseService service, CancellationToken cancellationToken)
    {
        var items = await service.ListAsync(null, Callers.SupplierId(user), cancellationToken);
        return TypedResults.Ok(new { items });
    }
}
