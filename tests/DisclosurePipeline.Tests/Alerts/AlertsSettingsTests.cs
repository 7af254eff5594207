using DisclosurePipeline.Configuration;
using DisclosurePipeline.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DisclosurePipeline.Tests.Alerts;

/// <summary>A wrong alert setting stops the function app at start, with a message naming it.</summary>
[TestClass]
public sealed class AlertsSettingsTests
{
    [TestMethod]
    [DataRow("Alerts:Format", "xml", "Alerts__Format 'xml' is not one of json, teams, slack.")]
    [DataRow("Alerts:Digest", "9am", "Alerts__Digest '9am' is not a time of day as HH:mm (for example 09:00).")]
    [DataRow("Alerts:Digest", "24:00", "Alerts__Digest '24:00'")]
    [DataRow("Alerts:WebhookUrl", "hooks/alerts", "Alerts__WebhookUrl 'hooks/alerts' is not an absolute http or https URL.")]
    [DataRow("Alerts:SupplierWebhookUrl", "ftp://relay.example.cn/mail", "Alerts__SupplierWebhookUrl 'ftp://relay.example.cn/mail'")]
    [DataRow("Alerts:WorkbenchUrl", "/api/workbench", "Alerts__WorkbenchUrl '/api/workbench'")]
    public async Task Start_WrongAlertSetting_FailsNamingIt(string key, string value, string message)
    {
        await using var app = FunctionAppServices.Build(new Dictionary<string, string?> { [key] = value });

        var error = Assert.ThrowsExactly<OptionsValidationException>(() => app.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(message, error.Message);
    }

    [TestMethod]
    public async Task Start_EveryAlertSettingValid_Starts()
    {
        await using var app = FunctionAppServices.Build(new Dictionary<string, string?>
        {
            ["Alerts:WebhookUrl"] = "https://example.webhook.office.com/webhookb2/x",
            ["Alerts:Format"] = "Teams",
            ["Alerts:Digest"] = "09:00",
            ["Alerts:SupplierWebhookUrl"] = "http://127.0.0.1:8025/relay",
            ["Alerts:WorkbenchUrl"] = "https://pipeline.example.cn/api/workbench",
        });

        app.GetRequiredService<IStartupValidator>().Validate();

        var options = app.GetRequiredService<IOptions<AlertsOptions>>().Value;
        Assert.AreEqual(AlertFormat.Teams, options.ResolveFormat());
        Assert.AreEqual(new TimeOnly(9, 0), options.ResolveDigest());
    }

    [TestMethod]
    public async Task Start_NoAlertSettings_JsonWithoutDigest()
    {
        await using var app = FunctionAppServices.Build([]);

        app.GetRequiredService<IStartupValidator>().Validate();

        var options = app.GetRequiredService<IOptions<AlertsOptions>>().Value;
        Assert.AreEqual(AlertFormat.Json, options.ResolveFormat());
        Assert.IsNull(options.ResolveDigest());
    }
}
