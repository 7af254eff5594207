using System.Security.Claims;
using DisclosurePipeline.Auth;
using DisclosurePipeline.Configuration;
using Microsoft.Extensions.Options;

namespace DisclosurePipeline.Functions.Http;

/// <summary>
/// Reads <c>Authorization: Bearer &lt;token&gt;</c>: staff and analyst keys from settings (compared in constant
/// time), supplier keys through the <see cref="IBearerKeyResolver"/>s. Tokens are never logged.
/// </summary>
internal sealed class BearerKeyAuthenticator(IOptions<AuthOptions> keys, IEnumerable<IBearerKeyResolver> resolvers)
{
    public const string Scheme = "Bearer";

    /// <summary>The caller, or null when there is no bearer token or it is not a known key.</summary>
    public async Task<ClaimsPrincipal?> AuthenticateAsync(string? authorization, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(authorization)
            || !authorization.StartsWith(Scheme + " ", StringComparison.OrdinalIgnoreCase)
            || authorization.Length <= Scheme.Length + 1)
        {
            return null;
        }

        var token = authorization[(Scheme.Length + 1)..].Trim();
        IReadOnlyList<Claim>? claims = null;
        if (SettingsKeys.MatchesAny(token, keys.Value.StaffKeys))
        {
            claims = [new Claim(ClaimTypes.Role, Roles.Staff), new Claim(ClaimTypes.Name, "staff")];
        }
        else if (SettingsKeys.MatchesAny(token, keys.Value.AnalystKeys))
        {
            claims = [new Claim(ClaimTypes.Role, Roles.Analyst), new Claim(ClaimTypes.Name, "analyst")];
        }
        else
        {
            foreach (var resolver in resolvers)
            {
                claims = await resolver.ResolveAsync(token, cancellationToken);
                if (claims is not null)
                {
                    break;
                }
            }
        }

        return claims is null ? null : new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme));
    }
}
