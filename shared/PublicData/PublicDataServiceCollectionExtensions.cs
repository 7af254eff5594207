using DisclosurePipeline.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DisclosurePipeline.PublicData;

/// <summary>Registers the public data platform's client.</summary>
public static class PublicDataServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IPublicDataClient"/> as a typed <see cref="HttpClient"/> (IHttpClientFactory) with
    /// its resilience pipeline and concurrency cap, and binds <see cref="PublicDataOptions"/> from the
    /// <c>PublicData</c> section of <paramref name="configuration"/>, validated on start.
    /// Uses the registered <see cref="TimeProvider"/> (adds <see cref="TimeProvider.System"/> if there is none).
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
        services.TryAddSingleton<PublicDataResilience>();
        services.TryAddSingleton<PublicDataConcurrencyLimit>();
        services.TryAddTransient<ConcurrencyLimitHandler>();

        services.AddHttpClient<IPublicDataClient, PublicDataClient>((provider, http) =>
            {
                var options = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<PublicDataOptions>>().Value;
                var baseUrl = options.BaseUrl.AbsoluteUri;
                http.BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");
                http.DefaultRequestHeaders.Add("X-Api-Key", options.ApiKey);
                http.DefaultRequestHeaders.Accept.ParseAdd("application/json");

                // The resilience pipeline times each attempt; HttpClient's own 100 s limit would cut across it.
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddHttpMessageHandler<ConcurrencyLimitHandler>()
            .RedactLoggedHeaders(_ => true);

        return services;
    }
}
