using DisclosurePipeline.Functions.Composition;
using Microsoft.ApplicationInsights;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DisclosurePipeline.Tests.Infra;

/// <summary>
/// The worker's Application Insights wiring: on only with a connection string, signed with the identity the
/// authentication string names (as infra sets it), and logging at the app's levels rather than the SDK's Warning default.
/// </summary>
[TestClass]
public sealed class TelemetryCompositionTests
{
    // An ingestion endpoint on loopback that nothing listens on: nothing leaves the machine even if something flushes.
    private const string ConnectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=http://127.0.0.1:9/;LiveEndpoint=http://127.0.0.1:9/";
    private const string ClientId = "11111111-2222-3333-4444-555555555555";

    [TestMethod]
    public void AddPipelineTelemetry_NoConnectionString_AddsNothing()
    {
        var services = new ServiceCollection();

        services.AddPipelineTelemetry(Config([]));

        Assert.IsEmpty(services);
    }

    [TestMethod]
    public void AddPipelineTelemetry_ConnectionString_RegistersTheSdkWithoutItsWarningOnlyRule()
    {
        var services = new ServiceCollection();
        services.AddLogging();

        services.AddPipelineTelemetry(Config(new()
        {
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = ConnectionString,
            ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = $"ClientId={ClientId};Authorization=AAD",
        }));

        Assert.IsTrue(services.Any(d => d.ServiceType == typeof(TelemetryClient)));
        using var provider = services.BuildServiceProvider();
        var rules = provider.GetRequiredService<IOptions<LoggerFilterOptions>>().Value.Rules;
        Assert.IsFalse(rules.Any(r => r.ProviderName == TelemetryServiceCollectionExtensions.LoggerProviderName), string.Join("\n", rules));
    }

    [TestMethod]
    public void SdkAlone_AddsTheWarningOnlyRuleThatTheCompositionRemoves()
    {
        var services = new ServiceCollection();
        services.AddLogging();

        services.AddApplicationInsightsTelemetryWorkerService(o => o.ConnectionString = ConnectionString);

        using var provider = services.BuildServiceProvider();
        var rule = provider.GetRequiredService<IOptions<LoggerFilterOptions>>().Value.Rules
            .Single(r => r.ProviderName == TelemetryServiceCollectionExtensions.LoggerProviderName);
        Assert.AreEqual(LogLevel.Warning, rule.LogLevel);
    }

    [TestMethod]
    public void AddPipelineTelemetry_UnusableAuthenticationString_StopsStartNamingTheSetting()
    {
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => new ServiceCollection().AddPipelineTelemetry(Config(new()
        {
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = ConnectionString,
            ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "ClientId=not-a-guid;Authorization=AAD",
        })));

        StringAssert.StartsWith(error.Message, "APPLICATIONINSIGHTS_AUTHENTICATION_STRING ");
        StringAssert.Contains(error.Message, "not-a-guid");
    }

    [TestMethod]
    public void Parse_InfraForm_IsTheUserAssignedIdentity()
    {
        var authentication = ApplicationInsightsAuthentication.Parse($"ClientId={ClientId};Authorization=AAD");

        Assert.IsNotNull(authentication);
        Assert.AreEqual(ClientId, authentication.ClientId);
    }

    [TestMethod]
    public void Parse_AadWithoutClientId_IsTheSystemAssignedIdentity()
    {
        var authentication = ApplicationInsightsAuthentication.Parse(" authorization=aad ");

        Assert.IsNotNull(authentication);
        Assert.IsNull(authentication.ClientId);
    }

    [TestMethod]
    public void Parse_Absent_IsNoAuthentication()
    {
        Assert.IsNull(ApplicationInsightsAuthentication.Parse(null));
        Assert.IsNull(ApplicationInsightsAuthentication.Parse("  "));
    }

    [TestMethod]
    [DataRow("ClientId=11111111-2222-3333-4444-555555555555", "Authorization=AAD")]
    [DataRow("Authorization=Key", "Authorization=AAD")]
    [DataRow("Authorization=AAD;Tenant=x", "'Tenant'")]
    [DataRow("Authorization=AAD;Authorization=AAD", "not one Key=Value")]
    [DataRow("AAD", "not one Key=Value")]
    public void Parse_Unusable_SaysWhy(string value, string expected)
    {
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ApplicationInsightsAuthentication.Parse(value));

        StringAssert.Contains(error.Message, expected);
    }

    private static IConfiguration Config(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
