using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DisclosurePipeline.Tests.Infrastructure;
using DisclosurePipeline.Tests.Violations;

namespace DisclosurePipeline.Tests.EndToEnd;

/// <summary>
/// Cases, plans, keys and alerts end to end: Azurite, the simulator and the function app under the local Functions host,
/// with a real webhook receiver. One stack for the class (300 entities, registry imported and synced once).
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class ViolationCasesEndToEndTests
{
    private const string PlanJson = """
        {"summary":"更换阀门并加装在线监测","rootCause":"阀门老化","actions":[{"description":"更换阀门","owner":"厂长","dueOn":"2030-01-31"}],"expectedCompletionOn":"2030-02-28","contact":{"name":"李雷","email":"li@example.com"}}
        """;

    private static PipelineStack stack = null!;
    private static WebhookReceiver receiver = null!;
    private static List<string> registry = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        var ct = context.CancellationToken;
        receiver = await WebhookReceiver.StartAsync(ct);
        stack = await PipelineStack.StartAsync(300, new Dictionary<string, string?> { ["Alerts__WebhookUrl"] = receiver.Url.ToString() }, ct);
        var csv = await stack.Simulator.GetStringAsync("sim/registry.csv", ct);
        registry = [.. csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split(',')[0])];
        using var import = await stack.Staff.PutAsync("api/suppliers", new StringContent(csv, Encoding.UTF8, "text/csv"), ct);
        Assert.AreEqual(HttpStatusCode.OK, import.StatusCode, await import.Content.ReadAsStringAsync(ct));
        await SyncAsync(null, ct);
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        await stack.DisposeAsync();
        await receiver.DisposeAsync();
    }

    [TestMethod]
    [Timeout(180000, CooperativeCancellation = true)]
    public async Task NewRecord_PlanReviewAndRemoval_WorkForTheOwningSupplierOnly()
    {
        var ct = TestContext.CancellationToken;
        var owner = registry[3];
        var stranger = registry[4];

        // A record published on the platform opens a case after a sync.
        using var created = await stack.Simulator.PostAsJsonAsync("sim/records", new { enterpriseId = owner, summary = "超标排放废水", publishedAt = DateTimeOffset.UtcNow.AddHours(-1) }, ct);
        Assert.AreEqual(HttpStatusCode.Created, created.StatusCode, await created.Content.ReadAsStringAsync(ct));
        var recordId = (string)(await ReadJsonAsync(created, ct))["recordId"]!;
        await SyncAsync(await LatestRunIdAsync(ct), ct);
        var opened = await CaseAsync(stack.Staff, $"api/violations?supplierId={owner}", recordId, ct);
        Assert.AreEqual("open", (string?)opened["status"]);
        Assert.AreEqual("超标排放废水", (string?)opened["summary"]);

        using var ownerClient = await SupplierClientAsync(owner, ct);
        using var strangerClient = await SupplierClientAsync(stranger, ct);

        // Each supplier sees only its own cases; another's record is 404 exactly like a missing one.
        var mine = (JsonArray)(await GetJsonAsync(ownerClient, "api/me/violations", ct))["items"]!;
        Assert.IsTrue(mine.All(c => (string?)c!["supplierId"] == owner));
        Assert.IsTrue(mine.Any(c => (string?)c!["recordId"] == recordId));
        Assert.IsFalse(((JsonArray)(await GetJsonAsync(strangerClient, "api/me/violations", ct))["items"]!).Any(c => (string?)c!["recordId"] == recordId));
        using (var foreign = await PostPlanAsync(strangerClient, recordId, PlanJson, ct))
        using (var missing = await PostPlanAsync(strangerClient, "BM-NO-SUCH-RECORD", PlanJson, ct))
        {
            Assert.AreEqual(HttpStatusCode.NotFound, foreign.StatusCode);
            Assert.AreEqual(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.AreEqual((string?)(await ReadJsonAsync(missing, ct))["title"], (string?)(await ReadJsonAsync(foreign, ct))["title"]);
        }

        // A bad body is a ValidationProblemDetails with field errors.
        using (var bad = await PostPlanAsync(ownerClient, recordId, """{"summary":"","actions":[]}""", ct))
        {
            Assert.AreEqual(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.AreEqual("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
            var errors = (JsonObject)(await ReadJsonAsync(bad, ct))["errors"]!;
            foreach (var field in new[] { "summary", "rootCause", "actions", "expectedCompletionOn" })
            {
                Assert.IsTrue(errors.ContainsKey(field), field);
            }
        }

        using var submitted = await PostPlanAsync(ownerClient, recordId, PlanJson, ct);
        Assert.AreEqual(HttpStatusCode.Created, submitted.StatusCode, await submitted.Content.ReadAsStringAsync(ct));
        var plan = await ReadJsonAsync(submitted, ct);
        var planId = (string)plan["planId"]!;
        Assert.AreEqual("plan_submitted", (string?)plan["status"]);
        Assert.IsFalse((bool)plan["late"]!);
        using (var again = await PostPlanAsync(ownerClient, recordId, PlanJson, ct))
        {
            Assert.AreEqual(HttpStatusCode.Conflict, again.StatusCode, "a plan is pending");
        }

        // The document: a PDF only, as application/pdf.
        var documentPath = $"api/me/violations/{recordId}/plans/{planId}/document";
        Assert.AreEqual(HttpStatusCode.BadRequest, await PutDocumentAsync(ownerClient, documentPath, "hello"u8.ToArray(), "application/pdf", ct));
        Assert.AreEqual(HttpStatusCode.UnsupportedMediaType, await PutDocumentAsync(ownerClient, documentPath, "%PDF-1.7"u8.ToArray(), "image/png", ct));
        Assert.AreEqual(HttpStatusCode.NotFound, await PutDocumentAsync(strangerClient, documentPath.Replace("api/me", "api/me", StringComparison.Ordinal), "%PDF-1.7"u8.ToArray(), "application/pdf", ct));
        Assert.AreEqual(HttpStatusCode.NoContent, await PutDocumentAsync(ownerClient, documentPath, "%PDF-1.7\n%%EOF"u8.ToArray(), "application/pdf", ct));

        // Staff read what they review: the plan's content in the case, and its PDF.
        var staffDocumentPath = $"api/violations/{owner}/{recordId}/plans/{planId}/document";
        using (var pdf = await stack.Staff.GetAsync(staffDocumentPath, ct))
        {
            Assert.AreEqual(HttpStatusCode.OK, pdf.StatusCode);
            Assert.AreEqual("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
            CollectionAssert.AreEqual("%PDF-1.7\n%%EOF"u8.ToArray(), await pdf.Content.ReadAsByteArrayAsync(ct));
        }

        using (var ownerGetsStaffPath = await ownerClient.GetAsync(staffDocumentPath, ct))
        {
            Assert.AreEqual(HttpStatusCode.Forbidden, ownerGetsStaffPath.StatusCode);
        }

        using (var listed = await stack.Staff.GetAsync($"api/violations?supplierId={owner}", ct))
        {
            var listedPlan = (await ReadJsonAsync(listed, ct))["items"]!.AsArray()
                .Single(c => (string?)c!["recordId"] == recordId)!["plans"]!.AsArray().Single()!;
            Assert.IsTrue((bool)listedPlan["hasDocument"]!);
            Assert.IsFalse(string.IsNullOrEmpty((string?)listedPlan["summary"]), "staff see what was submitted");
            Assert.IsNotEmpty(listedPlan["actions"]!.AsArray());
        }

        // Two staff approve at once: one 200 with the case, one 409.
        var reviewPath = $"api/violations/{owner}/{recordId}/plans/{planId}/review";
        using (var badReview = await stack.Staff.PostAsync(reviewPath, Json("""{"decision":"reject"}"""), ct))
        {
            Assert.AreEqual(HttpStatusCode.BadRequest, badReview.StatusCode);
            Assert.IsTrue(((JsonObject)(await ReadJsonAsync(badReview, ct))["errors"]!).ContainsKey("comment"));
        }

        var reviews = await Task.WhenAll(
            stack.Staff.PostAsync(reviewPath, Json("""{"decision":"approve","comment":"好"}"""), ct),
            stack.Staff.PostAsync(reviewPath, Json("""{"decision":"approve"}"""), ct));
        CollectionAssert.AreEquivalent(new[] { HttpStatusCode.OK, HttpStatusCode.Conflict }, reviews.Select(r => r.StatusCode).ToArray());
        var reviewed = await ReadJsonAsync(reviews.Single(r => r.StatusCode == HttpStatusCode.OK), ct);
        Assert.AreEqual("plan_approved", (string?)reviewed["status"]);
        Assert.AreEqual("approved", (string?)reviewed["plans"]![0]!["decision"]);
        foreach (var r in reviews)
        {
            r.Dispose();
        }

        // Removed on the platform: the case is closed as removed, its plan history kept.
        using (var removed = await stack.Simulator.PostAsync($"sim/records/{recordId}/remove", null, ct))
        {
            Assert.IsTrue(removed.IsSuccessStatusCode);
        }

        await SyncAsync(await LatestRunIdAsync(ct), ct);
        var closed = await CaseAsync(stack.Staff, "api/violations?status=removed", recordId, ct);
        Assert.AreEqual("removed", (string?)closed["status"]);
        Assert.IsNotNull((string?)closed["removedAt"]);
        Assert.AreEqual(planId, (string?)closed["plans"]![0]!["planId"]);
        Assert.AreEqual("approved", (string?)closed["plans"]![0]!["decision"]);
        using (var late = await PostPlanAsync(ownerClient, recordId, PlanJson, ct))
        {
            Assert.AreEqual(HttpStatusCode.Conflict, late.StatusCode, "a removed case takes no plan");
        }
    }

    [TestMethod]
    [Timeout(180000, CooperativeCancellation = true)]
    public async Task Sweep_RunTwice_OneOverdueAlertPerOverdueCaseDeliveredOnce()
    {
        var ct = TestContext.CancellationToken;
        var overdue = ((JsonArray)(await GetJsonAsync(stack.Staff, "api/violations?status=overdue", ct))["items"]!)
            .Select(c => (string)c!["supplierId"]! + "/" + (string)c["recordId"]!).ToHashSet();
        Assert.IsNotEmpty(overdue, "the simulator publishes records older than the deadline");

        await stack.RunFunctionAsync("SweepPlanDeadlines", ct);
        await stack.RunFunctionAsync("SweepPlanDeadlines", ct);

        var alerts = await WaitForAsync(
            async () =>
            {
                var items = ((JsonArray)(await GetJsonAsync(stack.Staff, "api/alerts", ct))["items"]!).Select(a => a!.AsObject()).Where(a => (string?)a["type"] == "plan_overdue").ToList();
                return items.Count >= overdue.Count && items.All(a => a["deliveredAt"] is not null) ? items : null;
            },
            ct);
        await stack.RunFunctionAsync("SweepPlanDeadlines", ct);
        await Task.Delay(TimeSpan.FromSeconds(2), ct); // room for a wrongly queued third delivery to arrive

        CollectionAssert.AreEquivalent(overdue.ToList(), alerts.Select(a => (string)a["supplierId"]! + "/" + (string)a["recordId"]!).ToList());
        var posts = receiver.Received.Where(r => (string?)r.Body["type"] == "plan_overdue").ToList();
        Assert.HasCount(overdue.Count, posts, "each overdue alert POSTed exactly once");
        CollectionAssert.AreEquivalent(alerts.Select(a => (string)a["alertId"]!).ToList(), posts.Select(p => p.Key).ToList());
        Assert.IsTrue(posts.All(p => p.Key == (string?)p.Body["alertId"]));
        Assert.IsTrue(posts.All(p => (int)p.Body["daysOverdue"]! >= 1));

        using var badSince = await stack.Staff.GetAsync("api/alerts?since=yesterday", ct);
        Assert.AreEqual(HttpStatusCode.BadRequest, badSince.StatusCode);
        var future = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture));
        Assert.IsEmpty((JsonArray)(await GetJsonAsync(stack.Staff, "api/alerts?since=" + future, ct))["items"]!);
    }

    [TestMethod]
    [Timeout(120000, CooperativeCancellation = true)]
    public async Task Roles_EveryEndpoint_AnswersByTheCallersRole()
    {
        var ct = TestContext.CancellationToken;
        using var supplier = await SupplierClientAsync(registry[5], ct);
        var unknownKey = "sk_" + new string('0', 24) + "_" + new string('A', 43);
        string[] staffOnly =
        [
            "POST api/suppliers/" + registry[5] + "/keys", "GET api/violations", "GET api/alerts",
            "POST api/violations/" + registry[5] + "/BM-1/plans/p1/review", "GET api/sync-runs/latest",
            "GET api/violations/" + registry[5] + "/BM-1/plans/p1/document",
        ];
        string[] supplierOnly = ["GET api/me/violations", "POST api/me/violations/BM-1/plans", "PUT api/me/violations/BM-1/plans/p1/document"];

        // Each refused call comes from its own loopback address: 18 failures from one address would trip the
        // failed-authentication limit (10 a minute, FailedAuthLimitTests) and be answered 429 instead.
        var source = 20;
        foreach (var endpoint in staffOnly.Concat(supplierOnly))
        {
            using (var anonymous = stack.ClientFrom(IPAddress.Parse("127.0.1." + source++), null))
            using (var unknown = stack.ClientFrom(IPAddress.Parse("127.0.1." + source++), unknownKey))
            {
                Assert.AreEqual(HttpStatusCode.Unauthorized, await CallAsync(anonymous, endpoint, ct), "no token: " + endpoint);
                Assert.AreEqual(HttpStatusCode.Unauthorized, await CallAsync(unknown, endpoint, ct), "unknown token: " + endpoint);
            }

            Assert.AreEqual(HttpStatusCode.Forbidden, await CallAsync(stack.Analyst, endpoint, ct), "analyst: " + endpoint);
        }

        foreach (var endpoint in staffOnly)
        {
            Assert.AreEqual(HttpStatusCode.Forbidden, await CallAsync(supplier, endpoint, ct), "supplier: " + endpoint);
            Assert.AreNotEqual(HttpStatusCode.Forbidden, await CallAsync(stack.Staff, endpoint, ct), "staff: " + endpoint);
        }

        foreach (var endpoint in supplierOnly)
        {
            Assert.AreEqual(HttpStatusCode.Forbidden, await CallAsync(stack.Staff, endpoint, ct), "staff has no supplier identity: " + endpoint);
            Assert.AreNotEqual(HttpStatusCode.Forbidden, await CallAsync(supplier, endpoint, ct), "supplier: " + endpoint);
        }

        using var badStatus = await stack.Staff.GetAsync("api/violations?status=closed", ct);
        Assert.AreEqual(HttpStatusCode.BadRequest, badStatus.StatusCode);
        Assert.IsTrue(((JsonObject)(await ReadJsonAsync(badStatus, ct))["errors"]!).ContainsKey("status"));
        using var unknownEntity = await stack.Staff.PostAsync("api/suppliers/91350100M000100Y43/keys", null, ct);
        Assert.AreEqual(HttpStatusCode.NotFound, unknownEntity.StatusCode);
    }

    private static async Task<HttpStatusCode> CallAsync(HttpClient client, string endpoint, CancellationToken ct)
    {
        var (method, path) = (endpoint.Split(' ')[0], endpoint.Split(' ')[1]);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method != "GET")
        {
            request.Content = path.EndsWith("/document", StringComparison.Ordinal)
                ? new ByteArrayContent("%PDF-1.7"u8.ToArray()) { Headers = { ContentType = new MediaTypeHeaderValue("application/pdf") } }
                : Json("{}");
        }

        using var response = await client.SendAsync(request, ct);
        return response.StatusCode;
    }

    private static async Task SyncAsync(string? previousRunId, CancellationToken ct)
    {
        await stack.RunFunctionAsync("ScheduleSupplierSync", ct);
        await WaitForAsync(
            async () =>
            {
                using var response = await stack.Staff.GetAsync("api/sync-runs/latest", ct);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return null;
                }

                var run = await ReadJsonAsync(response, ct);
                return (string?)run["runId"] != previousRunId && (string?)run["status"] == "completed" ? run : null;
            },
            ct);
    }

    private static async Task<string?> LatestRunIdAsync(CancellationToken ct) =>
        (string?)(await GetJsonAsync(stack.Staff, "api/sync-runs/latest", ct))["runId"];

    private static async Task<HttpClient> SupplierClientAsync(string supplierId, CancellationToken ct)
    {
        using var response = await stack.Staff.PostAsync($"api/suppliers/{supplierId}/keys", null, ct);
        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode);
        var body = await ReadJsonAsync(response, ct);
        Assert.AreEqual(supplierId, (string?)body["supplierId"]);
        return Client((string)body["key"]!);
    }

    private static HttpClient Client(string? key)
    {
        var client = new HttpClient { BaseAddress = stack.Functions.BaseAddress };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    private static async Task<JsonObject> CaseAsync(HttpClient client, string path, string recordId, CancellationToken ct)
    {
        var items = (JsonArray)(await GetJsonAsync(client, path, ct))["items"]!;
        return items.Select(i => i!.AsObject()).Single(i => (string?)i["recordId"] == recordId);
    }

    private static Task<HttpResponseMessage> PostPlanAsync(HttpClient client, string recordId, string json, CancellationToken ct) =>
        client.PostAsync($"api/me/violations/{recordId}/plans", Json(json), ct);

    private static async Task<HttpStatusCode> PutDocumentAsync(HttpClient client, string path, byte[] body, string contentType, CancellationToken ct)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var response = await client.PutAsync(path, content, ct);
        return response.StatusCode;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonObject> GetJsonAsync(HttpClient client, string path, CancellationToken ct)
    {
        using var response = await client.GetAsync(path, ct);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, $"GET {path}: {await response.Content.ReadAsStringAsync(ct)}");
        return await ReadJsonAsync(response, ct);
    }

    private static async Task<JsonObject> ReadJsonAsync(HttpResponseMessage response, CancellationToken ct) =>
        (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, CancellationToken ct)
        where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the pipeline did not get there in time:" + Environment.NewLine + stack.HostOutput);
            }

            await Task.Delay(200, ct);
        }
    }
}
