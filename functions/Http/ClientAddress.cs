using System.Net;
using Microsoft.AspNetCore.Http;

namespace DisclosurePipeline.Functions.Http;

/// <summary>
/// The address of the client a request came from. The Functions host proxies every request from loopback and appends
/// the address it was called from to <c>X-Forwarded-For</c>; only that last entry is trusted (entries before it are
/// whatever the client sent). A request that did not come through a loopback proxy is keyed by its own connection.
/// </summary>
internal static class ClientAddress
{
    public const string ForwardedFor = "X-Forwarded-For";

    public static string Of(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var remote = http.Connection.RemoteIpAddress;
        if ((remote is null || IPAddress.IsLoopback(remote)) && LastForwarded(http.Request.Headers[ForwardedFor].ToString()) is { } forwarded)
        {
            return forwarded.ToString();
        }

        return remote?.ToString() ?? "unknown";
    }

    /// <summary>The last entry of an <c>X-Forwarded-For</c> value, with or without a port (<c>1.2.3.4:5678</c>, <c>[::1]:80</c>).</summary>
    public static IPAddress? LastForwarded(string header)
    {
        var last = header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (last is null)
        {
            return null;
        }

        if (IPAddress.TryParse(last, out var address))
        {
            return Normalized(address);
        }

        return IPEndPoint.TryParse(last, out var endpoint) ? Normalized(endpoint.Address) : null;
    }

    private static IPAddress Normalized(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
