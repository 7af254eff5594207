using DisclosurePipeline.Tests.Infrastructure;
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
        await using var services = FunctionAppServices.Build(new Dictionary<string, string?> { [key] = value });

        var error = Assert.ThrowsExactly<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(named, error.Message);
    }

    [TestMethod]
    public async Task Start_DefaultSettings_AreValid()
    {
        await using var services = FunctionAppServices.Build([]);

        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.AreEqual("Asia/Shanghai", services.GetRequiredService<IOptions<DisclosurePipeline.Configuration.PipelineOptions>>().Value.ResolveZone().Id);
    }
}
