using System.Text.Json.Nodes;

namespace DisclosurePipeline.Tests.Infra;

/// <summary>The template compiled once, and evaluated once for each parameter set the tests look at, per test run.</summary>
internal static class InfraSnapshots
{
    /// <summary>Every optional part on: both alert webhooks, the digest and workbench links, a deploying principal, secret values passed in.</summary>
    public const string Full = """
        param environmentName = 'infra-test'
        param location = 'eastasia'
        param principalId = '00000000-0000-0000-0000-00000000000c'
        param publicDataBaseUrl = 'https://public-data.example/'
        param alertsWebhookEnabled = true
        param publicDataApiKey = 'public-data-key-for-tests'
        param staffKey = 'staff-key-for-tests-0123'
        param analystKey = 'analyst-key-for-tests-0123'
        param alertsWebhookUrl = 'https://hooks.example/alerts'
        param alertsSupplierWebhookEnabled = true
        param alertsSupplierWebhookUrl = 'https://relay.example/reminders'
        param alertsFormat = 'teams'
        param alertsDigest = '09:00'
        param alertsWorkbenchUrl = 'https://workbench.example/'
        """;

    /// <summary>Only the required parameters: no webhook, no deploying principal, secrets set outside the template.</summary>
    public const string Minimal = """
        param environmentName = 'infra-test'
        param location = 'eastasia'
        param publicDataBaseUrl = 'https://public-data.example/'
        """;

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<string, JsonObject> Cache = [];
    private static JsonObject? compiled;

    /// <summary>infra/main.bicep compiled to ARM JSON by <c>bicep build</c>, which must report nothing.</summary>
    public static async Task<JsonObject> CompiledAsync(CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            return compiled ??= await BuildAsync(cancellationToken);
        }
        finally
        {
            Gate.Release();
        }
    }

    public static async Task<JsonObject> GetAsync(string parameters, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (!Cache.TryGetValue(parameters, out var snapshot))
            {
                snapshot = await BicepCli.SnapshotAsync(parameters, cancellationToken);
                Cache[parameters] = snapshot;
            }

            return snapshot;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<JsonObject> BuildAsync(CancellationToken cancellationToken)
    {
        var outDir = Directory.CreateTempSubdirectory("bicep-build-");
        try
        {
            var outFile = Path.Combine(outDir.FullName, "main.json");
            var run = await BicepCli.RunAsync(["build", BicepCli.MainTemplate, "--outfile", outFile], cancellationToken);
            Assert.AreEqual(0, run.ExitCode, run.Output);
            Assert.IsTrue(string.IsNullOrWhiteSpace(run.Output), "bicep build reported:\n" + run.Output);
            return JsonNode.Parse(await File.ReadAllTextAsync(outFile, cancellationToken))!.AsObject();
        }
        finally
        {
            outDir.Delete(recursive: true);
        }
    }

    public static IEnumerable<JsonObject> Resources(this JsonObject snapshot, string type) =>
        snapshot["predictedResources"]!.AsArray().Select(r => r!.AsObject())
            .Where(r => string.Equals((string?)r["type"], type, StringComparison.OrdinalIgnoreCase));

    public static JsonObject Single(this JsonObject snapshot, string type)
    {
        var found = snapshot.Resources(type).ToList();
        Assert.HasCount(1, found, $"expected one {type}");
        return found[0];
    }

    /// <summary>The function app's app settings, name to value (ARM expressions left as they are).</summary>
    public static IReadOnlyDictionary<string, string> AppSettings(this JsonObject snapshot) =>
        snapshot.Resources("Microsoft.Web/sites/config")
            .Single(r => ((string)r["name"]!).EndsWith("/appsettings", StringComparison.Ordinal))["properties"]!.AsObject()
            .ToDictionary(p => p.Key, p => (string)p.Value!, StringComparer.OrdinalIgnoreCase);
}
