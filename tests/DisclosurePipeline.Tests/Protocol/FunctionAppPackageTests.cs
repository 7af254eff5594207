using System.Text.Json.Nodes;
using DisclosurePipeline.Functions.Http;
using DisclosurePipeline.Tests.Infrastructure;

namespace DisclosurePipeline.Tests.Protocol;

/// <summary>
/// The published function app (artifacts/app) is a complete isolated-worker package, its host.json carries the
/// settings the host applies, and the worker declares every function with the trigger, schedule, queue or route
/// the contract and README name.
/// </summary>
[TestClass]
public sealed class FunctionAppPackageTests
{
    /// <summary>name → trigger type and what it listens to (schedule, queue, or METHOD route).</summary>
    private static readonly Dictionary<string, (string Trigger, string On)> Expected = new()
    {
        ["ScheduleSupplierSync"] = ("timerTrigger", "0 0 * * * *"),
        ["SyncSupplierBatch"] = ("queueTrigger", "sync-batches"),
        ["RecordFailedSyncBatch"] = ("queueTrigger", "sync-batches-poison"),
        ["GetLatestSyncRun"] = ("httpTrigger", "GET sync-runs/latest"),
        ["ImportSuppliers"] = ("httpTrigger", "PUT suppliers"),
        ["ListSuppliers"] = ("httpTrigger", "GET suppliers"),
        ["GetSupplier"] = ("httpTrigger", "GET suppliers/{id}"),
        ["DeactivateSupplier"] = ("httpTrigger", "DELETE suppliers/{id}"),
        ["ReactivateSupplier"] = ("httpTrigger", "POST suppliers/{id}/reactivate"),
        ["IssueSupplierKey"] = ("httpTrigger", "POST suppliers/{id}/keys"),
        ["ListSupplierKeys"] = ("httpTrigger", "GET suppliers/{id}/keys"),
        ["RevokeSupplierKey"] = ("httpTrigger", "DELETE suppliers/{id}/keys/{keyId}"),
        ["ListViolations"] = ("httpTrigger", "GET violations"),
        ["ListMyViolations"] = ("httpTrigger", "GET me/violations"),
        ["SubmitPlan"] = ("httpTrigger", "POST me/violations/{recordId}/plans"),
        ["UploadPlanDocument"] = ("httpTrigger", "PUT me/violations/{recordId}/plans/{planId}/document"),
        ["ReviewPlan"] = ("httpTrigger", "POST violations/{supplierId}/{recordId}/plans/{planId}/review"),
        ["GetPlanDocument"] = ("httpTrigger", "GET violations/{supplierId}/{recordId}/plans/{planId}/document"),
        ["SweepPlanDeadlines"] = ("timerTrigger", "0 5 * * * *"),
        ["DeliverAlert"] = ("queueTrigger", "alerts"),
        ["ListAlerts"] = ("httpTrigger", "GET alerts"),
        ["RollupProgress"] = ("timerTrigger", "0 15 * * * *"),
        ["GetProgress"] = ("httpTrigger", "GET progress"),
        ["GetProgressEntities"] = ("httpTrigger", "GET progress/entities"),
        ["GetProgressHistory"] = ("httpTrigger", "GET progress/history"),
        ["GetDashboard"] = ("httpTrigger", "GET dashboard"),
        ["GetPortal"] = ("httpTrigger", "GET portal"),
        ["GetWorkbench"] = ("httpTrigger", "GET workbench"),
    };

    [TestMethod]
    public void Package_Published_HoldsWhatTheHostNeeds()
    {
        RepoPaths.EnsureFunctionAppPublished();
        foreach (var file in new[] { "host.json", "functions.metadata", "worker.config.json", "extensions.json", "DisclosurePipeline.Functions.dll" })
        {
            Assert.IsTrue(File.Exists(Path.Combine(RepoPaths.FunctionApp, file)), file);
        }

        Assert.IsTrue(Directory.Exists(Path.Combine(RepoPaths.FunctionApp, ".azurefunctions")), ".azurefunctions/");
        Assert.IsFalse(File.Exists(Path.Combine(RepoPaths.FunctionApp, "local.settings.sample.json")), "settings samples stay in the repository");
        var worker = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.FunctionApp, "worker.config.json")))!["description"]!;
        Assert.AreEqual("dotnet-isolated", (string?)worker["language"]);
        Assert.AreEqual("DisclosurePipeline.Functions.dll", (string?)worker["defaultWorkerPath"]);
        Assert.AreEqual("true", (string?)worker["workerIndexing"]);
        CollectionAssert.AreEqual(
            File.ReadAllBytes(RepoPaths.Combine("host.json")),
            File.ReadAllBytes(Path.Combine(RepoPaths.FunctionApp, "host.json")),
            "the app carries the repository's host.json");
    }

    [TestMethod]
    public void HostJson_IsolatedWorkerSettings_QueuesAndRoutePrefix()
    {
        var host = JsonNode.Parse(File.ReadAllText(RepoPaths.Combine("host.json")))!.AsObject();
        var queues = host["extensions"]!["queues"]!;

        Assert.AreEqual("2.0", (string?)host["version"]);
        Assert.IsFalse(host.ContainsKey("customHandler"));
        Assert.IsFalse(host.ContainsKey("extensionBundle"), "the worker brings its extensions (extensions.json)");
        Assert.AreEqual("api", (string?)host["extensions"]!["http"]!["routePrefix"]);
        Assert.AreEqual("base64", (string?)queues["messageEncoding"], "the work queue writes base64 messages");
        Assert.AreEqual(5, (int)queues["maxDequeueCount"]!);
        Assert.IsNotNull(queues["batchSize"]);
        Assert.IsNotNull(queues["visibilityTimeout"]);
    }

    [TestMethod]
    public void FunctionsMetadata_EveryFunction_HasItsTrigger()
    {
        RepoPaths.EnsureFunctionAppPublished();
        var functions = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.FunctionApp, "functions.metadata")))!.AsArray();

        var declared = new Dictionary<string, (string Trigger, string On)>();
        foreach (var function in functions)
        {
            var name = (string)function!["name"]!;
            if (name.StartsWith(MethodNotAllowedFunctions.Prefix, StringComparison.Ordinal))
            {
                continue; // checked by MethodNotAllowedTests
            }

            var trigger = function["bindings"]!.AsArray().Single(b => ((string)b!["type"]!).EndsWith("Trigger", StringComparison.Ordinal))!;
            var type = (string)trigger["type"]!;
            declared[name] = (type, type switch
            {
                "timerTrigger" => (string)trigger["schedule"]!,
                "queueTrigger" => (string)trigger["queueName"]!,
                _ => string.Join(',', trigger["methods"]!.AsArray().Select(m => ((string)m!).ToUpperInvariant())) + " " + (string?)trigger["route"],
            });
            if (type == "httpTrigger")
            {
                Assert.AreEqual("Anonymous", (string?)trigger["authLevel"], $"{name}: the app authenticates bearer keys itself");
            }

            if (type == "timerTrigger")
            {
                Assert.IsTrue((bool?)trigger["useMonitor"], $"{name}: a missed occurrence runs late, not never");
            }
        }

        CollectionAssert.AreEquivalent(Expected.Keys.ToList(), declared.Keys.ToList());
        foreach (var (name, expected) in Expected)
        {
            Assert.AreEqual(expected, declared[name], name);
        }
    }
}
