using DisclosurePipeline.Functions;
using Microsoft.AspNetCore.Builder;
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
    public async Task Start_WrongSetting_FailsNamingIt(string key, string value, string named)
    {
        await using var app = Build(new Dictionary<string, string?> { [key] = value });

        var error = Assert.ThrowsExactly<OptionsValidationException>(() => app.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(named, error.Message);
    }

    [TestMethod]
    public async Task Start_DefaultSettings_AreValid()
    {
        await using var app = Build([]);

        app.Services.GetRequiredService<IStartupValidator>().Validate();

        Assert.AreEqual("Asia/Shanghai", app.Services.GetRequiredService<IOptions<DisclosurePipeline.Configuration.PipelineOptions>>().Value.ResolveZone().Id);
    }

    private static WebApplication Build(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddFunctionApp(builder.Configuration);
        return builder.Build();
    }
}
