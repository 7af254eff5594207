using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DisclosurePipeline.Tests.Infra;

/// <summary>
/// infra/ compiled, linted and evaluated by the real Bicep CLI: no diagnostics, and the deployment it describes is
/// the one the README promises (Flex Consumption running dotnet-isolated 10.0, identity-only storage, secrets as
/// Key Vault references, the identity holding exactly the roles the app needs).
/// </summary>
[TestClass]
public sealed partial class BicepTests
{
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string KeyVaultSecretsOfficer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Build_MainTemplate_CompilesWithoutDiagnostics()
    {
        var template = await BuildAsync();

        Assert.AreEqual("1.0.0.0", (string?)template["contentVersion"]);
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Lint_MainTemplate_ReportsNothing()
    {
        var run = await BicepCli.RunAsync(["lint", BicepCli.MainTemplate, "--diagnostics-format", "sarif"], TestContext.CancellationToken);

        Assert.AreEqual(0, run.ExitCode, run.Output);
        var results = JsonNode.Parse(run.StandardOutput)!["runs"]!.AsArray().SelectMany(r => r!["results"]!.AsArray()).ToList();
        Assert.IsEmpty(results, "bicep lint:\n" + string.Join("\n", results.Select(r => $"{r!["ruleId"]}: {r["message"]?["text"]}")));
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Build_CompiledTemplate_HasIdentityOnlyStorageAndTheDotnetIsolated10Runtime()
    {
        var template = await BuildAsync();
        var resources = AllResources(template).ToList();

        var storage = resources.Single(r => (string?)r["type"] == "Microsoft.Storage/storageAccounts")["properties"]!;
        Assert.IsFalse((bool)storage["allowSharedKeyAccess"]!);
        Assert.AreEqual("TLS1_2", (string?)storage["minimumTlsVersion"]);
        var runtime = resources.Single(r => (string?)r["type"] == "Microsoft.Web/sites")["properties"]!["functionAppConfig"]!["runtime"]!;
        Assert.AreEqual("dotnet-isolated", (string?)runtime["name"]);
        Assert.AreEqual("10.0", (string?)runtime["version"]);
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Build_CompiledTemplate_DescribesEveryParameterAndNamesOutputsInUpperSnake()
    {
        var template = await BuildAsync();

        foreach (var (scope, t) in Templates(template))
        {
            foreach (var (name, parameter) in t["parameters"]?.AsObject() ?? [])
            {
                Assert.IsFalse(string.IsNullOrWhiteSpace((string?)parameter!["metadata"]?["description"]), $"{scope}: parameter {name} has no @description");
            }

            foreach (var (name, _) in t["outputs"]?.AsObject() ?? [])
            {
                Assert.MatchesRegex(UpperSnake(), name, $"{scope}: output {name} is not UPPER_SNAKE");
            }
        }
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Snapshot_Storage_AllowsOnlyEntraIdOverTls12()
    {
        var snapshot = await InfraSnapshots.GetAsync(InfraSnapshots.Full, TestContext.CancellationToken);

        var storage = snapshot.Single("Microsoft.Storage/storageAccounts")["properties"]!;
        Assert.IsFalse((bool)storage["allowSharedKeyAccess"]!);
        Assert.AreEqual("TLS1_2", (string?)storage["minimumTlsVersion"]);
        Assert.IsTrue((bool)storage["supportsHttpsTrafficOnly"]!);
        Assert.IsFalse((bool)storage["allowBlobPublicAccess"]!);
        var settings = snapshot.AppSettings();
        Assert.IsFalse(settings.ContainsKey("AzureWebJobsStorage"), "no connection-string form: shared key is off");
        Assert.AreEqual("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.MatchesRegex(IdentityReference(snapshot, "clientId"), settings["AzureWebJobsStorage__clientId"]);
        foreach (var service in new[] { "blob", "queue", "table" })
        {
            StringAssert.EndsWith(settings[$"AzureWebJobsStorage__{service}ServiceUri"], $".primaryEndpoints.{service}]");
        }
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Snapshot_FunctionApp_IsFlexConsumptionRunningDotnetIsolated10AsTheIdentity()
    {
        var snapshot = await InfraSnapshots.GetAsync(InfraSnapshots.Full, TestContext.CancellationToken);

        var plan = snapshot.Single("Microsoft.Web/serverfarms");
        Assert.AreEqual("FC1", (string?)plan["sku"]!["name"]);
        Assert.AreEqual("FlexConsumption", (string?)plan["sku"]!["tier"]);
        Assert.IsTrue((bool)plan["properties"]!["reserved"]!, "Linux");
        var site = snapshot.Single("Microsoft.Web/sites");
        Assert.AreEqual("functionapp,linux", (string?)site["kind"]);
        Assert.AreEqual("functions", (string?)site["tags"]!["azd-service-name"]);
        var identityId = (string)snapshot.Single("Microsoft.ManagedIdentity/userAssignedIdentities")["id"]!;
        Assert.AreEqual("UserAssigned", (string?)site["identity"]!["type"]);
        Assert.IsNotNull(site["identity"]!["userAssignedIdentities"]![identityId]);
        var properties = site["properties"]!;
        Assert.AreEqual(identityId, (string?)properties["keyVaultReferenceIdentity"]);
        Assert.IsTrue((bool)properties["httpsOnly"]!);
        Assert.AreEqual("1.2", (string?)properties["siteConfig"]!["minTlsVersion"]);
        var config = properties["functionAppConfig"]!;
        Assert.AreEqual("dotnet-isolated", (string?)config["runtime"]!["name"]);
        Assert.AreEqual("10.0", (string?)config["runtime"]!["version"]);
        var deployment = config["deployment"]!["storage"]!;
        Assert.AreEqual("blobContainer", (string?)deployment["type"]);
        StringAssert.EndsWith((string?)deployment["value"], "'app-package')]");
        Assert.AreEqual("UserAssignedIdentity", (string?)deployment["authentication"]!["type"]);
        Assert.AreEqual(identityId, (string?)deployment["authentication"]!["userAssignedIdentityResourceId"]);
        Assert.IsTrue(snapshot.Resources("Microsoft.Storage/storageAccounts/blobServices/containers").Any(c => ((string)c["name"]!).EndsWith("/app-package", StringComparison.Ordinal)));

        var settings = snapshot.AppSettings();
        foreach (var flexRejects in new[] { "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTSHARE", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING" })
        {
            Assert.IsFalse(settings.ContainsKey(flexRejects), $"{flexRejects} is not used on Flex Consumption");
        }
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Snapshot_ApplicationInsights_TakesTelemetryFromTheIdentityOnly()
    {
        var snapshot = await InfraSnapshots.GetAsync(InfraSnapshots.Full, TestContext.CancellationToken);

        Assert.IsTrue((bool)snapshot.Single("Microsoft.Insights/components")["properties"]!["DisableLocalAuth"]!);
        var settings = snapshot.AppSettings();
        StringAssert.Contains(settings["APPLICATIONINSIGHTS_CONNECTION_STRING"], "Microsoft.Insights/components/appi-");
        var authentication = settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"];
        const string Format = "[format('ClientId={0};Authorization=AAD', ";
        StringAssert.StartsWith(authentication, Format);
        Assert.MatchesRegex(IdentityReference(snapshot, "clientId"), "[" + authentication[Format.Length..^2] + "]");
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Snapshot_RoleAssignments_GiveTheIdentityExactlyTheRolesTheAppNeeds()
    {
        var snapshot = await InfraSnapshots.GetAsync(InfraSnapshots.Minimal, TestContext.CancellationToken);

        var granted = RoleAssignments(snapshot).OrderBy(a => a).ToList();

        CollectionAssert.AreEqual(
            new[]
            {
                $"identity {StorageBlobDataOwner} on Microsoft.Storage/storageAccounts",
                $"identity {StorageQueueDataContributor} on Microsoft.Storage/storageAccounts",
                $"identity {StorageTableDataContributor} on Microsoft.Storage/storageAccounts",
                $"identity {MonitoringMetricsPublisher} on Microsoft.Insights/components",
                $"identity {KeyVaultSecretsUser} on Microsoft.KeyVault/vaults",
            }.Order().ToList(),
            granted,
            "granted:\n" + string.Join("\n", granted));
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Snapshot_DeployingPrincipal_MaySetSecretsAndReadData()
    {
        var snapshot = await InfraSnapshots.GetAsync(InfraSnapshots.Full, TestContext.CancellationToken);

        var deployer = RoleAssignments(snapshot).Where(a => a.StartsWith("deployer", StringComparison.Ordinal)).Order().ToList();

        CollectionAssert.AreEqual(
            new[]
            {
                $"deployer {StorageBlobDataOwner} on Microsoft.Storage/storageAccounts",
                $"deployer {StorageQueueDataContributor} on Microsoft.Storage/storageAccounts",
                $"deployer {StorageTableDataContributor} on Microsoft.Storage/storageAccounts",
                $"deployer {KeyVaultSecretsOfficer} on Microsoft.KeyVault/vaults",
            }.Order().ToList(),
            deployer);
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Snapshot_SecretSettings_AreKeyVaultReferencesToSecretsInTheVault()
    {
        var snapshot = await InfraSnapshots.GetAsync(InfraSnapshots.Full, TestContext.CancellationToken);

        var vault = snapshot.Single("Microsoft.KeyVault/vaults");
        Assert.IsTrue((bool)vault["properties"]!["enableRbacAuthorization"]!);
        var vaultName = (string)vault["name"]!;
        var secrets = snapshot.Resources("Microsoft.KeyVault/vaults/secrets").Select(s => ((string)s["name"]!).Split('/')[1]).ToHashSet();
        var settings = snapshot.AppSettings();
        var secretSettings = settings.Keys.Where(k => SecretSetting().IsMatch(k)).Order().ToList();
        CollectionAssert.IsSubsetOf(new[] { "PublicData__ApiKey", "Auth__StaffKeys__0", "Auth__AnalystKeys__0", "Alerts__WebhookUrl", "Alerts__SupplierWebhookUrl" }, secretSettings);
        foreach (var name in secretSettings)
        {
            var reference = KeyVaultReference().Match(settings[name]);
            Assert.IsTrue(reference.Success, $"{name} = {settings[name]} is not a Key Vault reference");
            Assert.AreEqual(vaultName, reference.Groups["vault"].Value, name);
            Assert.Contains(reference.Groups["secret"].Value, secrets, $"{name} refers to a secret the template does not write");
        }

        foreach (var value in new[] { "public-data-key-for-tests", "staff-key-for-tests-0123", "analyst-key-for-tests-0123", "hooks.example", "relay.example" })
        {
            Assert.IsFalse(settings.Values.Any(v => v.Contains(value, StringComparison.Ordinal)), $"a secret value reached the app settings: {value}");
        }
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Snapshot_WebhooksDisabled_LeavesTheOptionalAlertSettingsOut()
    {
        var snapshot = await InfraSnapshots.GetAsync(InfraSnapshots.Minimal, TestContext.CancellationToken);

        var settings = snapshot.AppSettings();

        foreach (var optional in new[] { "Alerts__WebhookUrl", "Alerts__SupplierWebhookUrl", "Alerts__Digest", "Alerts__WorkbenchUrl" })
        {
            Assert.IsFalse(settings.ContainsKey(optional), optional);
        }

        Assert.AreEqual("json", settings["Alerts__Format"]);
        StringAssert.StartsWith(settings["Auth__StaffKeys__0"], "@Microsoft.KeyVault(");
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Snapshot_AlertParameters_BecomeTheAlertSettings()
    {
        var snapshot = await InfraSnapshots.GetAsync(InfraSnapshots.Full, TestContext.CancellationToken);

        var settings = snapshot.AppSettings();

        Assert.AreEqual("teams", settings["Alerts__Format"]);
        Assert.AreEqual("09:00", settings["Alerts__Digest"]);
        Assert.AreEqual("https://workbench.example/", settings["Alerts__WorkbenchUrl"]);
        StringAssert.EndsWith(settings["Alerts__SupplierWebhookUrl"], ";SecretName=alerts-supplier-webhook-url)");
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Snapshot_ResourceNames_EndInOneUniqueStringToken()
    {
        var snapshot = await InfraSnapshots.GetAsync(InfraSnapshots.Minimal, TestContext.CancellationToken);

        var names = new[]
        {
            "Microsoft.Storage/storageAccounts", "Microsoft.ManagedIdentity/userAssignedIdentities", "Microsoft.KeyVault/vaults",
            "Microsoft.OperationalInsights/workspaces", "Microsoft.Insights/components", "Microsoft.Web/serverfarms", "Microsoft.Web/sites",
        }.Select(t => (string)snapshot.Single(t)["name"]!).ToList();

        var tokens = names.Select(n => n[^13..]).Distinct().ToList();
        Assert.HasCount(1, tokens, string.Join(", ", names));
        Assert.MatchesRegex(Token(), tokens[0]);
        Assert.AreEqual("rg-infra-test", (string?)snapshot.Single("Microsoft.Resources/resourceGroups")["name"]);
    }

    /// <summary>"identity|deployer &lt;role id&gt; on &lt;scope type&gt;" for every role assignment.</summary>
    private static IEnumerable<string> RoleAssignments(JsonObject snapshot) =>
        snapshot.Resources("Microsoft.Authorization/roleAssignments").Select(a =>
        {
            var id = (string)a["id"]!;
            var scope = id[..id.IndexOf("/providers/Microsoft.Authorization/", StringComparison.Ordinal)];
            var scopeType = ScopeType().Match(scope).Groups[1].Value;
            var principal = (string)a["properties"]!["principalId"]!;
            var who = IdentityReference(snapshot, "principalId").IsMatch(principal) ? "identity"
                : principal == SnapshotIds.Deployer ? "deployer"
                : "unknown principal " + principal;
            var role = ((string)a["properties"]!["roleDefinitionId"]!).Split('/')[^1];
            return $"{who} {role} on {scopeType}";
        });

    /// <summary>The ARM expression a snapshot leaves for a property of the user-assigned identity (known only in Azure).</summary>
    private static Regex IdentityReference(JsonObject snapshot, string property)
    {
        var identityId = (string)snapshot.Single("Microsoft.ManagedIdentity/userAssignedIdentities")["id"]!;
        return new Regex($@"^\[reference\('{Regex.Escape(identityId)}', '[0-9a-z-]+'\)\.{property}\]$");
    }

    private Task<JsonObject> BuildAsync() => InfraSnapshots.CompiledAsync(TestContext.CancellationToken);

    /// <summary>The template and every nested module template, with a label for messages.</summary>
    private static IEnumerable<(string Scope, JsonObject Template)> Templates(JsonObject template, string scope = "main")
    {
        yield return (scope, template);
        foreach (var module in ResourceList(template).Where(r => (string?)r["type"] == "Microsoft.Resources/deployments"))
        {
            if (module["properties"]?["template"] is JsonObject nested)
            {
                foreach (var inner in Templates(nested, scope + "/" + (string?)module["name"]))
                {
                    yield return inner;
                }
            }
        }
    }

    private static IEnumerable<JsonObject> AllResources(JsonObject template) => Templates(template).SelectMany(t => ResourceList(t.Template));

    /// <summary>A template's resources, whether an array or (language version 2.0) an object keyed by symbolic name.</summary>
    private static IEnumerable<JsonObject> ResourceList(JsonObject template) => template["resources"] switch
    {
        JsonArray array => array.Select(r => r!.AsObject()),
        JsonObject map => map.Select(p => p.Value!.AsObject()),
        _ => [],
    };

    [GeneratedRegex("^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")]
    private static partial Regex UpperSnake();

    [GeneratedRegex("(ApiKey|Keys__[0-9]+|WebhookUrl|Secret|Password)$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretSetting();

    [GeneratedRegex(@"^@Microsoft\.KeyVault\(VaultName=(?<vault>[A-Za-z0-9-]+);SecretName=(?<secret>[A-Za-z0-9-]+)\)$")]
    private static partial Regex KeyVaultReference();

    [GeneratedRegex(@"/providers/(Microsoft\.[A-Za-z]+/[A-Za-z]+)/[^/]+$")]
    private static partial Regex ScopeType();

    [GeneratedRegex("^[a-z0-9]{13}$")]
    private static partial Regex Token();
}
