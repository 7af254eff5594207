using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using CsvHelper;
using DisclosurePipeline.Functions.Http;
using DisclosurePipeline.Progress;
using DisclosurePipeline.Storage;
using DisclosurePipeline.Tests.Infrastructure;
using DisclosurePipeline.Tests.Storage;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DisclosurePipeline.Tests.Progress;

/// <summary>
/// The progress endpoints and the dashboard, in process (the real function app through
/// <see cref="WebApplicationFactory{TEntryPoint}"/>) over Azurite with tables of their own.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class ProgressEndpointsTests
{
    private const string StaffKey = "staff-key-for-tests";
    private const string AnalystKey = "analyst-key-for-tests";
    private const string SupplierKey = "supplier-key-for-tests";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    [DataRow("/api/progress?year=2024")]
    [DataRow("/api/progress/entities?year=2024")]
    [DataRow("/api/progress/history?year=2024")]
    public async Task Get_NoTokenUnknownTokenOrSupplierKey_401Or403Problem(string path)
    {
        var ct = TestContext.CancellationToken;
        await using var api = await ProgressApi.StartAsync(ct);

        using var none = await api.Client.GetAsync(path, ct);
        using var unknown = await api.GetAsync(path, "not-a-key", ct);
        using var supplier = await api.GetAsync(path, SupplierKey, ct);

        Assert.AreEqual(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.AreEqual("application/problem+json", none.Content.Headers.ContentType?.MediaType);
        Assert.AreEqual(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.AreEqual(HttpStatusCode.Forbidden, supplier.StatusCode);
        Assert.AreEqual("application/problem+json", supplier.Content.Headers.ContentType?.MediaType);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task GetProgress_AnalystAndStaff_ContractJsonOfTheLatestRollup()
    {
        var ct = TestContext.CancellationToken;
        await using var api = await ProgressApi.StartAsync(ct);
        var older = ProgressStoreTests.Report(new DateTimeOffset(2024, 6, 29, 15, 0, 0, TimeSpan.Zero), 40, 30);
        var latest = ProgressStoreTests.Report(new DateTimeOffset(2024, 6, 30, 15, 0, 0, TimeSpan.Zero), 42, 31);
        await api.Progress.SaveSnapshotAsync(older, ct);
        await api.Progress.SaveSnapshotAsync(latest, ct);

        using var analyst = await api.GetAsync("/api/progress?year=2024", AnalystKey, ct);
        using var staff = await api.GetAsync("/api/progress?year=2024", StaffKey, ct);

        Assert.AreEqual(HttpStatusCode.OK, analyst.StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, staff.StatusCode);
        Assert.AreEqual("application/json", analyst.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(await analyst.Content.ReadAsStringAsync(ct))!;
        Assert.AreEqual(2024, (int)body["year"]!);
        Assert.AreEqual("2024-06-30T23:00:00+08:00", (string?)body["asOf"]);
        Assert.IsTrue(JsonNode.DeepEquals(JsonNode.Parse("""{"target":200,"completed":42,"subsidiaries":41,"suppliers":1}"""), body["prtr"]));
        Assert.IsTrue(JsonNode.DeepEquals(JsonNode.Parse("""{"target":180,"completed":31,"subsidiaries":0,"suppliers":31}"""), body["carbon"]));
        Assert.IsTrue(JsonNode.DeepEquals(
            JsonNode.Parse("""{"open":1,"overdue":2,"planSubmitted":3,"planApproved":4,"removed":5,"subsidiariesWithActiveRecords":6,"suppliersCompletedRemoval":7}"""),
            body["violations"]));
        Assert.AreEqual("2024-11-02", (string?)body["projection"]!["prtr"]!["projectedOn"]);
        Assert.AreEqual("Asia/Shanghai", (string?)body["timeZone"]);
        Assert.AreEqual(await analyst.Content.ReadAsStringAsync(ct), await staff.Content.ReadAsStringAsync(ct));
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task GetProgress_NoYear_AnswersForTheCurrentTargetYear()
    {
        var ct = TestContext.CancellationToken;
        await using var api = await ProgressApi.StartAsync(ct, now: new DateTimeOffset(2024, 12, 31, 17, 0, 0, TimeSpan.Zero)); // 1 January 2025 in Beijing
        await api.Progress.SaveSnapshotAsync(ProgressStoreTests.Report(new DateTimeOffset(2024, 12, 31, 16, 30, 0, TimeSpan.Zero), 5, 5, year: 2025), ct);

        using var response = await api.GetAsync("/api/progress", AnalystKey, ct);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual(2025, (int)JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!["year"]!);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    [DataRow("/api/progress?year=2023")]
    [DataRow("/api/progress/entities?year=2023")]
    [DataRow("/api/progress/entities?year=2023&format=csv")]
    [DataRow("/api/progress/history?year=2023")]
    public async Task Get_YearNotRolledUp_404Problem(string path)
    {
        var ct = TestContext.CancellationToken;
        await using var api = await ProgressApi.StartAsync(ct);
        await api.Progress.SaveSnapshotAsync(ProgressStoreTests.Report(new DateTimeOffset(2024, 6, 30, 15, 0, 0, TimeSpan.Zero), 1, 1), ct);

        using var response = await api.GetAsync(path, AnalystKey, ct);

        Assert.AreEqual(HttpStatusCode.NotFound, response.StatusCode);
        Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
        Assert.AreEqual(404, (int)problem["status"]!);
        Assert.Contains("2023", (string)problem["detail"]!);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    [DataRow("/api/progress?year=abc", "year")]
    [DataRow("/api/progress?year=20245", "year")]
    [DataRow("/api/progress/history?year=-1", "year")]
    [DataRow("/api/progress/entities?year=2024&format=xml", "format")]
    public async Task Get_BadQuery_400ProblemNamingTheField(string path, string field)
    {
        var ct = TestContext.CancellationToken;
        await using var api = await ProgressApi.StartAsync(ct);

        using var response = await api.GetAsync(path, StaffKey, ct);

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
        Assert.IsNotNull(problem["errors"]![field], $"errors.{field}");
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task GetEntities_Json_ItemsWithTheContractFields()
    {
        var ct = TestContext.CancellationToken;
        await using var api = await ProgressApi.StartAsync(ct);
        var rows = await SeedEntitiesAsync(api, ct);

        using var response = await api.GetAsync("/api/progress/entities?year=2024&format=json", AnalystKey, ct);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        var items = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!["items"]!.AsArray();
        Assert.HasCount(rows.Count, items);
        var first = items[0]!.AsObject();
        CollectionAssert.AreEqual(EntityProgressCsv.Columns.ToArray(), first.Select(p => p.Key).ToArray());
        Assert.IsTrue(JsonNode.DeepEquals(
            JsonNode.Parse($$"""{"id":"{{rows[0].Id}}","name":"深圳市\"绿源\"环保, 有限公司","kind":"supplier","tier":2,"prtrStatus":"completed","carbonStatus":"in_progress","activeRecords":3,"overdueCases":1,"lastSyncedAt":"2024-06-30T10:00:00+08:00"}"""),
            first));
        Assert.IsNull((string?)items[1]!["lastSyncedAt"], "never synced: null");
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task GetEntities_Csv_DownloadWithBomThatCsvReadersRoundTrip()
    {
        var ct = TestContext.CancellationToken;
        await using var api = await ProgressApi.StartAsync(ct);
        var rows = await SeedEntitiesAsync(api, ct);

        using var response = await api.GetAsync("/api/progress/entities?year=2024&format=csv", AnalystKey, ct);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("text/csv; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.AreEqual("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.AreEqual("entities-2024.csv", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        CollectionAssert.AreEqual(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3], "a UTF-8 BOM, so Excel shows the Chinese names");

        await using var stream = new MemoryStream(bytes);
        await using var reader = CsvReader.Create(stream, new CsvReaderOptions { HasHeader = true }, leaveOpen: true);
        await reader.ReadHeaderAsync(ct);
        CollectionAssert.AreEqual(EntityProgressCsv.Columns.ToArray(), reader.Headers.ToArray());
        var read = new List<string[]>();
        while (await reader.ReadAsync(ct))
        {
            read.Add([.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetString)]);
        }

        Assert.HasCount(rows.Count, read);
        CollectionAssert.AreEqual(
            new[] { rows[0].Id, "深圳市\"绿源\"环保, 有限公司", "supplier", "2", "completed", "in_progress", "3", "1", "2024-06-30T10:00:00+08:00" },
            read[0]);
        CollectionAssert.AreEqual(new[] { rows[1].Id, "集团子公司", "subsidiary", "1", "none", "none", "0", "0", "" }, read[1]);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task GetHistory_Rollups_ItemsOldestFirst()
    {
        var ct = TestContext.CancellationToken;
        await using var api = await ProgressApi.StartAsync(ct);
        await api.Progress.SaveSnapshotAsync(ProgressStoreTests.Report(new DateTimeOffset(2024, 6, 30, 15, 0, 0, TimeSpan.Zero), 42, 31), ct);
        await api.Progress.SaveSnapshotAsync(ProgressStoreTests.Report(new DateTimeOffset(2024, 6, 29, 15, 0, 0, TimeSpan.Zero), 40, 30), ct);

        using var response = await api.GetAsync("/api/progress/history?year=2024", AnalystKey, ct);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.IsTrue(JsonNode.DeepEquals(
            JsonNode.Parse("""
                {"items":[
                  {"asOf":"2024-06-29T23:00:00+08:00","prtrCompleted":40,"carbonCompleted":30},
                  {"asOf":"2024-06-30T23:00:00+08:00","prtrCompleted":42,"carbonCompleted":31}]}
                """),
            JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))));
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task GetDashboard_NoToken_ServesThePageUncached()
    {
        var ct = TestContext.CancellationToken;
        await using var api = await ProgressApi.StartAsync(ct);

        using var response = await api.Client.GetAsync("/api/dashboard", ct);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.IsTrue(response.Headers.CacheControl?.NoStore);
        CollectionAssert.AreEqual(
            await File.ReadAllBytesAsync(RepoPaths.Combine("functions", "Dashboard", "dashboard.html"), ct),
            await response.Content.ReadAsByteArrayAsync(ct));
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task RollupProgress_InvokedLikeTheHost_ThenProgressEndpointsShowItsFigures()
    {
        var ct = TestContext.CancellationToken;
        await using var api = await ProgressApi.StartAsync(ct);
        await using var world = ProgressRollupServiceTests.RollupWorld.Over(api.Services);
        await world.SeedAsync(ct);

        using var invoke = new StringContent("""{"Data":{"timer":"{\"IsPastDue\":false}"},"Metadata":{}}""", Encoding.UTF8, "application/json");
        using var invoked = await api.Client.PostAsync("/RollupProgress", invoke, ct);
        using var progress = await api.GetAsync("/api/progress", StaffKey, ct);
        using var entities = await api.GetAsync("/api/progress/entities", StaffKey, ct);

        Assert.AreEqual(HttpStatusCode.OK, invoked.StatusCode, await invoked.Content.ReadAsStringAsync(ct));
        Assert.AreEqual(HttpStatusCode.OK, progress.StatusCode);
        var body = JsonNode.Parse(await progress.Content.ReadAsStringAsync(ct))!;
        Assert.AreEqual(2024, (int)body["year"]!);
        Assert.AreEqual(2, (int)body["prtr"]!["completed"]!);
        Assert.AreEqual(2, (int)body["carbon"]!["completed"]!);
        Assert.AreEqual(2, (int)body["violations"]!["overdue"]!);
        Assert.AreEqual(4, (int)body["violations"]!["removed"]!);
        Assert.HasCount(6, JsonNode.Parse(await entities.Content.ReadAsStringAsync(ct))!["items"]!.AsArray());
    }

    private static async Task<List<EntityProgressRow>> SeedEntitiesAsync(ProgressApi api, CancellationToken ct)
    {
        List<EntityProgressRow> rows =
        [
            new(TestIds.Uscc(1), "深圳市\"绿源\"环保, 有限公司", "supplier", 2, "completed", "in_progress", 3, 1, new DateTimeOffset(2024, 6, 30, 10, 0, 0, TimeSpan.FromHours(8))),
            new(TestIds.Uscc(2), "集团子公司", "subsidiary", 1, "none", "none", 0, 0, null),
        ];
        await api.Progress.SaveEntityStatusAsync(2024, rows, ct);
        await api.Progress.SaveSnapshotAsync(ProgressStoreTests.Report(new DateTimeOffset(2024, 6, 30, 15, 0, 0, TimeSpan.Zero), 1, 0), ct);
        return [.. rows.OrderBy(r => r.Id, StringComparer.Ordinal)];
    }

    /// <summary>The function app in process, over Azurite with a fresh name prefix and a fixed clock.</summary>
    private sealed class ProgressApi : IAsyncDisposable
    {
        private readonly WebApplicationFactory<Program> factory;

        private ProgressApi(WebApplicationFactory<Program> factory)
        {
            this.factory = factory;
            Client = factory.CreateClient();
        }

        public HttpClient Client { get; }

        public IServiceProvider Services => factory.Services;

        public IProgressStore Progress => factory.Services.GetRequiredService<IProgressStore>();

        public static async Task<ProgressApi> StartAsync(CancellationToken cancellationToken, DateTimeOffset? now = null)
        {
            var azurite = await Azurite.GetAsync(cancellationToken);
            var clock = new FakeTimeProvider(now ?? new DateTimeOffset(2024, 6, 30, 15, 0, 0, TimeSpan.Zero));
            var names = StorageNames.Unique();
#pragma warning disable CA2000 // owned and disposed by ProgressApi
            var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
            {
                b.UseSetting("AzureWebJobsStorage", azurite.ConnectionString);
                b.UseSetting("Auth:StaffKeys:0", StaffKey);
                b.UseSetting("Auth:AnalystKeys:0", AnalystKey);
                b.ConfigureTestServices(s =>
                {
                    s.AddSingleton(new StorageAccount(azurite.ConnectionString, names));
                    s.AddSingleton<TimeProvider>(clock);
                    s.AddSingleton<IBearerKeyResolver, TestSupplierKeys>();
                });
            });
#pragma warning restore CA2000
            return new ProgressApi(factory);
        }

        public async Task<HttpResponseMessage> GetAsync(string path, string key, CancellationToken cancellationToken)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            return await Client.SendAsync(request, cancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await factory.DisposeAsync();
        }
    }

    /// <summary>One supplier key, as the supplier key store (another issue) will resolve it.</summary>
    private sealed class TestSupplierKeys : IBearerKeyResolver
    {
        public Task<IReadOnlyList<Claim>?> ResolveAsync(string token, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<Claim>?>(token == SupplierKey
                ? [new Claim(ClaimTypes.Role, "supplier"), new Claim("supplier_id", TestIds.Uscc(1))]
                : null);
    }
}
