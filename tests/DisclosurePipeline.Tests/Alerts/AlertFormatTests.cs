using System.Text.Json.Nodes;
using DisclosurePipeline.Alerts;
using DisclosurePipeline.Tests.Violations;

namespace DisclosurePipeline.Tests.Alerts;

/// <summary>Per-alert posts in each <c>Alerts__Format</c>, received by a real local webhook and checked against the chat services' documented shapes.</summary>
[TestClass]
public sealed class AlertFormatTests
{
    private static readonly Uri Workbench = new("https://pipeline.example.cn/api/workbench");

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(60000, CooperativeCancellation = true)]
    public async Task Deliver_TeamsFormat_PostsAnAdaptiveCardNamingTheCaseInBothLanguages()
    {
        var ct = TestContext.CancellationToken;
        await using var receiver = await WebhookReceiver.StartAsync(ct);
        await using var f = await CaseFixture.CreateAsync(receiver.Url, o => { o.Format = "teams"; o.WorkbenchUrl = Workbench; }, ct);
        var entity = await f.OpenAsync(301, "BM-1");
        f.Clock.SetUtcNow(new DateTimeOffset(2024, 5, 15, 9, 0, 0, TimeSpan.FromHours(8)));
        await f.Sweep.SweepAsync(ct);
        var alertId = (await f.DrainAlertsQueueAsync(ct)).Single();

        Assert.AreEqual(DeliveryOutcome.Delivered, await f.Delivery.DeliverAsync(alertId, ct));

        var (key, _) = receiver.Received.Single();
        Assert.AreEqual(alertId, key);
        var texts = ChatShapes.AssertTeamsMessage(receiver.Raw.Single().Text);
        Assert.AreEqual("整改计划已逾期 / Improvement plan overdue", texts[0]);
        CollectionAssert.Contains(texts, $"供应商 Supplier: {entity.Name} ({entity.Id})");
        CollectionAssert.Contains(texts, "处罚记录 Record: BM-1");
        CollectionAssert.Contains(texts, "处罚机关 Authority: 厦门市生态环境局");
        CollectionAssert.Contains(texts, "整改计划截止 Plan due: 2024-05-13");
        CollectionAssert.Contains(texts, "逾期天数 Days overdue: 2");
        CollectionAssert.Contains(texts, "在工作台中查看 / Open in the workbench");
        CollectionAssert.Contains(texts, $"https://pipeline.example.cn/api/workbench#case/{entity.Id}/BM-1");
    }

    [TestMethod]
    [Timeout(60000, CooperativeCancellation = true)]
    public async Task Deliver_SlackFormat_PostsBlockKitWithFallbackTextAndEscapedMarkup()
    {
        var ct = TestContext.CancellationToken;
        await using var receiver = await WebhookReceiver.StartAsync(ct);
        await using var f = await CaseFixture.CreateAsync(receiver.Url, o => { o.Format = "slack"; o.WorkbenchUrl = Workbench; }, ct);
        var entity = await f.OpenAsync(302, CaseFixture.Published, "ehs@example.com", "BM-1 <A&B>");
        f.Clock.SetUtcNow(new DateTimeOffset(2024, 5, 14, 9, 0, 0, TimeSpan.FromHours(8)));
        await f.Sweep.SweepAsync(ct);
        var alertId = (await f.DrainAlertsQueueAsync(ct)).Single();

        Assert.AreEqual(DeliveryOutcome.Delivered, await f.Delivery.DeliverAsync(alertId, ct));

        Assert.AreEqual(alertId, receiver.Received.Single().Key);
        var (text, blocks) = ChatShapes.AssertSlackMessage(receiver.Raw.Single().Text);
        StringAssert.StartsWith(text, "整改计划已逾期 / Improvement plan overdue: ");
        Assert.Contains(entity.Name, text);
        Assert.Contains("BM-1 &lt;A&amp;B&gt;", text, "&, < and > are escaped in mrkdwn");
        Assert.AreEqual("整改计划已逾期 / Improvement plan overdue", blocks[0]);
        CollectionAssert.Contains(blocks, $"*供应商 Supplier*\n{entity.Name} (`{entity.Id}`)");
        CollectionAssert.Contains(blocks, "*处罚记录 Record*\nBM-1 &lt;A&amp;B&gt;");
        CollectionAssert.Contains(blocks, "*处罚机关 Authority*\n厦门市生态环境局");
        CollectionAssert.Contains(blocks, "*整改计划截止 Plan due*\n2024-05-13");
        CollectionAssert.Contains(blocks, "*逾期天数 Days overdue*\n1");
        CollectionAssert.Contains(blocks, $"<https://pipeline.example.cn/api/workbench#case/{entity.Id}/BM-1%20%3CA%26B%3E|在工作台中查看 / Open in the workbench>");
    }

    [TestMethod]
    [Timeout(60000, CooperativeCancellation = true)]
    public async Task Deliver_JsonFormatWithNewSettings_BodyIsTheContractsObject()
    {
        var ct = TestContext.CancellationToken;
        await using var receiver = await WebhookReceiver.StartAsync(ct);
        await using var f = await CaseFixture.CreateAsync(receiver.Url, o => o.WorkbenchUrl = Workbench, ct);
        await f.OpenAsync(303, "BM-1");
        f.Clock.SetUtcNow(new DateTimeOffset(2024, 5, 14, 9, 0, 0, TimeSpan.FromHours(8)));
        await f.Sweep.SweepAsync(ct);
        var alertId = (await f.DrainAlertsQueueAsync(ct)).Single();

        Assert.AreEqual(DeliveryOutcome.Delivered, await f.Delivery.DeliverAsync(alertId, ct));

        var body = receiver.Received.Single().Body;
        CollectionAssert.AreEqual(
            new[] { "alertId", "type", "supplierId", "supplierName", "kind", "recordId", "publishedAt", "planDueOn", "daysOverdue", "contactEmail" },
            ((IDictionary<string, JsonNode?>)body).Keys.ToArray());
    }
}
