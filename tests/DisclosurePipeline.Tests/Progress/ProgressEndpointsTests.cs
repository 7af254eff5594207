using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CsvHelper;
using DisclosurePipeline.Progress;
using DisclosurePipeline.Storage;
using DisclosurePipeline.Tests.Infrastructure;
using DisclosurePipeline.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace DisclosurePipeline.Tests.Progress;

/// <summary>
/// The progress endpoints and the dashboard page of the real function app under the local Functions host
/// (one <see cref="PipelineStack"/> for the class), over tables the test fills directly. Each test reads its own
/// year, so the tests cannot see each other's rows.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class ProgressEndpointsTests
{
    private const string NotAKey = "not-a-key";

    /// <summary>The year the entity-table tests fill (other tests use 2023, never rolled up, and 2024).</summary>
    private const int EntitiesYear = 2022;
    private static PipelineStack stack = null!;
    private static ServiceProvider storage = null!;
    private static string supplierKey = null!;

    public TestContext TestContext { get; set; } = null!;

    private static IProgressStore Progress => storage.GetRequiredService<IProgressStore>();

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ct = context.CancellationToken;
        stack = await PipelineStack.StartAsync(10, null, ct);
        storage = new ServiceCollection().AddPipelineStorage(stack.StorageConnectionString).BuildServiceProvider();
        supplierKey = await stack.IssueSupplierKeyAsync(TestIds.Uscc(1), ct);
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        await storage.DisposeAsync();
        await stack.DisposeAsync();
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    [DataRow("/api/progress?year=2024")]
    [DataRow("/api/progress/entities?year=2024")]
    [DataRow("/api/progress/history?year=2024")]
    public async Task Get_NoTokenUnknownTokenOrSupplierKey_401Or403Problem(string path)
    {
        var ct = TestContext.CancellationToken;

        using var none = await stack.Functions.GetAsync(path, ct);
        using var unknown = await GetAsync(path, NotAKey, ct);
        using var supplier = await GetAsync(path, supplierKey, ct);

        Assert.AreEqual(HttpStatusCode.Unauthorized, none.StatusCode, stack.HostOutput);
        Assert.AreEqual("application/problem+json", none.Content.Headers.ContentType?.MediaType);
        Assert.AreEqual("Bearer", none.Headers.WwwAuthenticate.ToString());
        Assert.AreEqual(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.AreEqual(HttpStatusCode.Forbidden, supplier.StatusCode);
        Assert.AreEqual("application/problem+json", supplier.Content.Headers.ContentType?.MediaType);
        Assert.AreEqual(403, (int)JsonNode.Parse(await supplier.Content.ReadAsStringAsync(ct))!["status"]!);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task GetProgress_AnalystAndStaff_ContractJsonOfTheLatestRollup()
    {
        var ct = TestContext.CancellationToken;
        var older = ProgressStoreTests.Report(new DateTimeOffset(2024, 6, 29, 15, 0, 0, TimeSpan.Zero), 40, 30);
        var latest = ProgressStoreTests.Report(new DateTimeOffset(2024, 6, 30, 15, 0, 0, TimeSpan.Zero), 42, 31);
        await Progress.SaveSnapshotAsync(older, ct);
        await Progress.SaveSnapshotAsync(latest, ct);

        using var analyst = await GetAsync("/api/progress?year=2024", PipelineStack.AnalystKey, ct);
        using var staff = await GetAsync("/api/progress?year=2024", PipelineStack.StaffKey, ct);

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
        var shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var now = TimeProvider.System.GetUtcNow();
        var year = TimeZoneInfo.ConvertTime(now, shanghai).Year;
        await Progress.SaveSnapshotAsync(ProgressStoreTests.Report(now.AddMinutes(-1), 5, 5, year: year), ct);

        using var response = await GetAsync("/api/progress", PipelineStack.AnalystKey, ct);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, stack.HostOutput);
        var answered = (int)JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!["year"]!;
        Assert.IsTrue(answered == year || answered == TimeZoneInfo.ConvertTime(TimeProvider.System.GetUtcNow(), shanghai).Year, $"{answered}: the year in Shanghai now");
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
        await Progress.SaveSnapshotAsync(ProgressStoreTests.Report(new DateTimeOffset(2021, 6, 30, 15, 0, 0, TimeSpan.Zero), 1, 1, year: 2021), ct);

        using var response = await GetAsync(path, PipelineStack.AnalystKey, ct);

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

        using var response = await GetAsync(path, PipelineStack.StaffKey, ct);

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
        var rows = await SeedEntitiesAsync(ct);

        using var response = await GetAsync($"/api/progress/entities?year={EntitiesYear}&format=json", PipelineStack.AnalystKey, ct);

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
        var rows = await SeedEntitiesAsync(ct);

        using var response = await GetAsync($"/api/progress/entities?year={EntitiesYear}&format=csv", PipelineStack.AnalystKey, ct);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("text/csv; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.AreEqual("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.AreEqual($"entities-{EntitiesYear}.csv", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
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
        await Progress.SaveSnapshotAsync(ProgressStoreTests.Report(new DateTimeOffset(2024, 6, 30, 15, 0, 0, TimeSpan.Zero), 42, 31), ct);
        await Progress.SaveSnapshotAsync(ProgressStoreTests.Report(new DateTimeOffset(2024, 6, 29, 15, 0, 0, TimeSpan.Zero), 40, 30), ct);

        using var response = await GetAsync("/api/progress/history?year=2024", PipelineStack.AnalystKey, ct);

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

        using var response = await stack.Functions.GetAsync("/api/dashboard", ct);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.IsTrue(response.Headers.CacheControl?.NoStore);
        CollectionAssert.AreEqual(
            await File.ReadAllBytesAsync(RepoPaths.Combine("functions", "Dashboard", "dashboard.html"), ct),
            await response.Content.ReadAsByteArrayAsync(ct));
    }

    private static async Task<List<EntityProgressRow>> SeedEntitiesAsync(CancellationToken ct)
    {
        List<EntityProgressRow> rows =
        [
            new(TestIds.Uscc(1), "深圳市\"绿源\"环保, 有限公司", "supplier", 2, "completed", "in_progress", 3, 1, new DateTimeOffset(2024, 6, 30, 10, 0, 0, TimeSpan.FromHours(8))),
            new(TestIds.Uscc(2), "集团子公司", "subsidiary", 1, "none", "none", 0, 0, null),
        ];
        await Progress.SaveEntityStatusAsync(EntitiesYear, rows, ct);
        await Progress.SaveSnapshotAsync(ProgressStoreTests.Report(new DateTimeOffset(EntitiesYear, 6, 30, 15, 0, 0, TimeSpan.Zero), 1, 0, year: EntitiesYear), ct);
        return [.. rows.OrderBy(r => r.Id, StringComparer.Ordinal)];
    }

    private static async Task<HttpResponseMessage> GetAsync(string path, string key, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await stack.Functions.SendAsync(request, cancellationToken);
    }
}
