using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DisclosurePipeline.Domain;
using DisclosurePipeline.PublicData;
using Microsoft.Extensions.DependencyInjection;

namespace DisclosurePipeline.Tests.PublicData;

/// <summary>The simulator keeps the contract's rules, raw over HTTP, and generates the same data for a seed at any scale.</summary>
[TestClass]
[DoNotParallelize]
public sealed class PublicDataSimulatorTests
{
    private static SimulatorProcess simulator = null!;
    private static List<string[]> registry = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartSimulatorAsync(TestContext context)
    {
        simulator = await SimulatorProcess.StartAsync(entities: 300, seed: 7, context.CancellationToken);
        registry = await simulator.RegistryAsync(300, context.CancellationToken);
    }

    [ClassCleanup]
    public static async Task StopSimulatorAsync()
    {
        if (simulator is not null)
        {
            await simulator.DisposeAsync();
        }
    }

    [TestInitialize]
    public async Task ResetFaultsAsync() => await simulator.ResetAsync(TestContext.CancellationToken);

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task ViolationsQuery_MoreThan100Ids_Is400ProblemJson()
    {
        var ids = Enumerable.Range(0, 101).Select(i => registry[i % registry.Count][0]).ToArray();

        using var response = await simulator.PostApiAsync("v1/violations:query", SimulatorProcess.Json(new { enterpriseIds = ids }), TestContext.CancellationToken);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Api_MissingOrWrongKey_Is401ProblemJson()
    {
        var body = SimulatorProcess.Json(new { enterpriseIds = new[] { registry[0][0] } });

        using var missing = await simulator.PostApiAsync("v1/violations:query", body, TestContext.CancellationToken, apiKey: null);
        using var wrong = await simulator.PostApiAsync("v1/violations:query", body, TestContext.CancellationToken, apiKey: "sim-key2");

        await AssertProblemAsync(missing, HttpStatusCode.Unauthorized);
        await AssertProblemAsync(wrong, HttpStatusCode.Unauthorized);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task DisclosuresQuery_ChunkedBody_IsAnswered()
    {
        var ct = TestContext.CancellationToken;
        var bytes = Encoding.UTF8.GetBytes(SimulatorProcess.Json(new { enterpriseIds = registry.Take(5).Select(r => r[0]), year = 2025 }));
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/disclosures:query") { Content = new StreamContent(new MemoryStream(bytes)) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add("X-Api-Key", SimulatorProcess.ApiKey);

        using var response = await simulator.Control.SendAsync(request, ct);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Content.ReadFromJsonAsync<JsonObject>(ct);
        Assert.AreEqual(2025, json!["year"]!.GetValue<int>());
        Assert.AreEqual(5, json["items"]!.AsArray().Count + json["notFound"]!.AsArray().Count);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    [DataRow("v1/changes?limit=0")]
    [DataRow("v1/changes?limit=1001")]
    [DataRow("v1/changes?since=not-a-cursor")]
    public async Task Changes_OutsideTheContract_Is400ProblemJson(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Api-Key", SimulatorProcess.ApiKey);

        using var response = await simulator.Control.SendAsync(request, TestContext.CancellationToken);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Records_ActiveAndRemoved_KeepTheContractsInvariants()
    {
        var ct = TestContext.CancellationToken;
        await using var services = simulator.CreateClientServices();
        var client = services.GetRequiredService<IPublicDataClient>();

        var result = await client.QueryViolationsAsync([.. registry.Select(r => r[0])], ct);

        Assert.IsTrue(result.Records.All(r => r.Removed == (r.RemovedAt is not null)), "removedAt is set when and only when removed");
        Assert.IsTrue(result.Records.All(r => ViolationCategories.All.Contains(r.Category)));
        Assert.IsTrue(result.Records.All(r => r.PublishedAt.Offset == TimeSpan.FromHours(8)));
        Assert.IsTrue(result.Records.All(r => r.PublishedAt < DateTimeOffset.UtcNow && (r.RemovedAt is null || r.RemovedAt >= r.PublishedAt)));
        Assert.Contains(r => r.Removed, result.Records);
        Assert.Contains(r => !r.Removed, result.Records);
        Assert.Contains(r => r.PenaltyAmountCny is null, result.Records);
        Assert.HasCount(result.Records.Count, result.Records.Select(r => r.RecordId).Distinct(StringComparer.Ordinal));
        Assert.IsTrue(registry.All(r => Uscc.IsValid(r[0]) && r[2] is "subsidiary" or "supplier" && r[3] is "1" or "2" && r[5].StartsWith("ehs@", StringComparison.Ordinal)));
    }

    [TestMethod]
    [Timeout(60000, CooperativeCancellation = true)]
    public async Task Simulator_SameSeedAt100000Entities_GeneratesTheSameEnterprisesAndServesTheLast()
    {
        var ct = TestContext.CancellationToken;
        await using var large = await SimulatorProcess.StartAsync(entities: 100_000, seed: 7, ct);

        var rows = await large.RegistryAsync(100_000, ct);

        Assert.HasCount(100_000, rows);
        CollectionAssert.AreEqual(registry.Select(r => string.Join(',', r)).ToArray(), rows.Take(300).Select(r => string.Join(',', r)).ToArray(), "same seed, same data");
        Assert.HasCount(100_000, rows.Select(r => r[0]).Distinct(StringComparer.Ordinal));
        Assert.IsTrue(rows.All(r => Uscc.IsValid(r[0])));
        var subsidiaries = rows.Count(r => r[2] == "subsidiary");
        Assert.IsTrue(subsidiaries is > 17_000 and < 23_000, $"subsidiaries {subsidiaries}: about 1 in 5");
        await using var services = large.CreateClientServices();
        var client = services.GetRequiredService<IPublicDataClient>();
        var last = rows.TakeLast(100).Select(r => r[0]).ToList();
        var disclosures = await client.QueryDisclosuresAsync(last, 2025, ct);
        Assert.AreEqual(100, disclosures.Items.Count + disclosures.NotFound.Count);
        Assert.IsEmpty(disclosures.Invalid);
        Assert.IsTrue(disclosures.NotFound.Count is > 0 and < 6, $"a few unknown to the platform, not {disclosures.NotFound.Count}");
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.AreEqual(status, response.StatusCode);
        Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.IsNotNull(problem);
        Assert.AreEqual((int)status, problem["status"]!.GetValue<int>());
        foreach (var field in new[] { "type", "title", "detail" })
        {
            Assert.IsFalse(string.IsNullOrEmpty(problem[field]?.GetValue<string>()), field);
        }
    }
}
