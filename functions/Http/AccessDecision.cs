namespace DisclosurePipeline.Functions.Http;

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
