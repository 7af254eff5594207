using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DisclosurePipeline.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DisclosurePipeline.Tests.EndToEnd;

/// <summary>
/// Progress as ./run.sh runs it: the registry imported, <c>ScheduleSupplierSync</c> run to completion through
/// the queue, then <c>RollupProgress</c> run through the host's admin endpoint; the figures are read over HTTP
/// and in the real dashboard page in chromium, and checked against the synced Entities table itself.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class ProgressEndToEndTests
{
    private const int Entities = 80;
    private static PipelineStack stack = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ct = context.CancellationToken;
        stack = await PipelineStack.StartAsync(Entities, null, ct);
        var csv = await stack.Simulator.GetStringAsync($"sim/registry.csv?count={Entities}", ct);
        using var import = await stack.Staff.PutAsync("api/suppliers", new StringContent(csv, Encoding.UTF8, "text/csv"), ct);
        import.EnsureSuccessStatusCode();

        await stack.RunFunctionAsync("ScheduleSupplierSync", ct);
        await WaitUntilAsync(async () =>
        {
            using var run = await stack.Staff.GetAsync("api/sync-runs/latest", ct);
            return run.StatusCode == HttpStatusCode.OK && (string?)(await run.Content.ReadFromJsonAsync<JsonObject>(ct))!["status"] == "completed";
        }, ct);

        await stack.RunFunctionAsync("RollupProgress", ct);
        await WaitUntilAsync(async () =>
        {
            using var progress = await stack.Analyst.GetAsync("api/progress", ct);
            return progress.StatusCode == HttpStatusCode.OK;
        }, ct);
    }

    [ClassCleanup]
    public static async Task StopAsync() => await stack.DisposeAsync();

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task Progress_AfterSyncAndRollup_MatchesTheSyncedRegistry()
    {
        var ct = TestContext.CancellationToken;
        var body = (await stack.Analyst.GetFromJsonAsync<JsonObject>("api/progress", ct))!;
        var year = (int)body["year"]!;
        var expected = await CompletedInEntitiesTableAsync(year, ct);

        Assert.AreEqual(expected.Prtr, (int)body["prtr"]!["completed"]!, stack.HostOutput);
        Assert.AreEqual(expected.Carbon, (int)body["carbon"]!["completed"]!);
        Assert.IsGreaterThan(0, expected.Prtr, "the simulator's data has completed disclosures");
        Assert.AreEqual(200, (int)body["prtr"]!["target"]!);

        using var csv = await stack.Analyst.GetAsync($"api/progress/entities?year={year}&format=csv", ct);
        Assert.AreEqual(HttpStatusCode.OK, csv.StatusCode);
        Assert.AreEqual("text/csv; charset=utf-8", csv.Content.Headers.ContentType?.ToString());
        Assert.AreEqual("attachment", csv.Content.Headers.ContentDisposition?.DispositionType);
        var bytes = await csv.Content.ReadAsByteArrayAsync(ct);
        CollectionAssert.AreEqual(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3], "the BOM survives the host");
        await using var reader = CsvHelper.CsvReader.Create(new MemoryStream(bytes), new CsvHelper.CsvReaderOptions { HasHeader = true }, leaveOpen: false);
        await reader.ReadHeaderAsync(ct);
        var completed = 0;
        var records = 0;
        while (await reader.ReadAsync(ct))
        {
            records++;
            completed += reader.GetString(4) == "completed" ? 1 : 0;
        }

        Assert.AreEqual(Entities, records, "one row per registered entity");
        Assert.AreEqual(expected.Prtr, completed);

        var history = (await stack.Analyst.GetFromJsonAsync<JsonObject>($"api/progress/history?year={year}", ct))!["items"]!.AsArray();
        Assert.AreEqual(expected.Prtr, (int)history[^1]!["prtrCompleted"]!);
    }

    [TestMethod]
    [Timeout(90_000, CooperativeCancellation = true)]
    public async Task Dashboard_ThroughTheHostWithAnAnalystKey_ShowsTheRolledUpPrtrCount()
    {
        var ct = TestContext.CancellationToken;
        var year = (int)(await stack.Analyst.GetFromJsonAsync<JsonObject>("api/progress", ct))!["year"]!;
        var expected = await CompletedInEntitiesTableAsync(year, ct);
        using var anonymous = await stack.Functions.GetAsync("api/dashboard", ct);
        Assert.AreEqual(HttpStatusCode.OK, anonymous.StatusCode, "the page itself needs no key");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath(),
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { Locale = "en-US" });
        await page.GotoAsync(new Uri(stack.Functions.BaseAddress!, "api/dashboard").ToString());
        await page.GetByTestId("key-input").FillAsync(PipelineStack.AnalystKey);
        await page.GetByTestId("key-submit").ClickAsync();

        await Expect(page.GetByTestId("prtr-completed")).ToHaveTextAsync(expected.Prtr.ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = 20_000 });
        await Expect(page.GetByTestId("carbon-completed")).ToHaveTextAsync(expected.Carbon.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(page.GetByTestId("prtr-target")).ToHaveTextAsync("200");
    }

    /// <summary>What the figures must be, counted from the Entities table as the sync left it.</summary>
    private static async Task<(int Prtr, int Carbon)> CompletedInEntitiesTableAsync(int year, CancellationToken ct)
    {
        var table = new Azure.Data.Tables.TableClient(stack.StorageConnectionString, "Entities");
        var rows = new List<Azure.Data.Tables.TableEntity>();
        await foreach (var row in table.QueryAsync<Azure.Data.Tables.TableEntity>(cancellationToken: ct))
        {
            rows.Add(row);
        }

        Assert.HasCount(Entities, rows);
        var counted = rows.Where(r => r.GetInt32("DisclosureYear") == year && r.GetBoolean("NotOnPlatform") != true).ToList();
        return (
            counted.Count(r => r.GetString("PrtrState") == "completed"),
            counted.Count(r => r.GetString("CarbonState") == "completed"));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the pipeline did not get there in time" + Environment.NewLine + stack.HostOutput);
            }

            await Task.Delay(250, ct);
        }
    }

    private static string ChromiumPath()
    {
        var configured = Environment.GetEnvironmentVariable("CHROMIUM_PATH");
        foreach (var candidate in new[] { configured, "/usr/bin/chromium", "/usr/bin/chromium-browser" })
        {
            if (!string.IsNullOrEmpty(candidate) && File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("chromium is not installed: run 'bash tools/scripts/prereqs.sh --browser' or set CHROMIUM_PATH");
    }
}
