using System.Security.Claims;
using DisclosurePipeline.Auth;
using DisclosurePipeline.Functions.Http;

namespace DisclosurePipeline.Functions.IssueSupplierKey;

/// <summary><c>POST /api/suppliers/{id}/keys</c> — staff: issues a supplier key for a registered entity; the key is shown once.</summary>
internal static class IssueSupplierKeyFunction
{
    public const string Name = "IssueSupplierKey";

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost("/api/suppliers/{id}/keys", HandleAsync).WithName(Name).RequireAuthorization(Policies.Staff);

    private static async Task<IResult> HandleAsync(string id, ClaimsPrincipal user, SupplierKeyService keys, CancellationToken cancellationToken)
    {
        var issued = RouteIds.AreUsable(id) ? await keys.IssueAsync(id, Callers.Actor(user), cancellationToken) : null;
        return issued is null
            ? Problems.NotFound($"No registered entity has id '{id}'.")
            : TypedResults.Json(new { supplierId = issued.Stored.SupplierId, key = issued.Key }, statusCode: StatusCodes.Status201Created);
    }
}
