using DisclosurePipeline.Functions.Composition;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DisclosurePipeline.Tests.Protocol;

/// <summary>A setting that is present but wrong stops the function app at start, with a message naming it.</summary>
[TestClass]
public sealed class SettingsValidationTests
{
    [TestMethod]
    [DataRow("Pipeline:TimeZone", "Mars/Olympus_Mons", "Pipeline__TimeZone")]
    [DataRow("Pipeline:PlanDeadlineDays", "-3", "PlanDeadlineDays")]
    [DataRow("Targets:Prtr", "-1", "Prtr")]
    [DataRow("PublicData:BaseUrl", "ftp://example.org/", "PublicData:BaseUrl")]
    public async Task Start_WrongSetting_FailsNamingIt(string key, string value, string named)
    {
        await using var services = Build(new Dictionary<string, string?> { [key] = value });

        var error = Assert.ThrowsExactly<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(named, error.Message);
    }

    [TestMethod]
    public async Task Start_DefaultSettings_AreValid()
    {
        await using var services = Build([]);

        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.AreEqual("Asia/Shanghai", services.GetRequiredService<IOptions<DisclosurePipeline.Configuration.PipelineOptions>>().Value.ResolveZone().Id);
    }

    [TestMethod]
    public void StorageConnectionString_Unset_IsAzurite()
    {
        var unset = new ConfigurationBuilder().Build();
        var set = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true;X=1" }).Build();

        Assert.AreEqual("UseDevelopmentStorage=true", unset.StorageConnectionString());
        Assert.AreEqual("UseDevelopmentStorage=true;X=1", set.StorageConnectionString());
    }

    /// <summary>The app's services as Program.cs composes them (the worker host itself aside).</summary>
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPipelineSettings(configuration);
        services.AddPipelineStorage(configuration.StorageConnectionString());
        DisclosurePipeline.PublicData.PublicDataServiceCollectionExtensions.AddPublicDataClient(services, configuration);
        services.AddPipelineServices();
        services.AddPipelineHttp();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
