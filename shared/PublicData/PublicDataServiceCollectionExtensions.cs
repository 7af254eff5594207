using DisclosurePipeline.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Refit;

namespace DisclosurePipeline.PublicData;

/// <summary>Registers the public data platform's client.</summary>
public static class PublicDataServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Refit client of the platform's endpoints (IHttpClientFactory, <c>X-Api-Key</c> sent on every
    /// request and redacted from HTTP logs) with its resilience handler, and <see cref="IPublicDataClient"/> over it;
    /// binds <see cref="PublicDataOptions"/> from the <c>PublicData</c> section of <paramref name="configuration"/>,
    /// validated on start. Uses the registered <see cref="TimeProvider"/> (adds <see cref="TimeProvider.System"/> if there is none).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The application's configuration root.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddPublicDataClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<PublicDataOptions>()
            .Bind(configuration.GetSection(PublicDataOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.BaseUrl is { IsAbsoluteUri: true } u && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp),
                "PublicData:BaseUrl must be an absolute http(s) URL")
            .Validate(o => !string.IsNullOrWhiteSpace(o.ApiKey), "PublicData:ApiKey is required")
            .Validate(o => o.AttemptTimeout >= TimeSpan.FromMilliseconds(10) && o.AttemptTimeout <= TimeSpan.FromHours(1),
                "PublicData:AttemptTimeout must be between 10 ms and 1 hour")
            .Validate(o => o.RetryBaseDelay >= TimeSpan.Zero && o.RetryBaseDelay <= TimeSpan.FromMinutes(5),
                "PublicData:RetryBaseDelay must be between 0 and 5 minutes")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddTransient<IPublicDataClient, PublicDataClient>();

        var refit = new RefitSettings { ContentSerializer = new SystemTextJsonContentSerializer(PublicDataJson.Options) };
        services.AddRefitGeneratedClient<IPublicDataApi>(refit)
            .ConfigureHttpClient((provider, http) =>
            {
                var options = provider.GetRequiredService<IOptions<PublicDataOptions>>().Value;
                var baseUrl = options.BaseUrl.AbsoluteUri;
                http.BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl[..^1] : baseUrl);
                http.DefaultRequestHeaders.Add("X-Api-Key", options.ApiKey);
                http.DefaultRequestHeaders.Accept.ParseAdd("application/json");

                // The resilience handler times each attempt; HttpClient's own 100 s limit would cut across it.
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .RedactLoggedHeaders(_ => true)
            .AddResilienceHandler(PublicDataResilience.PipelineName, (builder, context) =>
            {
                var provider = context.ServiceProvider;
                PublicDataResilience.Configure(
                    builder,
                    provider.GetRequiredService<IOptions<PublicDataOptions>>().Value,
                    provider.GetRequiredService<TimeProvider>(),
                    provider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PublicDataClient)));
            });

        return services;
    }
}
