using System.Security.Claims;
using DisclosurePipeline.Auth;

namespace DisclosurePipeline.Functions.Http;

/// <summary>Supplier keys issued by staff (<c>sk_…</c>), checked against their stored salted hash.</summary>
internal sealed class SupplierKeyResolver(SupplierKeyService keys) : IBearerKeyResolver
{
    public async Task<IReadOnlyList<Claim>?> ResolveAsync(string token, CancellationToken cancellationToken)
    {
        var supplierId = await keys.ResolveAsync(token, cancellationToken);
        return supplierId is null
            ? null
            : [new Claim(ClaimTypes.Role, Roles.Supplier), new Claim(Roles.SupplierIdClaim, supplierId), new Claim(ClaimTypes.Name, Cases.Actors.Supplier(supplierId))];
    }
}
