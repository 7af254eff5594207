namespace DisclosurePipeline.Functions.Http;

/// <summary>
/// The roles that may call an HTTP function (any one of them). <see cref="BearerKeyMiddleware"/> authenticates
/// the bearer key and refuses every other caller: no or an unknown key 401, a known key of another role 403.
/// Every HTTP function declares this or <see cref="AllowAnonymousAccessAttribute"/>; one that declares neither is refused.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
internal sealed class RequireRoleAttribute(params string[] roles) : Attribute
{
    public IReadOnlyList<string> Roles { get; } = roles;
}
