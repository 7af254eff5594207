using System.Security.Claims;

namespace DisclosurePipeline.Functions.Http;

/// <summary>The caller as the functions need it (set by <see cref="BearerKeyMiddleware"/>).</summary>
internal static class Callers
{
    /// <summary>The supplier id of a supplier key's caller (the supplier rule guarantees the claim).</summary>
    public static string SupplierId(ClaimsPrincipal user) =>
        user.FindFirst(Roles.SupplierIdClaim)?.Value ?? throw new InvalidOperationException("the caller has no supplier id claim");

    /// <summary>Who the caller is for history (<c>staff</c>, <c>supplier:{id}</c>).</summary>
    public static string Actor(ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";
}
