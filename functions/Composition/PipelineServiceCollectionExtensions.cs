using System.Text.Json;
using System.Text.Json.Serialization;
using DisclosurePipeline.Configuration;
using DisclosurePipeline.Functions.Http;
using DisclosurePipeline.Progress;
using DisclosurePipeline.Registry;
using DisclosurePipeline.Sync;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DisclosurePipeline.Functions.Composition;

/// <summary>The function app's services, one method per concern; <c>Program.cs</c> calls each once.</summary>
internal static class PipelineServiceCollectionExtensions
{
    /// <summary>The pipeline's settings, bound and validated on start: a wrong one stops the app with a message naming it.</summary>
    public static IServiceCollection AddPipelineSettings(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PipelineOptions>().Bind(configuration.GetSection(PipelineOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _), "Pipeline__TimeZone is not a known IANA time zone (for example Asia/Shanghai)")
            .ValidateOnStart();
        services.AddOptions<TargetsOptions>().Bind(configuration.GetSection(TargetsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AlertsOptions>().Bind(configuration.GetSection(AlertsOptions.Section)).ValidateOnStart();
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.Section));
        return services;
    }

    /// <summary>The domain services of shared/ the functions call: registry, sync, cases and alerts, progress.</summary>
    public static IServiceCollection AddPipelineServices(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<RegistryImport>();
        services.AddSingleton<RegistryService>();
        services.AddSingleton<SyncScheduler>();
        services.AddSingleton<SyncBatchProcessor>();
        services.AddSingleton<ScheduledSync>();
        services.AddCaseServices();
        services.AddSingleton<ProgressRollupService>();
        return services;
    }

    /// <summary>
    /// The HTTP side: bearer keys and each function's access rule (checked by <see cref="BearerKeyMiddleware"/>),
    /// the contract's JSON (snake_case enum words, nulls written) and problem details.
    /// </summary>
    public static IServiceCollection AddPipelineHttp(this IServiceCollection services)
    {
        services.AddSingleton(_ => FunctionAccess.ForThisApp());
        services.AddSingleton<BearerKeyAuthenticator>();
        services.AddHostedService<SettingsKeyCheck>();
        services.AddSingleton<IBearerKeyResolver, SupplierKeyResolver>();
        services.AddSingleton<ProgressYear>();
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        });
        return services;
    }
}
