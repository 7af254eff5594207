using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DisclosurePipeline.Tests.Infrastructure;

namespace DisclosurePipeline.Tests.EndToEnd;

/// <summary>
/// The registry's lifecycle through the product's public surface, as <c>./run.sh --no-demo</c> starts it: a start-up
/// sync over the empty registry, an import while the next run is starting, a second import, each synced without
/// waiting for the nightly full sync; then one entity deactivated (it drops out of progress, raises no alert, its key
/// answers 401, its cases stay visible to staff), reactivated (all of it back), and its key revoked.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class RegistryLifecycleEndToEndTests
{
    private const int Entities = 300;
    private static PipelineStack stack = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context) =>
        stack = await PipelineStack.StartAsync(Entities, null, context.CancellationToken);

    [ClassCleanup]
    public static async Task StopAsync()
    {
        if (stack is not null)
        {
            await stack.DisposeAsync();
        }
    }

    [TestMethod]
    [Timeout(420_000, CooperativeCancellation = true)]
    public async Task Registry_ImportedDeactivatedReactivatedAndKeyRevoked_SyncProgressAlertsAndSignInFollow()
    {
        var ct = TestContext.CancellationToken;
        var lines = (await stack.Simulator.GetStringAsync($"sim/registry.csv?count={Entities}", ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0];
        var firstHundred = lines.Skip(1).Take(100).ToList();
        var secondHundred = lines.Skip(101).Take(100).ToList();
        var subject = await FirstOnPlatformAsync(firstHundred, ct);
        var overdueRecord = await PublishAsync(subject, DateTimeOffset.UtcNow.AddDays(-20), ct);

        // Start-up: the first sync runs over the empty registry.
        await stack.RunFunctionAsync("ScheduleSupplierSync", ct);
        var startup = await WaitForLatestRunAsync(null, ct);
        Assert.AreEqual(0, (int)startup["entitiesTotal"]!);
        Assert.AreEqual("full", (string?)startup["reason"]);

        // "Sync now" and an import at the same moment: whatever the run listed, the import queues what it created.
        var tick = stack.RunFunctionAsync("ScheduleSupplierSync", ct);
        var imported = await ImportAsync(header, firstHundred, ct);
        await tick;
        Save("import.json", imported);
        Assert.AreEqual(100, (int)imported["created"]!);
        Assert.AreEqual(100, (int)imported["syncQueued"]!, "the import queues the sync of every entity it created");
        Assert.IsNotNull((string?)imported["syncRunId"]);
        var importRun = await WaitForRunAsync((string)imported["syncRunId"]!, ct);
        Save("sync-run.json", importRun);
        if ((string?)importRun["runId"] == (string?)imported["syncRunId"])
        {
            Assert.AreEqual("import", (string?)importRun["reason"]);
            StringAssert.Contains((string?)importRun["scope"], "100 created");
        }

        var again = await ImportAsync(header, secondHundred, ct);
        Assert.AreEqual(100, (int)again["syncQueued"]!);
        await stack.RunFunctionAsync("ScheduleSupplierSync", ct);
        await WaitForRunAsync((string)again["syncRunId"]!, ct);
        await AssertSyncedAsync(firstHundred.Concat(secondHundred).Select(l => l.Split(',')[0]).ToList(), ct);

        // A supplier key for the subject works; the rollup counts the subject with its overdue case.
        var key = await IssueKeyAsync(subject, ct);
        Save("key-issued.json", key);
        Save("suppliers-page.json", await GetAsync(stack.Staff, "api/suppliers?kind=supplier&limit=2", ct));
        using var supplier = Client((string)key["key"]!);
        Assert.AreEqual(HttpStatusCode.OK, await StatusAsync(supplier, "api/me/violations", ct));
        await RollupAsync(ct);
        var before = await GetAsync(stack.Analyst, "api/progress", ct);
        Assert.IsTrue(await InProgressEntitiesAsync(subject, ct), "an active entity has its progress row");

        using (var off = await stack.Staff.DeleteAsync($"api/suppliers/{subject}", ct))
        {
            Assert.AreEqual(HttpStatusCode.OK, off.StatusCode, await off.Content.ReadAsStringAsync(ct));
            var body = (await off.Content.ReadFromJsonAsync<JsonObject>(ct))!;
            Save("deactivated.json", body);
            Assert.AreEqual("inactive", (string?)body["status"]);
        }

        Assert.AreEqual(HttpStatusCode.Unauthorized, await StatusAsync(supplier, "api/me/violations", ct), "an inactive entity's key answers 401 at once");
        using (var refused = await stack.Staff.PostAsync($"api/suppliers/{subject}/keys", null, ct))
        {
            Assert.AreEqual(HttpStatusCode.Conflict, refused.StatusCode, "no new key for an inactive entity");
        }

        // Once the sweep has raised the alert of every other overdue case, the subject's would be there too.
        var othersOverdue = (await GetAsync(stack.Staff, "api/violations?status=overdue", ct))["items"]!.AsArray()
            .Where(c => (string?)c!["supplierId"] != subject).Select(c => (string)c!["recordId"]!).ToHashSet();
        Assert.IsNotEmpty(othersOverdue);
        await stack.RunFunctionAsync("SweepPlanDeadlines", ct);
        var alerts = await Eventually.UntilNotNullAsync(
            async c =>
            {
                var items = (await GetAsync(stack.Staff, "api/alerts", c))["items"]!.AsArray();
                var raised = items.Where(a => (string?)a!["type"] == "plan_overdue").Select(a => (string)a!["recordId"]!).ToHashSet();
                return othersOverdue.All(raised.Contains) ? items : null;
            },
            "the overdue alerts of the active entities",
            ct,
            TimeSpan.FromSeconds(60));
        Assert.IsFalse(alerts.Any(a => (string?)a!["supplierId"] == subject), "an inactive entity raises no alert");
        await RollupAsync(ct);
        var during = await GetAsync(stack.Analyst, "api/progress", ct);
        Assert.IsFalse(await InProgressEntitiesAsync(subject, ct), "an inactive entity drops out of /api/progress/entities");
        Assert.IsLessThan((int)before["violations"]!["overdue"]!, (int)during["violations"]!["overdue"]!, "its overdue case drops out of the figures");
        var detail = await GetAsync(stack.Staff, $"api/suppliers/{subject}", ct);
        Save("supplier-inactive.json", detail);
        Assert.AreEqual("inactive", (string?)detail["status"]);
        Assert.IsGreaterThanOrEqualTo(1, (int)detail["cases"]!["overdue"]!, "its cases are kept");
        Assert.IsTrue((await GetAsync(stack.Staff, $"api/violations?supplierId={subject}", ct))["items"]!.AsArray()
            .Any(c => (string?)c!["recordId"] == overdueRecord), "staff still see its cases");

        using (var on = await stack.Staff.PostAsync($"api/suppliers/{subject}/reactivate", null, ct))
        {
            Assert.AreEqual(HttpStatusCode.OK, on.StatusCode, await on.Content.ReadAsStringAsync(ct));
            var body = (await on.Content.ReadFromJsonAsync<JsonObject>(ct))!;
            Save("reactivated.json", body);
            Assert.AreEqual("active", (string?)body["status"]);
            var run = await WaitForRunAsync((string)body["syncRunId"]!, ct);
            Assert.IsTrue((string?)run["runId"] != (string?)body["syncRunId"] || (string?)run["reason"] == "reactivation", run.ToJsonString());
        }

        Assert.AreEqual(HttpStatusCode.OK, await StatusAsync(supplier, "api/me/violations", ct), "the key works again");
        await stack.RunFunctionAsync("SweepPlanDeadlines", ct);
        await Eventually.UntilAsync(
            async c => (await GetAsync(stack.Staff, "api/alerts", c))["items"]!.AsArray()
                .Any(a => (string?)a!["supplierId"] == subject && (string?)a["recordId"] == overdueRecord && (string?)a["type"] == "plan_overdue"),
            "back in the programme, its overdue case raises its alert",
            ct,
            TimeSpan.FromSeconds(60));
        await RollupAsync(ct);
        Assert.IsTrue(await InProgressEntitiesAsync(subject, ct));
        Assert.AreEqual((int)before["violations"]!["overdue"]!, (int)(await GetAsync(stack.Analyst, "api/progress", ct))["violations"]!["overdue"]!);

        // The key's lifecycle: listed with its last use, revoked, refused at once.
        var keyList = await GetAsync(stack.Staff, $"api/suppliers/{subject}/keys", ct);
        Save("keys.json", keyList);
        var keys = keyList["items"]!.AsArray();
        var listed = keys.Single(k => (string?)k!["keyId"] == (string?)key["keyId"])!;
        Assert.IsNotNull((string?)listed["lastUsedAt"], "the key's use is recorded");
        Assert.IsNull((string?)listed["revokedAt"]);
        Assert.IsFalse(keys.ToJsonString().Contains((string)key["key"]!, StringComparison.Ordinal), "the key itself is never shown again");
        using (var revoked = await stack.Staff.DeleteAsync($"api/suppliers/{subject}/keys/{key["keyId"]}", ct))
        {
            Assert.AreEqual(HttpStatusCode.NoContent, revoked.StatusCode);
        }

        Assert.AreEqual(HttpStatusCode.Unauthorized, await StatusAsync(supplier, "api/me/violations", ct), "a revoked key answers 401 at once");
        Assert.IsNotNull((string?)(await GetAsync(stack.Staff, $"api/suppliers/{subject}/keys", ct))["items"]!.AsArray()
            .Single(k => (string?)k!["keyId"] == (string?)key["keyId"])!["revokedAt"]);
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task RegistryEndpoints_BadInputAndOtherRoles_GetProblemDetails()
    {
        var ct = TestContext.CancellationToken;
        foreach (var (method, path, expected) in new[]
        {
            (HttpMethod.Get, "api/suppliers?kind=vendor", HttpStatusCode.BadRequest),
            (HttpMethod.Get, "api/suppliers?limit=0", HttpStatusCode.BadRequest),
            (HttpMethod.Get, "api/suppliers?continuationToken=nope", HttpStatusCode.BadRequest),
            (HttpMethod.Get, "api/suppliers/91350100M000100Y4X", HttpStatusCode.NotFound),
            (HttpMethod.Delete, "api/suppliers/91350100M000100Y4X", HttpStatusCode.NotFound),
            (HttpMethod.Post, "api/suppliers/91350100M000100Y4X/reactivate", HttpStatusCode.NotFound),
            (HttpMethod.Get, "api/suppliers/91350100M000100Y4X/keys", HttpStatusCode.NotFound),
            (HttpMethod.Delete, "api/suppliers/91350100M000100Y4X/keys/0123456789abcdef01234567", HttpStatusCode.NotFound),
        })
        {
            using var response = await stack.Staff.SendAsync(new HttpRequestMessage(method, path), ct);
            Assert.AreEqual(expected, response.StatusCode, $"{method} {path}");
            Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType, $"{method} {path}");
        }

        var problem = JsonNode.Parse(await (await stack.Staff.GetAsync("api/suppliers?tier=3&status=gone", ct)).Content.ReadAsStringAsync(ct))!;
        Save("bad-query.json", problem);
        Assert.IsNotNull(problem["errors"]!["tier"]);
        Assert.IsNotNull(problem["errors"]!["status"]);
        foreach (var path in new[] { "api/suppliers", "api/suppliers/91350100M000100Y43", "api/suppliers/91350100M000100Y43/keys" })
        {
            Assert.AreEqual(HttpStatusCode.Forbidden, await StatusAsync(stack.Analyst, path, ct), path);
            Assert.AreEqual(HttpStatusCode.Unauthorized, await StatusAsync(stack.Functions, path, ct), path);
        }
    }

    /// <summary>Keeps a response as an example for docs/api.md, in <c>TestResults/registry/</c> (test.sh clears TestResults first).</summary>
    private static void Save(string name, JsonNode body)
    {
        var folder = RepoPaths.Combine("TestResults", "registry");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, name), body.ToJsonString());
    }

    private static async Task<JsonObject> ImportAsync(string header, IEnumerable<string> rows, CancellationToken ct)
    {
        using var response = await stack.Staff.PutAsync("api/suppliers", new StringContent(header + "\n" + string.Join('\n', rows) + "\n", Encoding.UTF8, "text/csv"), ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, body);
        return (JsonObject)JsonNode.Parse(body)!;
    }

    /// <summary>Every id has been synced (its last sync time is set), its cases are the platform's records and its disclosures the platform's.</summary>
    private static async Task AssertSyncedAsync(IReadOnlyList<string> ids, CancellationToken ct)
    {
        await Eventually.UntilAsync(
            async c =>
            {
                var page = await GetAsync(stack.Staff, "api/suppliers?limit=500", c);
                var synced = page["items"]!.AsArray().Where(e => (string?)e!["lastSyncedAt"] is not null).Select(e => (string)e!["id"]!).ToHashSet();
                return ids.All(synced.Contains);
            },
            "every imported entity synced",
            ct,
            TimeSpan.FromSeconds(120));

        var cases = new List<JsonNode>();
        string? token = null;
        do
        {
            var page = await GetAsync(stack.Staff, "api/violations?limit=1000" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token)), ct);
            cases.AddRange(page["items"]!.AsArray()!);
            token = (string?)page["continuationToken"];
        }
        while (token is not null);
        var byEntity = cases.ToLookup(c => (string)c["supplierId"]!);
        foreach (var id in ids)
        {
            var truth = await stack.Simulator.GetFromJsonAsync<JsonObject>($"sim/enterprises/{id}", ct);
            var records = truth!["records"]!.AsArray().Select(r => (string)r!["recordId"]!).Order(StringComparer.Ordinal).ToList();
            CollectionAssert.AreEqual(records, byEntity[id].Select(c => (string)c["recordId"]!).Order(StringComparer.Ordinal).ToList(), $"{id}: one case per platform record");
            var detail = await GetAsync(stack.Staff, $"api/suppliers/{id}", ct);
            var onPlatform = (bool)truth["onPlatform"]!;
            Assert.AreEqual(onPlatform ? (string?)truth["prtr"]?["status"] ?? "none" : "none", (string?)detail["disclosures"]!["prtr"]!["status"], $"{id}: PRTR");
            Assert.AreEqual(onPlatform ? (string?)truth["carbon"]?["status"] ?? "none" : "none", (string?)detail["disclosures"]!["carbon"]!["status"], $"{id}: carbon");
        }
    }

    private static async Task<string> FirstOnPlatformAsync(IEnumerable<string> rows, CancellationToken ct)
    {
        foreach (var row in rows)
        {
            var id = row.Split(',')[0];
            if ((bool)(await stack.Simulator.GetFromJsonAsync<JsonObject>($"sim/enterprises/{id}", ct))!["onPlatform"]!)
            {
                return id;
            }
        }

        throw new AssertFailedException("no registry entity is on the platform");
    }

    private static async Task<string> PublishAsync(string id, DateTimeOffset publishedAt, CancellationToken ct)
    {
        using var created = await stack.Simulator.PostAsJsonAsync("sim/records", new { enterpriseId = id, summary = "超标排放废水", publishedAt }, ct);
        Assert.AreEqual(HttpStatusCode.Created, created.StatusCode, await created.Content.ReadAsStringAsync(ct));
        return (string)JsonNode.Parse(await created.Content.ReadAsStringAsync(ct))!["recordId"]!;
    }

    private static async Task<JsonObject> IssueKeyAsync(string id, CancellationToken ct)
    {
        using var response = await stack.Staff.PostAsync($"api/suppliers/{id}/keys", null, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, body);
        var key = (JsonObject)JsonNode.Parse(body)!;
        Assert.AreEqual(id, (string?)key["supplierId"]);
        StringAssert.Contains((string)key["key"]!, (string)key["keyId"]!, "the key id is the one inside the key");
        return key;
    }

    private static async Task<bool> InProgressEntitiesAsync(string id, CancellationToken ct) =>
        (await GetAsync(stack.Analyst, "api/progress/entities", ct))["items"]!.AsArray().Any(e => (string?)e!["id"] == id);

    private static async Task<JsonObject> WaitForLatestRunAsync(string? previous, CancellationToken ct) =>
        await Eventually.UntilNotNullAsync(
            async c =>
            {
                using var response = await stack.Staff.GetAsync("api/sync-runs/latest", c);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return null;
                }

                var run = (await response.Content.ReadFromJsonAsync<JsonObject>(c))!;
                return (string?)run["runId"] != previous && (string?)run["status"] == "completed" ? run : null;
            },
            "a completed sync run",
            ct,
            TimeSpan.FromSeconds(90));

    /// <summary>Waits until the run <paramref name="runId"/> has completed (it is the latest, or a later one started since).</summary>
    private static async Task<JsonObject> WaitForRunAsync(string runId, CancellationToken ct) =>
        await Eventually.UntilNotNullAsync(
            async c =>
            {
                var run = await GetAsync(stack.Staff, "api/sync-runs/latest", c);
                if ((string?)run["runId"] == runId)
                {
                    return (string?)run["status"] == "completed" ? run : null;
                }

                return run;
            },
            "sync run " + runId,
            ct,
            TimeSpan.FromSeconds(120));

    private static async Task RollupAsync(CancellationToken ct)
    {
        async Task<string?> AsOfAsync(CancellationToken c)
        {
            using var response = await stack.Analyst.GetAsync("api/progress", c);
            return response.StatusCode == HttpStatusCode.OK ? (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync(c))!["asOf"] : null;
        }

        var previous = await AsOfAsync(ct);
        await stack.RunFunctionAsync("RollupProgress", ct);
        await Eventually.UntilNotNullAsync(async c => await AsOfAsync(c) is { } now && now != previous ? now : null, "a new rollup", ct, TimeSpan.FromSeconds(60));
    }

    private static async Task<JsonObject> GetAsync(HttpClient client, string path, CancellationToken ct)
    {
        using var response = await client.GetAsync(path, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, $"GET {path}: {body}");
        return (JsonObject)JsonNode.Parse(body)!;
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string path, CancellationToken ct)
    {
        using var response = await client.GetAsync(path, ct);
        return response.StatusCode;
    }

    private static HttpClient Client(string key)
    {
        var client = new HttpClient { BaseAddress = stack.Functions.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
