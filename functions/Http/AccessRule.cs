using System.Reflection;
using System.Security.Claims;

namespace DisclosurePipeline.Functions.Http;

/// <summary>Who may call one HTTP function, as its method declares it.</summary>
/// <param name="Anonymous">Anyone, without a key.</param>
/// <param name="Roles">Otherwise the roles allowed (any one of them).</param>
internal sealed record AccessRule(bool Anonymous, IReadOnlyList<string> Roles)
{
    /// <summary>
    /// The rule a function method declares, or null when it declares none or both kinds (which is refused):
    /// <see cref="AllowAnonymousAccessAttribute"/> or a non-empty <see cref="RequireRoleAttribute"/>.
    /// </summary>
    public static AccessRule? Of(MethodInfo method)
    {
        ArgumentNullException.ThrowIfNull(method);
        var anonymous = method.GetCustomAttribute<AllowAnonymousAccessAttribute>() is not null;
        var roles = method.GetCustomAttribute<RequireRoleAttribute>()?.Roles ?? [];
        return (anonymous, roles.Count) switch
        {
            (true, 0) => new AccessRule(true, []),
            (false, > 0) => new AccessRule(false, roles),
            _ => null,
        };
    }

    /// <summary>What to do with a caller: <paramref name="caller"/> is null when no known key was presented.</summary>
    public static AccessDecision Decide(AccessRule? rule, ClaimsPrincipal? caller)
    {
        if (rule is null)
        {
            return AccessDecision.Undeclared;
        }

        if (rule.Anonymous)
        {
            return AccessDecision.Allowed;
        }

        if (caller is null)
        {
            return AccessDecision.Unauthenticated;
        }

        var allowed = rule.Roles.Any(role => caller.IsInRole(role)
            && (role != Http.Roles.Supplier || caller.HasClaim(c => c.Type == Http.Roles.SupplierIdClaim && c.Value.Length > 0)));
        return allowed ? AccessDecision.Allowed : AccessDecision.Forbidden;
    }
}
