using DisclosurePipeline.Alerts;
using DisclosurePipeline.Auth;
using DisclosurePipeline.Cases;
using DisclosurePipeline.Configuration;
using DisclosurePipeline.Domain;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the case, plan, key and alert services.</summary>
public static class CaseServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="CaseRules"/> (from <see cref="PipelineOptions"/> and the <see cref="TimeProvider"/>),
    /// <see cref="CaseService"/>, <see cref="SupplierKeyService"/>, <see cref="AlertDigests"/>, <see cref="AlertSweep"/>, <see cref="AlertDelivery"/>
    /// and the named webhook client (<see cref="AlertDelivery.HttpClientName"/>, timeout <see cref="AlertsOptions.DeliveryTimeout"/>),
    /// all singletons, and the validation of <see cref="AlertsOptions"/> (run at start where the options are validated on start). Needs the storage adapters (<c>AddPipelineStorage</c>), a <see cref="TimeProvider"/> and the options.
    /// </summary>
    public static IServiceCollection AddCaseServices(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(sp => new CaseRules(sp.GetRequiredService<IOptions<PipelineOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<CaseService>();
        services.AddSingleton<SupplierKeyService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AlertsOptions>, AlertsOptionsValidator>());
        services.AddSingleton<AlertDigests>();
        services.AddSingleton<AlertSweep>();
        services.AddSingleton<AlertDelivery>();
        services.AddHttpClient(AlertDelivery.HttpClientName)
            .ConfigureHttpClient((sp, client) => client.Timeout = sp.GetRequiredService<IOptions<AlertsOptions>>().Value.DeliveryTimeout);
        return services;
    }
}
