using System.Security.Claims;
using System.Text.Encodings.Web;
using DisclosurePipeline.Auth;
using DisclosurePipeline.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace DisclosurePipeline.Functions.Http;

/// <summary>The roles the contract names.</summary>
internal static class Roles
{
    public const string Staff = "staff";
    public const string Analyst = "analyst";
    public const string Supplier = "supplier";

    /// <summary>The claim that carries a supplier key's entity id.</summary>
    public const string SupplierIdClaim = "supplier_id";
}

/// <summary>Authorization policies by role: staff may do everything; analysts read progress; suppliers only /api/me.</summary>
internal static class Policies
{
    public const string Staff = "staff";
    public const string AnalystOrStaff = "analyst-or-staff";
    public const string Supplier = "supplier";

    public static void Add(Microsoft.AspNetCore.Authorization.AuthorizationOptions options)
    {
        options.AddPolicy(Staff, p => p.RequireRole(Roles.Staff));
        options.AddPolicy(AnalystOrStaff, p => p.RequireRole(Roles.Staff, Roles.Analyst));
        options.AddPolicy(Supplier, p => p.RequireRole(Roles.Supplier).RequireClaim(Roles.SupplierIdClaim));
    }
}

/// <summary>Resolves a presented bearer token that is not a staff or analyst key (supplier keys issued by staff).</summary>
internal interface IBearerKeyResolver
{
    /// <summary>The claims for the token, or null when it is not a known key.</summary>
    Task<IReadOnlyList<Claim>?> ResolveAsync(string token, CancellationToken cancellationToken);
}

/// <summary>
/// <c>Authorization: Bearer &lt;token&gt;</c> for every /api call: staff and analyst keys from settings
/// (compared in constant time), supplier keys through <see cref="IBearerKeyResolver"/>. No token or an
/// unknown one: 401; a known token outside its role: 403 (both as problem+json). Tokens are never logged.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<AuthOptions> keys,
    IEnumerable<IBearerKeyResolver> resolvers)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            return AuthenticateResult.Fail("the Authorization header is not a bearer token");
        }

        var token = header[7..].Trim();
        List<Claim>? claims = null;
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
                var resolved = await resolver.ResolveAsync(token, Context.RequestAborted);
                if (resolved is not null)
                {
                    claims = [.. resolved];
                    break;
                }
            }
        }

        if (claims is null)
        {
            return AuthenticateResult.Fail("unknown token");
        }

        var identity = new ClaimsIdentity(claims, SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Unauthorized",
            "Send 'Authorization: Bearer <key>' with a staff, analyst or supplier key.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, "Forbidden", "This key's role may not call this endpoint.");
}

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

/// <summary>The caller as the endpoints need it.</summary>
internal static class Callers
{
    /// <summary>The supplier id of a supplier key's caller (the policy guarantees the claim).</summary>
    public static string SupplierId(ClaimsPrincipal user) =>
        user.FindFirst(Roles.SupplierIdClaim)?.Value ?? throw new InvalidOperationException("the caller has no supplier id claim");

    /// <summary>Who the caller is for history (<c>staff</c>, <c>supplier:{id}</c>).</summary>
    public static string Actor(ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";
}
