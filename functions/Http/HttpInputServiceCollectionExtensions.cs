using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace DisclosurePipeline.Functions.Http;

/// <summary>How the worker takes HTTP input: the route table behind 405 answers, and a body limit no lower than the host's.</summary>
internal static class HttpInputServiceCollectionExtensions
{
    /// <summary>
    /// The largest body the Functions host forwards (its <c>FUNCTIONS_REQUEST_BODY_SIZE_LIMIT</c> default, 100 MB). The
    /// worker's own Kestrel would otherwise stop at 30,000,000 bytes and break the proxied request; each function still
    /// refuses a body over its own, much lower, limit with 413 before reading it.
    /// </summary>
    public const long HostBodyLimit = 104_857_600;

    public static IServiceCollection AddHttpInput(this IServiceCollection services)
    {
        services.AddSingleton(_ => HttpRouteTable.ForThisApp());
        services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = HostBodyLimit);
        return services;
    }
}
