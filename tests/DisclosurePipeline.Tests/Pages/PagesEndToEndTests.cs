using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DisclosurePipeline.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DisclosurePipeline.Tests.Pages;

/// <summary>
/// The supplier portal, the staff workbench and the dashboard in Debian's chromium against the real stack:
/// Azurite, the simulator and the function app under the local Functions host (300 entities, registry imported
/// and synced once). Screenshots of each page, in both languages, go to the test results folder.
/// </summary>
[TestClass]
public sealed class PagesEndToEndTests
{
    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
    private static PipelineStack stack = null!;
    private static PageBrowser browser = null!;
    private static string supplierId = null!;
    private static string journeyRecord = null!;
    private static string keyboardRecord = null!;

    public TestContext TestContext { get; set; } = null!;

    private static Uri Origin => stack.Functions.BaseAddress!;

    /// <summary>Where screenshots go: <c>TestResults/pages/</c> at the repository root (test.sh clears TestResults first).</summary>
    private static string ScreenshotFolder => RepoPaths.Combine("TestResults", "pages");

    private static string Today => TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string InDays(int days) =>
        DateOnly.ParseExact(Today, "yyyy-MM-dd", CultureInfo.InvariantCulture).AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        var ct = context.CancellationToken;
        stack = await PipelineStack.StartAsync(300, null, ct);
        var csv = await stack.Simulator.GetStringAsync("sim/registry.csv", ct);
        supplierId = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(line => line.Split(','))
            .First(f => f.Contains("supplier"))[0];
        using (var import = await stack.Staff.PutAsync("api/suppliers", new StringContent(csv, Encoding.UTF8, "text/csv"), ct))
        {
            Assert.AreEqual(HttpStatusCode.OK, import.StatusCode, await import.Content.ReadAsStringAsync(ct));
        }

