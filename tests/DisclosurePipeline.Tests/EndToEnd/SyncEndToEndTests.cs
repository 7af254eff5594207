using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DisclosurePipeline.Tests.Infrastructure;

namespace DisclosurePipeline.Tests.EndToEnd;

/// <summary>
/// The product as ./run.sh starts it — Azurite, the simulator over HTTP, the function app under the local
/// Functions host — driven only through its public surface: the registry import and sync-run endpoints on
/// port 7071's stand-in, and the host's admin endpoint for the timer.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class SyncEndToEndTests
{
    private const int Entities = 300;
    private static PipelineStack stack = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context) =>
        stack = await PipelineStack.StartAsync(Entities, null, context.CancellationToken);

    [ClassCleanup]
    public static async Task StopAsync() => await stack.DisposeAsync();

    [TestMethod]
    [Timeout(180_000, CooperativeCancellation = true)]
    public async Task ImportThenTimer_WholeRegistry_SyncsEveryEntityThroughTheQueue()
    {
        var ct = TestContext.CancellationToken;
        using (var none = await stack.Staff.GetAsync("api/sync-runs/latest", ct))
        {
            Assert.AreEqual(HttpStatusCode.NotFound, none.StatusCode, "no run before the first");
            Assert.AreEqual("application/problem+json", none.Content.Headers.ContentType?.MediaType);
        }

        var csv = await stack.Simulator.GetStringAsync($"sim/registry.csv?count={Entities}", ct);
        using var import = await stack.Staff.PutAsync("api/suppliers", new StringContent(csv, Encoding.UTF8, "text/csv"), ct);
        Assert.AreEqual(HttpStatusCode.OK, import.StatusCode, await import.Content.ReadAsStringAsync(ct));
        var imported = await import.Content.ReadFromJsonAsync<JsonObject>(ct);
        Assert.AreEqual(Entities, (int)imported!["created"]!);
        Assert.IsEmpty(imported["rejected"]!.AsArray());

        await stack.RunFunctionAsync("ScheduleSupplierSync", ct);
        var run = await WaitForRunAsync(ct);

        Assert.AreEqual("completed", (string?)run["status"], stack.HostOutput);
        Assert.AreEqual(Entities, (int)run["entitiesTotal"]!);
        Assert.AreEqual(Entities, (int)run["entitiesSynced"]!);
        Assert.AreEqual(0, (int)run["entitiesFailed"]!);
        Assert.IsNotNull((string?)run["finishedAt"]);

        // The same file again: nothing to write.
        using var again = await stack.Staff.PutAsync("api/suppliers", new StringContent(csv, Encoding.UTF8, "text/csv"), ct);
        var second = await again.Content.ReadFromJsonAsync<JsonObject>(ct);
        Assert.AreEqual(Entities, (int)second!["unchanged"]!);
        Assert.AreEqual(0, (int)second["created"]! + (int)second["updated"]!);
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task SyncRuns_WithoutOrWithTheWrongKey_AreRefused()
    {
        var ct = TestContext.CancellationToken;
        using var anonymous = await stack.Functions.GetAsync("api/sync-runs/latest", ct);
        using var analyst = await stack.Analyst.GetAsync("api/sync-runs/latest", ct);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "api/sync-runs/latest");
        wrong.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not-a-key");
        using var unknown = await stack.Functions.SendAsync(wrong, ct);

        Assert.AreEqual(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.AreEqual(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.AreEqual(HttpStatusCode.Forbidden, analyst.StatusCode);
        Assert.AreEqual("application/problem+json", analyst.Content.Headers.ContentType?.MediaType);
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task Import_BadRowsAndBadRequests_GetRowErrorsAndProblems()
    {
        var ct = TestContext.CancellationToken;
        using var rows = await stack.Staff.PutAsync(
            "api/suppliers",
            new StringContent("id,name,kind\n91350100m000100Y43,小写代码,supplier\n91350100M000100Y43,\"多行\n名称\",vendor\n", Encoding.UTF8, "text/csv"),
            ct);
        var result = await rows.Content.ReadFromJsonAsync<JsonObject>(ct);
        var rejected = result!["rejected"]!.AsArray();
        Assert.AreEqual(HttpStatusCode.OK, rows.StatusCode);
        CollectionAssert.AreEqual(new[] { 2, 3 }, rejected.Select(r => (int)r!["line"]!).ToArray(), "record numbers, header = 1");

        using var json = await stack.Staff.PutAsync("api/suppliers", new StringContent("{}", Encoding.UTF8, "application/json"), ct);
        Assert.AreEqual(HttpStatusCode.UnsupportedMediaType, json.StatusCode);

        using var huge = await stack.Staff.PutAsync(
            "api/suppliers", new ByteArrayContent(new byte[(5 * 1024 * 1024) + 1]) { Headers = { ContentType = new("text/csv") } }, ct);
        Assert.AreEqual(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
    }

    private async Task<JsonObject> WaitForRunAsync(CancellationToken ct)
    {
        while (true)
        {
            using var response = await stack.Staff.GetAsync("api/sync-runs/latest", ct);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var run = (await response.Content.ReadFromJsonAsync<JsonObject>(ct))!;
                if ((string?)run["status"] != "running")
                {
                    return run;
                }
            }

            await Task.Delay(250, ct);
        }
    }
}
