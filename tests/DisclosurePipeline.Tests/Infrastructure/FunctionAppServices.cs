using DisclosurePipeline.Functions.Composition;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DisclosurePipeline.Tests.Infrastructure;

/// <summary>The function app's services as <c>functions/Program.cs</c> composes them (the worker host itself aside).</summary>
internal static class FunctionAppServices
{
    public static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPipelineSettings(configuration);
        services.AddPipelineStorage(configuration);
        DisclosurePipeline.PublicData.PublicDataServiceCollectionExtensions.AddPublicDataClient(services, configuration);
        services.AddPipelineServices();
        services.AddPipelineHttp();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
