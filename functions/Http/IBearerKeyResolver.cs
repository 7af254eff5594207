using System.Security.Claims;

namespace DisclosurePipeline.Functions.Http;

/// <summary>Resolves a presented bearer token that is not a staff or analyst key (supplier keys issued by staff).</summary>
internal interface IBearerKeyResolver
{
    /// <summary>The claims for the token, or null when it is not a known key.</summary>
    Task<IReadOnlyList<Claim>?> ResolveAsync(string token, CancellationToken cancellationToken);
}
