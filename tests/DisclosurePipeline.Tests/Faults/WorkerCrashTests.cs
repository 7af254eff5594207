using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DisclosurePipeline.Tests.Infrastructure;

namespace DisclosurePipeline.Tests.Faults;

/// <summary>
/// The worker process killed under the local Functions host, end to end (Azurite, the simulator, the published app):
/// during a sync, and during concurrent plan submissions. The host restarts it; meanwhile HTTP calls get 503 with
/// Retry-After, never 500, and nothing is lost or done twice.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class WorkerCrashTests
{
    private const int Entities = 40;
    private const string PlanJson = """
        {"summary":"更换阀门并加装在线监测","rootCause":"阀门老化","actions":[{"description":"更换阀门","owner":"厂长","dueOn":"2030-01-31"}],"expectedCompletionOn":"2030-02-28","contact":{"name":"李雷","email":"li@example.com"}}
        """;

    private static PipelineStack stack = null!;
    private static IReadOnlyList<string> registry = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        stack = await PipelineStack.StartAsync(Entities, null, context.CancellationToken);
        registry = await FaultSteps.ImportRegistryAsync(stack, Entities, context.CancellationToken);
    }

    [ClassCleanup]
    public static async Task StopAsync() => await stack.DisposeAsync();

    [TestMethod]
    [Timeout(240_000, CooperativeCancellation = true)]
    public async Task WorkerKilledDuringSync_RunCompletesWithEveryEntitySyncedOnce()
    {
        var ct = TestContext.CancellationToken;
        await FaultSteps.SetPlatformLatencyAsync(stack, 700, ct);
        try
        {
            var started = await FaultSteps.StartSyncAsync(stack, batchesDone: 1, ct);
            Assert.AreEqual("running", (string?)started["status"], "the run finished before the worker could be killed: " + started.ToJsonString());

            await FaultSteps.KillWorkerAsync(stack, ct);
            var (run, unavailable) = await FaultSteps.WaitForRunAsync(stack, (string)started["runId"]!, TimeSpan.FromSeconds(180), ct);

            Assert.IsGreaterThan(0, unavailable, "no 503 was seen while the worker restarted");
            Assert.AreEqual("completed", (string?)run["status"], run.ToJsonString());
            Assert.AreEqual("all_synced", (string?)run["outcome"], run.ToJsonString());
            Assert.AreEqual(Entities, (int)run["entitiesSynced"]!, run.ToJsonString());
            Assert.AreEqual(0, (int)run["entitiesFailed"]!, run.ToJsonString());
            Assert.AreEqual((int)run["batchesTotal"]!, (int)run["batchesDone"]!);
        }
        finally
        {
            await FaultSteps.SetPlatformLatencyAsync(stack, 0, ct);
        }

        // Exactly the platform's records, each one case.
        var cases = await FaultSteps.CasesAsync(stack, ct);
        var truth = await FaultSteps.PlatformRecordsAsync(stack, registry, ct);
        Assert.AreEqual(cases.Count, cases.Distinct().Count(), "a case is listed twice");
        CollectionAssert.AreEquivalent(truth.ToList(), cases, "the cases are not exactly the platform's records");
    }

    [TestMethod]
    [Timeout(240_000, CooperativeCancellation = true)]
    public async Task WorkerKilledDuringPlanSubmissions_EachCaseGetsAtMostOnePlanAndEveryAnswerIsClean()
    {
        var ct = TestContext.CancellationToken;
        if (await FaultSteps.LatestRunIdAsync(stack, ct) is null)
        {
            var first = await FaultSteps.StartSyncAsync(stack, batchesDone: 0, ct);
            await FaultSteps.WaitForRunAsync(stack, (string)first["runId"]!, TimeSpan.FromSeconds(120), ct);
        }

        // The entity with the most open cases, and a supplier key for it.
        var cases = await FaultSteps.CasesAsync(stack, ct);
        var owner = cases.GroupBy(c => c.SupplierId).OrderByDescending(g => g.Count()).First().Key;
        using var supplier = new HttpClient { BaseAddress = stack.Functions.BaseAddress };
        supplier.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await stack.IssueSupplierKeyAsync(owner, ct));
        var open = (await MyCasesAsync(supplier, ct)).Where(c => (string?)c["status"] is "open" or "overdue").Select(c => (string)c["recordId"]!).Take(8).ToList();
        Assert.IsGreaterThanOrEqualTo(2, open.Count, $"{owner} has too few open cases for the test");

        // Two submitters per case race, retrying after 503 as told; the worker is killed when the first plan is accepted.
        var answers = new ConcurrentBag<(string RecordId, HttpStatusCode Status, string Body)>();
        var firstAccepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var submitters = open.SelectMany(recordId => Enumerable.Range(0, 2).Select(_ => SubmitUntilAnsweredAsync(supplier, recordId, answers, firstAccepted, ct))).ToList();
        await firstAccepted.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
        await FaultSteps.KillWorkerAsync(stack, ct);
        await Task.WhenAll(submitters);

        foreach (var (recordId, status, body) in answers)
        {
            Assert.IsTrue(status is HttpStatusCode.Created or HttpStatusCode.Conflict or HttpStatusCode.ServiceUnavailable, $"{recordId}: {(int)status} {body}");
        }

        var accepted = answers.Where(a => a.Status == HttpStatusCode.Created).ToList();
        Assert.AreEqual(accepted.Count, accepted.Select(a => a.RecordId).Distinct().Count(), "two submissions for one case were both accepted");

        // Nothing doubled, nothing half-written: each case holds at most one plan, and an accepted plan is there.
        await stack.WorkerProcessIdAsync(ct);
        var after = (await MyCasesAsync(supplier, ct)).ToDictionary(c => (string)c["recordId"]!);
        foreach (var recordId in open)
        {
            var plans = (JsonArray)after[recordId]["plans"]!;
            Assert.IsLessThanOrEqualTo(1, plans.Count, $"{recordId} has {plans.Count} plans: {after[recordId].ToJsonString()}");
            var acceptedId = accepted.Where(a => a.RecordId == recordId).Select(a => (string?)JsonNode.Parse(a.Body)!["planId"]).SingleOrDefault();
            if (acceptedId is not null)
            {
                Assert.AreEqual(acceptedId, (string?)plans.Single()!["planId"], after[recordId].ToJsonString());
                Assert.AreEqual("plan_submitted", (string?)after[recordId]["status"]);
            }
        }
    }

    private static async Task SubmitUntilAnsweredAsync(
        HttpClient supplier, string recordId, ConcurrentBag<(string, HttpStatusCode, string)> answers, TaskCompletionSource firstAccepted, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            using var response = await supplier.PostAsync($"api/me/violations/{recordId}/plans", new StringContent(PlanJson, Encoding.UTF8, "application/json"), ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            answers.Add((recordId, response.StatusCode, body));
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    firstAccepted.TrySetResult();
                }

                return;
            }

            FaultSteps.AssertUnavailable(response, body);
            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        }

        Assert.Fail($"{recordId}: still 503 after 200 attempts");
    }

    private static async Task<List<JsonObject>> MyCasesAsync(HttpClient supplier, CancellationToken ct)
    {
        using var response = await supplier.GetAsync("api/me/violations", ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, body);
        return [.. ((JsonArray)JsonNode.Parse(body)!["items"]!).Select(c => c!.AsObject())];
    }
}