        journeyRecord = await PublishAsync("厂区雨水排口检出超标废水，违反《中华人民共和国水污染防治法》有关规定", ct);
        keyboardRecord = await PublishAsync("危险废物贮存场所未设置识别标志", ct);
        await SyncAsync(null, ct);
        await RollupAsync(ct);
        browser = await PageBrowser.LaunchAsync();
        SetDefaultExpectTimeout(15_000);
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }

        if (stack is not null)
        {
            await stack.DisposeAsync();
        }
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task Pages_Served_CarryAStrictPolicyAsHeaders()
    {
        var ct = TestContext.CancellationToken;
        foreach (var path in new[] { "api/portal", "api/workbench", "api/dashboard" })
        {
            using var response = await stack.Functions.GetAsync(path, ct);
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, path);
            Assert.AreEqual("text/html", response.Content.Headers.ContentType?.MediaType, path);
            var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            StringAssert.Contains(policy, "frame-ancestors 'none'", path);
            StringAssert.Contains(policy, "default-src 'none'", path);
            StringAssert.Contains(policy, "script-src 'sha256-", path);
            StringAssert.Contains(policy, "style-src 'sha256-", path);
            Assert.DoesNotContain("unsafe-inline", policy, path);
            Assert.AreEqual("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single(), path);
            Assert.AreEqual("no-store", response.Headers.CacheControl?.ToString(), path);
            var html = await response.Content.ReadAsStringAsync(ct);
            Assert.DoesNotContain("http-equiv=\"Content-Security-Policy\"", html, path + " carries its policy as a header only");
            Assert.DoesNotContain(" style=\"", html, path + " has no inline style attribute (the policy would block it)");
        }
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task ListViolations_Paged_EveryCaseOnceAndBadTokensRefused()
    {
        var ct = TestContext.CancellationToken;
        var all = (await GetJsonAsync(stack.Staff, "api/violations?status=overdue", ct))["items"]!.AsArray()
            .Select(c => (string)c!["recordId"]!).ToList();
        Assert.IsGreaterThan(12, all.Count, "the demo data has many overdue cases");

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await GetJsonAsync(stack.Staff, "api/violations?status=overdue&limit=5" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token)), ct);
            var items = page["items"]!.AsArray();
            Assert.IsLessThanOrEqualTo(5, items.Count);
            Assert.IsTrue(items.All(c => (string?)c!["status"] == "overdue"));
            Assert.IsTrue(items.All(c => !string.IsNullOrEmpty((string?)c!["supplierName"])), "names are joined for the page's suppliers");
            seen.AddRange(items.Select(c => (string)c!["recordId"]!));
            token = (string?)page["continuationToken"];
            pages++;
        }
        while (token is not null && pages < 1000);

        CollectionAssert.AreEqual(all, seen, "the pages, in order, are the whole list, each case once");

        var byDue = (await GetJsonAsync(stack.Staff, "api/violations?status=overdue&sort=planDueOn&limit=50", ct))["items"]!.AsArray()
            .Select(c => (string)c!["planDueOn"]!).ToList();
        CollectionAssert.AreEqual(byDue.Order(StringComparer.Ordinal).ToList(), byDue);
        var ranged = (await GetJsonAsync(stack.Staff, $"api/violations?dueFrom={byDue[3]}&dueTo={byDue[3]}", ct))["items"]!.AsArray();
        Assert.IsTrue(ranged.Count > 0 && ranged.All(c => (string?)c!["planDueOn"] == byDue[3]));

        using (var example = await stack.Staff.GetAsync("api/violations?status=overdue&sort=planDueOn&limit=2", ct))
        {
            var folder = ScreenshotFolder;
            Directory.CreateDirectory(folder);
            await File.WriteAllTextAsync(Path.Combine(folder, "violations-page-example.json"), await example.Content.ReadAsStringAsync(ct), ct);
        }

        var first = await GetJsonAsync(stack.Staff, "api/violations?status=overdue&limit=5", ct);
        var goodToken = (string)first["continuationToken"]!;
        foreach (var (query, field) in new[]
        {
            ("limit=0", "limit"), ("limit=1001", "limit"), ("limit=ten", "limit"), ("sort=name", "sort"),
            ("dueFrom=2026-13-01", "dueFrom"), ("dueFrom=2026-12-02&dueTo=2026-12-01", "dueFrom"),
            ("status=overdue&continuationToken=not-a-token", "continuationToken"),
            ("status=open&continuationToken=" + Uri.EscapeDataString(goodToken), "continuationToken"),
        })
        {
            using var response = await stack.Staff.GetAsync("api/violations?" + query, ct);
            Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, query);
            Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType, query);
            var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
            Assert.IsNotNull(problem["errors"]![field], $"{query}: errors.{field}");
        }
    }

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public async Task Journey_PlanRejectedThenResubmittedAndApproved_DashboardFiguresMove()
    {
        var ct = TestContext.CancellationToken;
        var before = await ProgressAsync(ct);

        // Staff find the supplier's case in the workbench and issue its key there (shown once, with a copy button).
        await using var staff = await browser.OpenAsync(Origin, "api/workbench", "zh-CN");
        var wb = staff.Page;
        await Expect(wb.GetByTestId("key-prompt")).ToBeVisibleAsync();
        await wb.GetByTestId("key-input").FillAsync(PipelineStack.StaffKey);
        await wb.GetByTestId("key-submit").ClickAsync();
        await Expect(wb.GetByTestId("results")).ToBeVisibleAsync();
        await wb.GetByTestId("q-status").SelectOptionAsync("");
        await wb.GetByTestId("q-supplierId").FillAsync(supplierId);
        await wb.GetByTestId("apply").ClickAsync();
        var row = wb.Locator($"[data-testid=case-row][data-record-id='{journeyRecord}']");
        await row.GetByTestId("open-case").ClickAsync();
        await Expect(wb.GetByTestId("case-status")).ToHaveTextAsync("待提交方案");
        await wb.GetByTestId("issue-key").ClickAsync();
        await Expect(wb.GetByTestId("key-out")).ToBeVisibleAsync();
        var key = await wb.GetByTestId("issued-key").InputValueAsync();
        StringAssert.StartsWith(key, "sk_");
        await Expect(wb.GetByTestId("copy-key")).ToBeVisibleAsync();
        await ScreenshotAsync(wb, "workbench-case-key-zh.png");

        // The supplier signs in, opens the case and submits a plan with one invalid field: the API's error shows beside it.
        await using var supplier = await browser.OpenAsync(Origin, "api/portal", "zh-CN");
        var portal = supplier.Page;
        await portal.GetByTestId("key-input").FillAsync(key);
        await portal.GetByTestId("key-submit").ClickAsync();
        var item = portal.Locator($"[data-testid=case][data-record-id='{journeyRecord}']");
        await Expect(item.GetByTestId("case-status")).ToHaveTextAsync("待提交方案");
        await Expect(item.GetByTestId("case-days")).ToHaveTextAsync("还剩 10 天");
        await ScreenshotAsync(portal, "portal-cases-zh.png");
        await item.GetByTestId("open-case").ClickAsync();
        await Expect(portal.GetByTestId("case-due")).ToHaveTextAsync(InDays(10));
        await FillPlanAsync(portal, "更换雨水排口截止阀并增设在线监测", "limin@");
        await portal.GetByTestId("plan-submit").ClickAsync();
        var emailError = portal.GetByTestId("e-contact-email");
        await Expect(emailError).ToBeVisibleAsync();
        await Expect(emailError).ToHaveTextAsync("电子邮件不是有效的电子邮件地址。");
        await Expect(portal.GetByTestId("f-contact-email")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(portal.GetByTestId("f-contact-email")).ToBeFocusedAsync();
        await Expect(portal.GetByTestId("e-summary")).ToBeHiddenAsync();
        await ScreenshotAsync(portal, "portal-plan-error-zh.png");
        await portal.GetByTestId("f-contact-email").FillAsync("limin@jinrui.example.cn");
        await portal.GetByTestId("plan-submit").ClickAsync();
        await Expect(portal.GetByTestId("status-message")).ToHaveTextAsync("方案已提交。现在可以上传方案 PDF。");
        await Expect(portal.GetByTestId("case-detail").GetByTestId("case-status")).ToHaveTextAsync("方案待审核");

        // The PDF: checked before upload (a text file never leaves the browser), then uploaded with progress.
        var uploadsBefore = supplier.Urls.Count(u => u.EndsWith("/document", StringComparison.Ordinal));
        await portal.GetByTestId("pdf-input").SetInputFilesAsync(new FilePayload { Name = "notes.txt", MimeType = "text/plain", Buffer = "hello"u8.ToArray() });
        await portal.GetByTestId("pdf-upload").ClickAsync();
        await Expect(portal.GetByTestId("pdf-error")).ToHaveTextAsync("只能上传 PDF 文件。");
        Assert.AreEqual(uploadsBefore, supplier.Urls.Count(u => u.EndsWith("/document", StringComparison.Ordinal)), "a wrong file is not uploaded");
        await portal.GetByTestId("pdf-input").SetInputFilesAsync(new FilePayload { Name = "整改方案.pdf", MimeType = "application/pdf", Buffer = Pdf });
        await portal.GetByTestId("pdf-upload").ClickAsync();
        await Expect(portal.GetByTestId("pdf-done")).ToContainTextAsync("已上传 整改方案.pdf");
        await Expect(portal.GetByTestId("pdf-progress")).ToHaveAttributeAsync("value", "100");
        await Expect(portal.GetByTestId("plan").First).ToContainTextAsync("已上传 PDF");
        await ScreenshotAsync(portal, "portal-submitted-zh.png");

        // Staff see it pending, read it and its PDF, and reject it; a rejection without a comment is refused inline.
        await wb.GetByTestId("back").ClickAsync();
        await wb.GetByTestId("q-supplierId").FillAsync("");
        await wb.GetByTestId("q-status").SelectOptionAsync("plan_submitted");
        await wb.GetByTestId("apply").ClickAsync();
        await wb.Locator($"[data-testid=case-row][data-record-id='{journeyRecord}']").GetByTestId("open-case").ClickAsync();
        var pending = wb.Locator("[data-testid=plan][data-decision=pending]");
        await Expect(pending.GetByTestId("plan-summary")).ToHaveTextAsync("更换雨水排口截止阀并增设在线监测");
        await Expect(pending.GetByTestId("plan-contact")).ToContainTextAsync("limin@jinrui.example.cn");
        var download = await wb.RunAndWaitForDownloadAsync(() => pending.GetByTestId("download-pdf").ClickAsync());
        var downloaded = await File.ReadAllBytesAsync(await download.PathAsync(), ct);
        CollectionAssert.AreEqual(Pdf, downloaded, "staff download exactly the uploaded PDF");
        await pending.GetByTestId("decision-reject").CheckAsync();
        await pending.GetByTestId("review-submit").ClickAsync();
        await Expect(pending.GetByTestId("e-comment")).ToHaveTextAsync("驳回时必须填写审核意见。");
        await pending.GetByTestId("review-comment").FillAsync("请补充截止阀更换的验收记录和监测数据。");
        await ScreenshotAsync(wb, "workbench-review-zh.png");
        await pending.GetByTestId("review-submit").ClickAsync();
        await Expect(wb.GetByTestId("status-message")).ToHaveTextAsync($"已驳回该方案，新的截止日为 {InDays(10)}。");
        await Expect(wb.GetByTestId("case-status")).ToHaveTextAsync("待提交方案");
        await Expect(wb.Locator("[data-testid=plan][data-decision=rejected]").GetByTestId("plan-comment")).ToHaveTextAsync("请补充截止阀更换的验收记录和监测数据。");

        // The supplier (after a reload: the key stays for the session) sees the rejection, the new date, and submits again.
        await portal.ReloadAsync();
        await portal.GetByTestId("lang-en").ClickAsync();
        await portal.Locator($"[data-testid=case][data-record-id='{journeyRecord}']").GetByTestId("open-case").ClickAsync();
        await Expect(portal.GetByTestId("rejected-note")).ToContainTextAsync("请补充截止阀更换的验收记录和监测数据。");
        await Expect(portal.GetByTestId("rejected-note")).ToContainTextAsync($"Submit a new plan by {InDays(10)}.");
        await Expect(portal.GetByTestId("case-due")).ToHaveTextAsync(InDays(10));
        await Expect(portal.GetByTestId("plan-submit")).ToHaveTextAsync("Submit a new plan");
        await Expect(portal.GetByTestId("plan").First.GetByTestId("plan-decision")).ToHaveTextAsync("Rejected");
        await ScreenshotAsync(portal, "portal-rejected-en.png");
        await FillPlanAsync(portal, "更换截止阀，附验收记录与连续 7 天监测数据", "limin@jinrui.example.cn");
        await portal.GetByTestId("plan-submit").ClickAsync();
        await Expect(portal.GetByTestId("case-detail").GetByTestId("case-status")).ToHaveTextAsync("Plan submitted");

        // Staff approve the new plan.
        await wb.GetByTestId("back").ClickAsync();
        await wb.Locator($"[data-testid=case-row][data-record-id='{journeyRecord}']").GetByTestId("open-case").ClickAsync();
        var second = wb.Locator("[data-testid=plan][data-decision=pending]");
        await Expect(second.GetByTestId("plan-summary")).ToHaveTextAsync("更换截止阀，附验收记录与连续 7 天监测数据");
        await second.GetByTestId("decision-approve").CheckAsync();
        await second.GetByTestId("review-submit").ClickAsync();
        await Expect(wb.GetByTestId("case-status")).ToHaveTextAsync("方案已批准");
        await portal.ReloadAsync();
        await Expect(portal.Locator($"[data-testid=case][data-record-id='{journeyRecord}']").GetByTestId("case-status")).ToHaveTextAsync("Plan approved");

        // The dashboard's figures move once the rollup has run.
        await RollupAsync(ct);
        var after = await ProgressAsync(ct);
        Assert.AreEqual((int)before["planApproved"]! + 1, (int)after["planApproved"]!);
        await using var analyst = await browser.OpenAsync(Origin, "api/dashboard", "en-US");
        await analyst.Page.GetByTestId("key-input").FillAsync(PipelineStack.AnalystKey);
        await analyst.Page.GetByTestId("key-submit").ClickAsync();
        await Expect(analyst.Page.GetByTestId("cases-plan-approved")).ToHaveTextAsync(((int)after["planApproved"]!).ToString(CultureInfo.InvariantCulture));
        await Expect(analyst.Page.GetByTestId("cases-open")).ToHaveTextAsync(((int)after["open"]!).ToString(CultureInfo.InvariantCulture));

        await staff.AssertCleanAsync(PipelineStack.StaffKey);
        await supplier.AssertCleanAsync(key);
        await analyst.AssertCleanAsync(PipelineStack.AnalystKey);
        Assert.IsTrue(await portal.EvaluateAsync<bool>("k => sessionStorage.getItem('disclosurePipeline.supplierKey') === k && localStorage.getItem('disclosurePipeline.supplierKey') === null", key),
            "the key is kept in sessionStorage only");
    }

    [TestMethod]
    [Timeout(180_000, CooperativeCancellation = true)]
    public async Task Portal_KeyboardOnly_SubmitsAPlan()
    {
        var ct = TestContext.CancellationToken;
        var key = await IssueKeyAsync(ct);
        await using var session = await browser.OpenAsync(Origin, "api/portal", "en-US");
        var page = session.Page;

        await Expect(page.GetByTestId("key-input")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(key);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("case-list")).ToBeVisibleAsync();
        await session.TabToAsync($"[data-testid=case][data-record-id='{keyboardRecord}'] button");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("case-detail")).ToBeVisibleAsync();

        await session.TabToAsync("#f-summary");
        await page.Keyboard.TypeAsync("设置危险废物识别标志并培训仓管员");
        await session.TabToAsync("#f-rootCause");
        await page.Keyboard.TypeAsync("新仓库启用时遗漏标志");
        await session.TabToAsync("#f-actions-0-description");
        await page.Keyboard.TypeAsync("张贴危险废物识别标志");
        await session.TabToAsync("[data-testid=add-action]");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#f-actions-1-description")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("仓管员培训");
        await session.TabToAsync("#f-expectedCompletionOn");
        await page.Keyboard.TypeAsync("12312030");
        await session.TabToAsync("[data-testid=plan-submit]");
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.GetByTestId("status-message")).ToHaveTextAsync("Plan submitted. You can now upload its PDF.");
        await Expect(page.GetByTestId("case-detail").GetByTestId("case-status")).ToHaveTextAsync("Plan submitted");
        var plan = (await GetJsonAsync(Supplier(key), "api/me/violations", ct))["items"]!.AsArray()
            .Single(c => (string?)c!["recordId"] == keyboardRecord)!["plans"]!.AsArray().Single()!;
        Assert.AreEqual("2030-12-31", (string?)plan["expectedCompletionOn"]);
        Assert.HasCount(2, plan["actions"]!.AsArray());
        await session.AssertCleanAsync(key);
    }

    [TestMethod]
    [Timeout(180_000, CooperativeCancellation = true)]
    public async Task Pages_BothLanguagesAt375Pixels_FitAndAreScreenshotted()
    {
        var ct = TestContext.CancellationToken;
        var key = await IssueKeyAsync(ct);
        foreach (var (locale, lang, width) in new[] { ("zh-CN", "zh", 1280), ("en-US", "en", 1280), ("zh-CN", "zh", 375), ("en-US", "en", 375) })
        {
            var suffix = $"{lang}-{width}.png";
            await using (var portal = await browser.OpenAsync(Origin, "api/portal", locale, width, 800))
            {
                await portal.Page.GetByTestId("key-input").FillAsync(key);
                await portal.Page.GetByTestId("key-submit").ClickAsync();
                await Expect(portal.Page.GetByTestId("case").First).ToBeVisibleAsync();
                await Expect(portal.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(lang == "zh" ? "供应商整改门户" : "Supplier improvement portal");
                Assert.IsTrue(await portal.FitsWidthAsync(), "portal list fits " + width);
                await ScreenshotAsync(portal.Page, "portal-list-" + suffix);
                await portal.Page.Locator($"[data-testid=case][data-record-id='{journeyRecord}'] button, [data-testid=case][data-status=open] button").First.ClickAsync();
                await Expect(portal.Page.GetByTestId("case-detail")).ToBeVisibleAsync();
                Assert.IsTrue(await portal.FitsWidthAsync(), "portal case fits " + width);
                await ScreenshotAsync(portal.Page, "portal-case-" + suffix);
                await portal.AssertCleanAsync(key);
            }

            await using (var workbench = await browser.OpenAsync(Origin, "api/workbench", locale, width, 800))
            {
                await workbench.Page.GetByTestId("key-input").FillAsync(PipelineStack.StaffKey);
                await workbench.Page.GetByTestId("key-submit").ClickAsync();
                await workbench.Page.GetByTestId("q-status").SelectOptionAsync("overdue");
                await workbench.Page.GetByTestId("apply").ClickAsync();
                await Expect(workbench.Page.GetByTestId("case-row")).ToHaveCountAsync(25);
                await Expect(workbench.Page.GetByTestId("page-no")).ToHaveTextAsync(lang == "zh" ? "第 1 页" : "Page 1");
                Assert.IsTrue(await workbench.FitsWidthAsync(), "workbench list fits " + width);
                await ScreenshotAsync(workbench.Page, "workbench-list-" + suffix);
                var firstRecord = await workbench.Page.GetByTestId("case-row").First.GetAttributeAsync("data-record-id");
                await workbench.Page.GetByTestId("next").ClickAsync();
                await Expect(workbench.Page.GetByTestId("page-no")).ToHaveTextAsync(lang == "zh" ? "第 2 页" : "Page 2");
                Assert.AreNotEqual(firstRecord, await workbench.Page.GetByTestId("case-row").First.GetAttributeAsync("data-record-id"));
                await workbench.Page.GetByTestId("prev").ClickAsync();
                await Expect(workbench.Page.GetByTestId("case-row").First).ToHaveAttributeAsync("data-record-id", firstRecord!);
                await workbench.Page.GetByTestId("case-row").First.GetByTestId("open-case").ClickAsync();
                await Expect(workbench.Page.GetByTestId("case-detail")).ToBeVisibleAsync();
                Assert.IsTrue(await workbench.FitsWidthAsync(), "workbench case fits " + width);
                await ScreenshotAsync(workbench.Page, "workbench-case-" + suffix);
                await Expect(workbench.Page.GetByTestId("registry-section")).ToBeHiddenAsync();
                await workbench.AssertCleanAsync(PipelineStack.StaffKey);
            }

            await using (var dashboard = await browser.OpenAsync(Origin, "api/dashboard", locale, width, 800))
            {
                await dashboard.Page.GetByTestId("key-input").FillAsync(PipelineStack.StaffKey);
                await dashboard.Page.GetByTestId("key-submit").ClickAsync();
                await Expect(dashboard.Page.GetByTestId("overdue-row")).ToHaveCountAsync(25);
                Assert.IsTrue(await dashboard.FitsWidthAsync(), "dashboard fits " + width);
                await ScreenshotAsync(dashboard.Page, "dashboard-" + suffix);
                await dashboard.AssertCleanAsync(PipelineStack.StaffKey);
            }
        }
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Dashboard_OverdueList_PagedFilteredAndDownloadedAsShown()
    {
        var ct = TestContext.CancellationToken;
        var overdue = (await GetJsonAsync(stack.Staff, "api/violations?status=overdue", ct))["items"]!.AsArray().Select(c => c!.AsObject()).ToList();
        await using var session = await browser.OpenAsync(Origin, "api/dashboard", "en-US");
        var page = session.Page;
        await page.GetByTestId("key-input").FillAsync(PipelineStack.StaffKey);
        await page.GetByTestId("key-submit").ClickAsync();

        var pages = (overdue.Count + 24) / 25;
        await Expect(page.GetByTestId("overdue-row")).ToHaveCountAsync(25);
        await Expect(page.GetByTestId("overdue-page")).ToHaveTextAsync($"Page 1 of {pages} · 1–25");
        await Expect(page.GetByTestId("overdue-csv")).ToHaveTextAsync($"Download CSV ({overdue.Count} rows)");
        await page.GetByTestId("overdue-next").ClickAsync();
        await Expect(page.GetByTestId("overdue-page")).ToHaveTextAsync($"Page 2 of {pages} · 26–50");

        // Filter by one entity: only its cases, and the CSV holds exactly those rows.
        var name = (string)overdue[0]["supplierName"]!;
        var expected = overdue.Where(c => ((string)c["supplierName"]!).Contains(name, StringComparison.OrdinalIgnoreCase)
            || ((string)c["summary"]!).Contains(name, StringComparison.OrdinalIgnoreCase)).Select(c => (string)c["recordId"]!).ToHashSet();
        await page.GetByTestId("overdue-filter").FillAsync(name);
        await Expect(page.GetByTestId("overdue-row")).ToHaveCountAsync(Math.Min(25, expected.Count));
        await Expect(page.GetByTestId("overdue-count")).ToHaveTextAsync($"({expected.Count} of {overdue.Count})");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("overdue-csv").ClickAsync());
        var csv = (await File.ReadAllTextAsync(await download.PathAsync(), ct)).TrimStart('\uFEFF');
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.AreEqual("supplierId,supplierName,kind,recordId,authority,category,summary,publishedOn,planDueOn,daysOverdue", lines[0]);
        Assert.HasCount(expected.Count, lines.Skip(1).ToList());
        var shown = await page.GetByTestId("overdue-row").EvaluateAllAsync<string[]>("rows => rows.map(r => r.getAttribute('data-record-id'))");
        CollectionAssert.AreEqual(shown, lines.Skip(1).Take(shown.Length).Select(l => l.Split(',')[3]).ToArray(), "the CSV rows are the rows shown, in the order shown");
        await ScreenshotAsync(page, "dashboard-filtered-en.png");
        await session.AssertCleanAsync(PipelineStack.StaffKey);
    }

    [TestMethod]
    [Timeout(180_000, CooperativeCancellation = true)]
    public async Task Workbench_Registry_SearchedPagedOpenedAndAKeyIssuedThenRevokedAfterConfirmation()
    {
        var ct = TestContext.CancellationToken;
        var name = (string)(await GetJsonAsync(stack.Staff, $"api/suppliers/{supplierId}", ct))["name"]!;
        var subsidiaries = (await GetJsonAsync(stack.Staff, "api/suppliers?kind=subsidiary&limit=25", ct))["items"]!.AsArray()
            .Select(e => (string)e!["id"]!).ToArray();
        await using var session = await browser.OpenAsync(Origin, "api/workbench", "en-US");
        var page = session.Page;
        await page.GetByTestId("key-input").FillAsync(PipelineStack.StaffKey);
        await page.GetByTestId("key-submit").ClickAsync();

        // The panel appears because GET /api/suppliers answers; it pages through the registry with its tokens.
        var registry = page.GetByTestId("registry-section");
        await Expect(registry).ToBeVisibleAsync();
        await Expect(registry.GetByTestId("registry-row")).ToHaveCountAsync(25);
        await Expect(page.GetByTestId("registry-page-no")).ToHaveTextAsync("Page 1");
        var first = await registry.GetByTestId("registry-row").First.GetAttributeAsync("data-entity-id");
        await page.GetByTestId("registry-next").ClickAsync();
        await Expect(page.GetByTestId("registry-page-no")).ToHaveTextAsync("Page 2");
        Assert.AreNotEqual(first, await registry.GetByTestId("registry-row").First.GetAttributeAsync("data-entity-id"));
        await page.GetByTestId("registry-prev").ClickAsync();
        await Expect(registry.GetByTestId("registry-row").First).ToHaveAttributeAsync("data-entity-id", first!);

        // Filters go to the server: the rows are exactly the API's page for them.
        await page.GetByTestId("registry-kind").SelectOptionAsync("subsidiary");
        await page.GetByTestId("registry-apply").ClickAsync();
        await Expect(registry.GetByTestId("registry-row").First).ToHaveAttributeAsync("data-entity-id", subsidiaries[0]);
        CollectionAssert.AreEqual(subsidiaries, await registry.GetByTestId("registry-row").EvaluateAllAsync<string[]>("rows => rows.map(r => r.getAttribute('data-entity-id'))"));
        await page.GetByTestId("registry-kind").SelectOptionAsync("");
        await page.GetByTestId("registry-search").FillAsync(name);
        await page.GetByTestId("registry-apply").ClickAsync();
        await Expect(registry.GetByTestId("registry-row")).ToHaveCountAsync(1);
        await Expect(registry.GetByTestId("registry-row")).ToHaveAttributeAsync("data-entity-id", supplierId);
        await ScreenshotAsync(page, "workbench-registry-en.png");

        // The entity's details, and a key issued there, shown once with a copy button.
        await registry.GetByTestId("open-entity").ClickAsync();
        await Expect(page.GetByTestId("entity-detail")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("entity-id")).ToHaveTextAsync(supplierId);
        await Expect(page.GetByTestId("entity-name")).ToHaveTextAsync(name);
        await Expect(page.GetByTestId("entity-status")).ToHaveTextAsync("Active");
        await Expect(page.GetByTestId("entity-cases")).ToContainTextAsync(" in all: ");
        await page.GetByTestId("entity-issue-key").ClickAsync();
        await Expect(page.GetByTestId("entity-key-out")).ToBeVisibleAsync();
        var key = await page.GetByTestId("entity-issued-key").InputValueAsync();
        StringAssert.StartsWith(key, "sk_");
        var keyId = key.Substring(3, 24);
        await page.GetByTestId("entity-copy-key").ClickAsync();
        await Expect(page.GetByTestId("entity-copy-state")).Not.ToBeEmptyAsync();
        var row = page.Locator($"[data-testid=key-row][data-key-id='{keyId}']");
        await Expect(row).ToHaveAttributeAsync("data-revoked", "false");
        using var holder = Supplier(key);
        Assert.AreEqual(HttpStatusCode.OK, (await holder.GetAsync("api/me/violations", ct)).StatusCode);

        // Revoking asks first: cancel keeps the key, confirm revokes it at once.
        await row.GetByTestId("revoke-key").ClickAsync();
        await Expect(row.GetByTestId("revoke-confirmation")).ToBeVisibleAsync();
        await Expect(row.GetByTestId("confirm-revoke")).ToBeFocusedAsync();
        await ScreenshotAsync(page, "workbench-revoke-confirm-en.png");
        await row.GetByTestId("cancel-revoke").ClickAsync();
        await Expect(row.GetByTestId("revoke-confirmation")).ToBeHiddenAsync();
        Assert.AreEqual(HttpStatusCode.OK, (await holder.GetAsync("api/me/violations", ct)).StatusCode, "a cancelled revocation leaves the key working");
        await row.GetByTestId("revoke-key").ClickAsync();
        await row.GetByTestId("confirm-revoke").ClickAsync();
        await Expect(page.GetByTestId("status-message")).ToHaveTextAsync($"Key {keyId} is revoked.");
        await Expect(row).ToHaveAttributeAsync("data-revoked", "true");
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await holder.GetAsync("api/me/violations", ct)).StatusCode, "the revoked key is refused");

        await page.GetByTestId("entity-show-cases").ClickAsync();
        await Expect(page.GetByTestId("q-supplierId")).ToHaveValueAsync(supplierId);
        await session.AssertCleanAsync(PipelineStack.StaffKey, key);
    }

    private static async Task FillPlanAsync(IPage page, string summary, string email)
    {
        await page.GetByTestId("f-summary").FillAsync(summary);
        await page.GetByTestId("f-rootCause").FillAsync("雨水排口截止阀老化失效，巡检未覆盖");
        await page.Locator("#f-actions-0-description").FillAsync("更换截止阀并做密封性测试");
        await page.Locator("#f-actions-0-owner").FillAsync("设备部 王工");
        await page.Locator("#f-actions-0-dueOn").FillAsync(InDays(20));
        await page.GetByTestId("f-expectedCompletionOn").FillAsync(InDays(30));
        await page.GetByTestId("f-contact-name").FillAsync("李敏");
        await page.GetByTestId("f-contact-email").FillAsync(email);
    }

    private static async Task<string> PublishAsync(string summary, CancellationToken ct)
    {
        using var created = await stack.Simulator.PostAsJsonAsync("sim/records", new { enterpriseId = supplierId, summary, publishedAt = DateTimeOffset.UtcNow.AddMinutes(-1) }, ct);
        Assert.AreEqual(HttpStatusCode.Created, created.StatusCode, await created.Content.ReadAsStringAsync(ct));
        return (string)JsonNode.Parse(await created.Content.ReadAsStringAsync(ct))!["recordId"]!;
    }

    private static async Task<string> IssueKeyAsync(CancellationToken ct)
    {
        using var response = await stack.Staff.PostAsync($"api/suppliers/{supplierId}/keys", null, ct);
        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode);
        return (string)JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!["key"]!;
    }

    private static HttpClient Supplier(string key)
    {
        var client = new HttpClient { BaseAddress = Origin };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static async Task<JsonObject> ProgressAsync(CancellationToken ct) =>
        (await GetJsonAsync(stack.Analyst, "api/progress", ct))["violations"]!.AsObject();

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

                var run = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
                return (string?)run["runId"] != previousRunId && (string?)run["status"] == "completed" ? run : null;
            },
            ct);
    }

    /// <summary>Runs the rollup and waits until <c>/api/progress</c> shows a newer <c>asOf</c>.</summary>
    private static async Task RollupAsync(CancellationToken ct)
    {
        async Task<string?> AsOfAsync()
        {
            using var response = await stack.Analyst.GetAsync("api/progress", ct);
            return response.StatusCode == HttpStatusCode.OK ? (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!["asOf"] : null;
        }

        var before = await AsOfAsync();
        await stack.RunFunctionAsync("RollupProgress", ct);
        await WaitForAsync(async () => await AsOfAsync() is { } now && now != before ? now : null, ct);
    }

    private static async Task<JsonObject> GetJsonAsync(HttpClient client, string path, CancellationToken ct)
    {
        using var response = await client.GetAsync(path, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, $"GET {path}: {body}");
        return (JsonObject)JsonNode.Parse(body)!;
    }

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

    private async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = ScreenshotFolder;
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.AddResultFile(path);
    }
}
