using System.Reflection;
using System.Security.Claims;
using Microsoft.Azure.Functions.Worker;

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

/// <summary>The outcome of checking a caller against a function's <see cref="AccessRule"/>.</summary>
internal enum AccessDecision
{
    /// <summary>The function runs.</summary>
    Allowed,

    /// <summary>No key, or not a known one: 401.</summary>
    Unauthenticated,

    /// <summary>A known key outside the function's roles: 403.</summary>
    Forbidden,

    /// <summary>The function declares no rule: refused to everyone (403).</summary>
    Undeclared,
}

/// <summary>The access rule of every HTTP function of the app, by function name, read once from the function methods.</summary>
internal sealed class FunctionAccess
{
    private readonly Dictionary<string, AccessRule?> rules;

    private FunctionAccess(Dictionary<string, AccessRule?> rules) => this.rules = rules;

    /// <summary>The rules of the functions in this app's assembly.</summary>
    public static FunctionAccess ForThisApp() => new(HttpFunctions(typeof(FunctionAccess).Assembly)
        .ToDictionary(f => f.Name, f => AccessRule.Of(f.Method), StringComparer.Ordinal));

    /// <summary>Every <c>[Function]</c> method of <paramref name="assembly"/> with an HTTP trigger, with its function name.</summary>
    public static IEnumerable<(string Name, MethodInfo Method)> HttpFunctions(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return from type in assembly.GetTypes()
               from method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)
               let function = method.GetCustomAttribute<FunctionAttribute>()
               where function is not null && method.GetParameters().Any(p => p.GetCustomAttribute<HttpTriggerAttribute>() is not null)
               select (function.Name, method);
    }

    /// <summary>The rule of the named function; null when it declares none (or is not an HTTP function of this app).</summary>
    public AccessRule? Find(string functionName) => rules.GetValueOrDefault(functionName);
}
