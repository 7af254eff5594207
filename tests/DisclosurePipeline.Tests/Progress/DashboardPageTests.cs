using System.Collections.Concurrent;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DisclosurePipeline.Tests.Progress;

/// <summary>
/// The dashboard page in a real browser (Debian's chromium driven by Playwright), served with stub
/// endpoints by <see cref="DashboardStub"/>. Asserts what a person sees: the key prompt first, the
/// rollup's numbers, the overdue list, the language switch.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class DashboardPageTests
{
    private static IPlaywright? playwright;
    private static IBrowser? browser;
    private static DashboardStub? stub;

    public TestContext TestContext { get; set; } = null!;

    private static DashboardStub Stub => stub ?? throw new InvalidOperationException("class not initialized");

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        stub = await DashboardStub.StartAsync(context.CancellationToken);
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath(),
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        });
        SetDefaultExpectTimeout(15_000);
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        if (browser is not null)
        {
            await browser.CloseAsync();
        }

        playwright?.Dispose();
        if (stub is not null)
        {
            await stub.DisposeAsync();
        }
    }

    [TestMethod]
    public void EmbeddedPage_FunctionsAssembly_CarriesTheDashboardFile()
    {
        var file = File.ReadAllBytes(Infrastructure.RepoPaths.Combine("functions", "Dashboard", "dashboard.html"));

        CollectionAssert.AreEqual(file, DashboardStub.PageBytes());
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task Page_FirstVisit_AsksForTheKeyBeforeReadingAnyData()
    {
        await using var session = await OpenAsync("en-US");

        await Expect(session.Page.GetByTestId("key-prompt")).ToBeVisibleAsync();
        await Expect(session.Page.GetByLabel("Access key")).ToBeVisibleAsync();
        await Expect(session.Page.Locator("#dashboard")).ToBeHiddenAsync();
        await Expect(session.Page.GetByTestId("change-key")).ToBeHiddenAsync();
        Assert.IsFalse(session.ApiCalls().Any(p => p.StartsWith("/api/progress", StringComparison.Ordinal) || p.StartsWith("/api/violations", StringComparison.Ordinal)),
            "nothing is fetched before a key is given");
        await SaveScreenshotAsync(session.Page, "dashboard-key-prompt.png");
        session.AssertClean();
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task Page_StaffKey_ShowsTheRollupsNumbersAndTheOverdueList()
    {
        await using var session = await OpenAsync("en-US");
        var page = session.Page;

        await EnterKeyAsync(page, DashboardStub.StaffKey);

        var r = Stub.Report;
        await Expect(page.GetByTestId("prtr-completed")).ToHaveTextAsync(r.Prtr.Completed.ToString(Inv));
        await Expect(page.GetByTestId("prtr-target")).ToHaveTextAsync("200");
        await Expect(page.GetByTestId("prtr-subsidiaries")).ToHaveTextAsync("41");
        await Expect(page.GetByTestId("prtr-suppliers")).ToHaveTextAsync("96");
        await Expect(page.GetByTestId("carbon-completed")).ToHaveTextAsync("152");
        await Expect(page.GetByTestId("carbon-target")).ToHaveTextAsync("180");
        await Expect(page.GetByTestId("carbon-subsidiaries")).ToHaveTextAsync("60");
        await Expect(page.GetByTestId("carbon-suppliers")).ToHaveTextAsync("92");
        await Expect(page.GetByTestId("cases-open")).ToHaveTextAsync("12");
        await Expect(page.GetByTestId("cases-overdue")).ToHaveTextAsync("3");
        await Expect(page.GetByTestId("cases-plan-submitted")).ToHaveTextAsync("5");
        await Expect(page.GetByTestId("cases-plan-approved")).ToHaveTextAsync("7");
        await Expect(page.GetByTestId("cases-removed")).ToHaveTextAsync("20");
        await Expect(page.GetByTestId("subsidiaries-with-active-records")).ToHaveTextAsync("4");
        await Expect(page.GetByTestId("suppliers-completed-removal")).ToHaveTextAsync("9");

        var bar = page.GetByRole(AriaRole.Progressbar, new() { Name = "PRTR" });
        await Expect(bar).ToHaveAttributeAsync("aria-valuenow", "137");
        await Expect(bar).ToHaveAttributeAsync("aria-valuemax", "200");

        await Expect(page.GetByTestId("prtr-projection")).ToHaveTextAsync(
            $"At the current pace (about 0.8 a day), PRTR reaches 200 on {Stub.Year}-10-12 — on track.");
        await Expect(page.GetByTestId("carbon-projection")).ToContainTextAsync($"reaches 180 on {Stub.Year + 1}-02-03 — not on track.");

        // Trend: one point per snapshot plus the current rollup, and both straight target lines.
        await Expect(page.Locator("svg.chart")).ToHaveAttributeAsync("data-points", (Stub.History.Count + 1).ToString(Inv));
        await Expect(page.Locator("svg.chart [data-testid=plan-prtr]")).ToHaveCountAsync(1);
        await Expect(page.Locator("svg.chart [data-testid=line-prtr]")).ToHaveCountAsync(1);

        // Overdue list: most overdue first, days counted from planDueOn to today in Shanghai.
        var rows = page.GetByTestId("overdue-row");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.Nth(0).GetByTestId("overdue-name")).ToHaveTextAsync("苏州恒远电子材料厂");
        await Expect(rows.Nth(0).GetByTestId("overdue-days")).ToHaveTextAsync("12 days");
        await Expect(rows.Nth(0).GetByTestId("overdue-due")).ToHaveTextAsync(Stub.Today.AddDays(-12).ToString("yyyy-MM-dd", Inv));
        await Expect(rows.Nth(1).GetByTestId("overdue-days")).ToHaveTextAsync("5 days");
        await Expect(rows.Nth(2).GetByTestId("overdue-name")).ToHaveTextAsync("Shenzhen Bright, \"Unit 3\" Co.");
        await Expect(rows.Nth(2).GetByTestId("overdue-days")).ToHaveTextAsync("1 day");

        Assert.IsTrue(session.Requests().Where(q => q.PathAndQuery.StartsWith("/api/progress", StringComparison.Ordinal))
            .All(q => q.Authorization == "Bearer " + DashboardStub.StaffKey), "the key is sent as a bearer token");
        CollectionAssert.Contains(session.ApiCalls(), $"/api/progress?year={Stub.Year}");
        CollectionAssert.Contains(session.ApiCalls(), $"/api/progress/history?year={Stub.Year}");
        CollectionAssert.Contains(session.ApiCalls(), "/api/violations?status=overdue");
        await SaveScreenshotAsync(page, "dashboard-staff-en.png");
        session.AssertClean();
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task Page_AnalystKey_ShowsNumbersAndSaysTheOverdueListNeedsAStaffKey()
    {
        await using var session = await OpenAsync("en-US");
        var page = session.Page;

        await EnterKeyAsync(page, DashboardStub.AnalystKey);

        await Expect(page.GetByTestId("prtr-completed")).ToHaveTextAsync("137");
        await Expect(page.GetByTestId("overdue-note")).ToHaveTextAsync("The overdue list needs a staff key.");
        await Expect(page.GetByTestId("overdue-row")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("status-message")).ToBeHiddenAsync();
        await page.SetViewportSizeAsync(420, 900);
        await SaveScreenshotAsync(page, "dashboard-analyst-narrow.png");
        session.AssertClean();
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task Page_UnknownKey_AsksAgainWithAMessageThenAcceptsAGoodKey()
    {
        await using var session = await OpenAsync("en-US");
        var page = session.Page;

        await EnterKeyAsync(page, "not-a-key");

        await Expect(page.GetByTestId("key-error")).ToHaveTextAsync("The key was not accepted. Please enter it again.");
        await Expect(page.GetByTestId("key-prompt")).ToBeVisibleAsync();
        Assert.IsNull(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('disclosurePipeline.key')"), "a rejected key is forgotten");

        await EnterKeyAsync(page, DashboardStub.StaffKey);

        await Expect(page.GetByTestId("carbon-completed")).ToHaveTextAsync("152");
        await Expect(page.GetByTestId("key-prompt")).ToBeHiddenAsync();
        session.AssertClean();
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task Page_SupplierKey_SaysItCannotReadProgress()
    {
        await using var session = await OpenAsync("en-US");

        await EnterKeyAsync(session.Page, DashboardStub.SupplierKey);

        await Expect(session.Page.GetByTestId("key-error")).ToHaveTextAsync("This key cannot read progress. Use an analyst or staff key.");
        session.AssertClean();
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task Page_KeptKey_SurvivesAReloadUntilChangeKey()
    {
        await using var session = await OpenAsync("en-US");
        var page = session.Page;
        await EnterKeyAsync(page, DashboardStub.AnalystKey);
        await Expect(page.GetByTestId("prtr-completed")).ToHaveTextAsync("137");

        await page.ReloadAsync();

        await Expect(page.GetByTestId("prtr-completed")).ToHaveTextAsync("137");
        await Expect(page.GetByTestId("key-prompt")).ToBeHiddenAsync();

        await page.GetByTestId("change-key").ClickAsync();

        await Expect(page.GetByTestId("key-prompt")).ToBeVisibleAsync();
        await Expect(page.Locator("#dashboard")).ToBeHiddenAsync();
        Assert.IsNull(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('disclosurePipeline.key')"));
        session.AssertClean();
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task Page_ChineseBrowser_StartsInChineseAndSwitchesToEnglish()
    {
        await using var session = await OpenAsync("zh-CN");
        var page = session.Page;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("供应链披露进展");
        await Expect(page.GetByTestId("key-submit")).ToHaveTextAsync("继续");

        await EnterKeyAsync(page, DashboardStub.StaffKey);

        await Expect(page.GetByTestId("prtr-projection")).ToHaveTextAsync(
            $"按当前进度（每天约 0.8 家），PRTR 将于 {Stub.Year}-10-12 达到 200 家——进度正常。");
        await Expect(page.GetByTestId("overdue-row").Nth(0).GetByTestId("overdue-days")).ToHaveTextAsync("12 天");
        await Expect(page.Locator("#cases-h")).ToHaveTextAsync("违规案件（按状态）");
        Assert.AreEqual("zh-CN", await page.GetAttributeAsync("html", "lang"));
        await SaveScreenshotAsync(page, "dashboard-staff-zh.png");

        await page.GetByTestId("lang-en").ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Supply-chain disclosure progress");
        await Expect(page.Locator("#cases-h")).ToHaveTextAsync("Violation cases by status");
        await Expect(page.GetByTestId("overdue-row").Nth(0).GetByTestId("overdue-days")).ToHaveTextAsync("12 days");
        await Expect(page.GetByTestId("prtr-completed")).ToHaveTextAsync("137");
        await Expect(page.GetByTestId("lang-en")).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.AreEqual("en", await page.GetAttributeAsync("html", "lang"));
        session.AssertClean();
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task Page_YearWithoutRollup_SaysThereIsNoRollupYet()
    {
        await using var session = await OpenAsync("en-US");
        var page = session.Page;
        await EnterKeyAsync(page, DashboardStub.StaffKey);
        await Expect(page.GetByTestId("prtr-completed")).ToHaveTextAsync("137");

        var previous = (Stub.Year - 1).ToString(Inv);
        await page.GetByLabel("Year", new() { Exact = true }).SelectOptionAsync(previous);

        await Expect(page.GetByTestId("status-message")).ToHaveTextAsync($"No rollup for {previous} yet.");
        await Expect(page.Locator("#dashboard")).ToBeHiddenAsync();
        CollectionAssert.Contains(session.ApiCalls(), $"/api/progress?year={previous}");
        Assert.EndsWith($"year={previous}", page.Url);
        session.AssertClean();
    }

    private static readonly System.Globalization.CultureInfo Inv = System.Globalization.CultureInfo.InvariantCulture;

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

        throw new InvalidOperationException("chromium is not installed: run 'bash tools/scripts/prereqs.sh --browser' (apt-get install chromium) or set CHROMIUM_PATH");
    }

    private static async Task EnterKeyAsync(IPage page, string key)
    {
        await page.GetByTestId("key-input").FillAsync(key);
        await page.GetByTestId("key-submit").ClickAsync();
    }

    private async Task SaveScreenshotAsync(IPage page, string name)
    {
        var folder = TestContext.TestResultsDirectory ?? TestContext.DeploymentDirectory ?? Path.GetTempPath();
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.AddResultFile(path);
    }

    private async Task<BrowserSession> OpenAsync(string locale)
    {
        var context = await browser!.NewContextAsync(new BrowserNewContextOptions
        {
            Locale = locale,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        var session = new BrowserSession(context, await context.NewPageAsync(), Stub.Requests.Count);

        // The page must need nothing beyond its own origin (no CDN, no fonts): anything else is recorded and refused.
        await context.RouteAsync("**/*", async route =>
        {
            if (route.Request.Url.StartsWith(Stub.BaseUrl + "/", StringComparison.Ordinal))
            {
                await route.ContinueAsync();
            }
            else
            {
                session.Foreign.Add(route.Request.Url);
                await route.AbortAsync();
            }
        });
        session.Page.PageError += (_, error) => session.Errors.Add(error);
        session.Page.Console += (_, message) =>
        {
            // A 401/403 answer is logged by the browser as a failed resource; that is expected here.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                session.Errors.Add(message.Text);
            }
        };
        await session.Page.GotoAsync(Stub.BaseUrl + "/api/dashboard");
        return session;
    }

    private sealed class BrowserSession(IBrowserContext context, IPage page, int firstRequest) : IAsyncDisposable
    {
        public IPage Page { get; } = page;

        public ConcurrentBag<string> Foreign { get; } = [];

        public ConcurrentBag<string> Errors { get; } = [];

        public IReadOnlyList<(string PathAndQuery, string? Authorization)> Requests() => [.. Stub.Requests.Skip(firstRequest)];

        public List<string> ApiCalls() => [.. Requests().Select(r => r.PathAndQuery)];

        public void AssertClean()
        {
            Assert.IsEmpty(Foreign, "requests outside the origin: " + string.Join(", ", Foreign));
            Assert.IsEmpty(Errors, "page errors: " + string.Join(" | ", Errors));
        }

        public async ValueTask DisposeAsync() => await context.CloseAsync();
    }
}
