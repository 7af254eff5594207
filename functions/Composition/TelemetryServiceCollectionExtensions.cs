using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DisclosurePipeline.Functions.Composition;

/// <summary>Application Insights from the worker itself (its logs, dependencies and exceptions), next to the host's own telemetry.</summary>
internal static class TelemetryServiceCollectionExtensions
{
    /// <summary>The setting that turns telemetry on; the platform sets it from the Application Insights resource.</summary>
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>How telemetry authenticates (<see cref="ApplicationInsightsAuthentication"/>); infra sets it to the identity's client id.</summary>
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>The logger provider the Application Insights SDK registers, with its own Warning-and-above default rule.</summary>
    public const string LoggerProviderName = "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider";

    /// <summary>
    /// When <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set: the Application Insights worker service SDK with the Functions
    /// worker's integration, signed with the managed identity <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> names, and
    /// logging at the levels the app's <c>Logging</c> settings give (the SDK's default rule, which keeps only warnings, is
    /// removed). Without the setting, nothing is added: local runs and tests send no telemetry.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> is present but unusable.</exception>
    public static IServiceCollection AddPipelineTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionString = configuration[ConnectionStringSetting];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return services;
        }

        var authentication = ApplicationInsightsAuthentication.Parse(configuration[AuthenticationStringSetting]);
        services.AddApplicationInsightsTelemetryWorkerService(o => o.ConnectionString = connectionString);
        services.ConfigureFunctionsApplicationInsights();
        if (authentication is not null)
        {
            var credential = authentication.CreateCredential();
            services.Configure<TelemetryConfiguration>(c => c.SetAzureTokenCredential(credential));
        }

        services.Configure<LoggerFilterOptions>(o =>
        {
            foreach (var rule in o.Rules.Where(r => r.ProviderName == LoggerProviderName && string.IsNullOrEmpty(r.CategoryName)).ToList())
            {
                o.Rules.Remove(rule);
            }
        });
        return services;
    }
}
