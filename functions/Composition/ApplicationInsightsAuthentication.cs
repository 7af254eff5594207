using Azure.Core;
using Azure.Identity;

namespace DisclosurePipeline.Functions.Composition;

/// <summary>
/// The setting <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> as the Functions host reads it:
/// <c>Authorization=AAD</c> sends telemetry with a managed identity's token (Entra ID), and <c>ClientId=&lt;guid&gt;</c>
/// names a user-assigned identity (without it, the system-assigned one). The worker's own telemetry goes the same way.
/// </summary>
internal sealed class ApplicationInsightsAuthentication
{
    private ApplicationInsightsAuthentication(string? clientId) => ClientId = clientId;

    /// <summary>The user-assigned identity's client id; null for the system-assigned identity.</summary>
    public string? ClientId { get; }

    /// <summary>
    /// The authentication the setting asks for; null when it is absent or empty (telemetry then goes with the connection
    /// string alone, which an Application Insights resource with local authentication off refuses).
    /// </summary>
    /// <exception cref="InvalidOperationException">The setting is present but is not <c>Authorization=AAD[;ClientId=&lt;guid&gt;]</c>; the message names it.</exception>
    public static ApplicationInsightsAuthentication? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !parts.TryAdd(part[..equals].Trim(), part[(equals + 1)..].Trim()))
            {
                throw Unusable($"has a part that is not one Key=Value ('{part}')");
            }
        }

        if (parts.Keys.FirstOrDefault(k => !k.Equals("Authorization", StringComparison.OrdinalIgnoreCase) && !k.Equals("ClientId", StringComparison.OrdinalIgnoreCase)) is { } unknown)
        {
            throw Unusable($"has '{unknown}', which is neither Authorization nor ClientId");
        }

        if (!parts.TryGetValue("Authorization", out var authorization) || !authorization.Equals("AAD", StringComparison.OrdinalIgnoreCase))
        {
            throw Unusable("must say Authorization=AAD (Entra ID is the only authentication it selects)");
        }

        if (parts.TryGetValue("ClientId", out var clientId) && !Guid.TryParse(clientId, out _))
        {
            throw Unusable($"has ClientId '{clientId}', which is not a client id (a GUID)");
        }

        return new ApplicationInsightsAuthentication(clientId);
    }

    /// <summary>The managed identity that signs telemetry: user-assigned when a client id is given, else system-assigned.</summary>
    public TokenCredential CreateCredential() =>
        new ManagedIdentityCredential(ClientId is { } id ? ManagedIdentityId.FromUserAssignedClientId(id) : ManagedIdentityId.SystemAssigned);

    private static InvalidOperationException Unusable(string why) => new($"{TelemetryServiceCollectionExtensions.AuthenticationStringSetting} {why}.");
}
