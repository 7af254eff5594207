using System.Text.Json.Nodes;
using DisclosurePipeline.Alerts;
using DisclosurePipeline.Domain;
using DisclosurePipeline.Tests.Violations;

namespace DisclosurePipeline.Tests.Alerts;

/// <summary>The daily digest to staff over Azurite and a local receiver: windows, exactly-once, grouping and order.</summary>
[TestClass]
public sealed class DigestTests
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(120000, CooperativeCancellation = true)]
    public async Task Digest_AlertsAroundTheCutoff_EachListedInExactlyOneDigest()
    {
        var ct = TestContext.CancellationToken;
        await using var receiver = await WebhookReceiver.StartAsync(ct);
        await using var f = await CaseFixture.CreateAsync(receiver.Url, o => o.Digest = "09:00", ct);
        await f.OpenAsync(321, "BM-1", "BM-2");
        var published0504 = new DateTimeOffset(2024, 5, 4, 10, 0, 0, Shanghai);

        // 05-14 08:30: BM-1 and BM-2 become overdue, before the day's digest time.
        f.Clock.SetUtcNow(new DateTimeOffset(2024, 5, 14, 8, 30, 0, Shanghai));
        Assert.IsNull((await f.Sweep.SweepAsync(ct)).DigestBuilt);

        // 05-14 09:00 exactly: the first digest, covering everything raised before 09:00.
        f.Clock.SetUtcNow(new DateTimeOffset(2024, 5, 14, 9, 0, 0, Shanghai));
        var d14 = await f.Sweep.SweepAsync(ct);
        Assert.AreEqual("digest-2024-05-14", d14.DigestBuilt);
        Assert.AreEqual(2, d14.DigestAlerts);
        await DeliverQueuedAsync(f, ct);

        // 05-15 08:59: BM-3 (due 05-14) is raised a minute before the cutoff; BM-4 is opened after that sweep and is
        // raised at 09:00 exactly, by the sweep that builds the 05-15 digest: it belongs to the next one.
        await f.OpenAsync(322, published0504, "ehs@example.com", "BM-3");
        f.Clock.SetUtcNow(new DateTimeOffset(2024, 5, 15, 8, 59, 0, Shanghai));
        Assert.AreEqual(1, (await f.Sweep.SweepAsync(ct)).Raised);
        await f.OpenAsync(323, published0504, "ehs@example.com", "BM-4");
        f.Clock.SetUtcNow(new DateTimeOffset(2024, 5, 15, 9, 0, 0, Shanghai));
        var d15 = await f.Sweep.SweepAsync(ct);
        Assert.AreEqual(1, d15.Raised);
        Assert.AreEqual("digest-2024-05-15", d15.DigestBuilt);
        Assert.AreEqual(1, d15.DigestAlerts);
        await DeliverQueuedAsync(f, ct);

        // 05-16 10:00: the next digest lists BM-4; 05-17 09:00: nothing new, stored but not queued.
        f.Clock.SetUtcNow(new DateTimeOffset(2024, 5, 16, 10, 0, 0, Shanghai));
        var d16 = await f.Sweep.SweepAsync(ct);
        Assert.AreEqual("digest-2024-05-16", d16.DigestBuilt);
        Assert.AreEqual(1, d16.DigestAlerts);
        await DeliverQueuedAsync(f, ct);
        f.Clock.SetUtcNow(new DateTimeOffset(2024, 5, 17, 9, 0, 0, Shanghai));
        var d17 = await f.Sweep.SweepAsync(ct);
        Assert.AreEqual("digest-2024-05-17", d17.DigestBuilt);
        Assert.AreEqual(0, d17.DigestAlerts);
        Assert.IsEmpty(await f.DrainAlertsQueueAsync(ct), "an empty digest is not posted");
        Assert.AreEqual(DeliveryOutcome.NothingToSend, await f.Delivery.DeliverAsync("digest-2024-05-17", ct));

        var bodies = receiver.Received.Select(r => r.Body).ToList();
        CollectionAssert.AreEqual(
            new[] { "digest-2024-05-14", "digest-2024-05-15", "digest-2024-05-16" },
            bodies.Select(b => (string?)b["digestId"]).ToList(),
            "overdue alerts are not posted on their own, only the digests");
        CollectionAssert.AreEqual(new[] { "BM-1", "BM-2" }, Records(bodies[0]));
        CollectionAssert.AreEqual(new[] { "BM-3" }, Records(bodies[1]));
        CollectionAssert.AreEqual(new[] { "BM-4" }, Records(bodies[2]));
        Assert.IsNull(bodies[0]["coversFrom"]);
        Assert.AreEqual("2024-05-14T09:00:00+08:00", (string?)bodies[0]["coversUntil"]);
        Assert.AreEqual("2024-05-14T09:00:00+08:00", (string?)bodies[1]["coversFrom"], "each window starts where the previous one stopped");
        Assert.AreEqual((string?)bodies[1]["coversUntil"], (string?)bodies[2]["coversFrom"]);

        var listed = bodies.SelectMany(b => b["suppliers"]!.AsArray().SelectMany(s => s!["cases"]!.AsArray().Select(c => (string)c!["alertId"]!))).ToList();
        var overdue = (await f.Alerts.ListAsync(null, ct)).Where(a => a.Type == AlertTypes.PlanOverdue).Select(a => a.AlertId).ToList();
        Assert.HasCount(4, overdue);
        CollectionAssert.AreEquivalent(overdue, listed, "every overdue alert is listed once: never in two digests, never in none");
    }

    private static async Task DeliverQueuedAsync(CaseFixture f, CancellationToken ct)
    {
        foreach (var id in await f.DrainAlertsQueueAsync(ct))
        {
            Assert.AreEqual(DeliveryOutcome.Delivered, await f.Delivery.DeliverAsync(id, ct));
        }
    }

    [TestMethod]
    [Timeout(60000, CooperativeCancellation = true)]
    public async Task Digest_SweptTwiceAndDeliveredTwice_StoredQueuedAndPostedOnce()
    {
        var ct = TestContext.CancellationToken;
        await using var receiver = await WebhookReceiver.StartAsync(ct);
        await using var f = await CaseFixture.CreateAsync(receiver.Url, o => { o.Digest = "09:00"; o.Format = "teams"; }, ct);
        await f.OpenAsync(324, "BM-1", "BM-2");
        f.Clock.SetUtcNow(new DateTimeOffset(2024, 5, 14, 8, 0, 0, Shanghai));
        await f.Sweep.SweepAsync(ct);
        f.Clock.SetUtcNow(new DateTimeOffset(2024, 5, 14, 9, 10, 0, Shanghai));

        var sweeps = await Task.WhenAll(f.Sweep.SweepAsync(ct), f.Sweep.SweepAsync(ct));
        var again = await f.Sweep.SweepAsync(ct);

        Assert.AreEqual(1, sweeps.Count(s => s.DigestBuilt == "digest-2024-05-14"), "two sweeps at once build one digest");
        Assert.IsNull(again.DigestBuilt);
        var queued = await f.DrainAlertsQueueAsync(ct);
        CollectionAssert.AreEqual(new[] { "digest-2024-05-14" }, queued);

        // The same queue message delivered twice at once, then once more.
        var outcomes = await Task.WhenAll(f.Delivery.DeliverAsync(queued[0], ct), f.Delivery.DeliverAsync(queued[0], ct));
        Assert.AreEqual(1, outcomes.Count(o => o == DeliveryOutcome.Delivered));
        Assert.IsTrue(outcomes.All(o => o is DeliveryOutcome.Delivered or DeliveryOutcome.InProgress or DeliveryOutcome.AlreadyDelivered));
        Assert.AreEqual(DeliveryOutcome.AlreadyDelivered, await f.Delivery.DeliverAsync(queued[0], ct));

        Assert.AreEqual("digest-2024-05-14", receiver.Received.Single().Key);
        var texts = ChatShapes.AssertTeamsMessage(receiver.Raw.Single().Text);
        Assert.AreEqual("每日逾期汇总 / Daily overdue digest · 2024-05-14", texts[0]);
        Assert.AreEqual("2 个案件逾期，涉及 1 家供应商 / 2 cases overdue at 1 supplier", texts[1]);
        var stored = await f.Alerts.GetDigestAsync("digest-2024-05-14", ct);
        Assert.AreEqual(f.Clock.GetUtcNow(), stored!.DeliveredAt);
        Assert.AreEqual(2, stored.AlertCount);
        Assert.AreEqual(1, stored.SupplierCount);
        Assert.HasCount(2, await f.Alerts.ListAsync(null, ct), "GET /api/alerts lists alerts, never digests");

        f.Clock.Advance(TimeSpan.FromHours(2));
        Assert.AreEqual(0, (await f.Sweep.SweepAsync(ct)).Requeued, "a delivered digest is never queued again");
    }

    [TestMethod]
    [Timeout(60000, CooperativeCancellation = true)]
    public async Task Digest_ReceiverDown_QueuedAgainAnHourLaterWithTheSameKey()
    {
        var ct = TestContext.CancellationToken;
        await using var receiver = await WebhookReceiver.StartAsync(ct);
        await using var f = await CaseFixture.CreateAsync(receiver.Url, o => o.Digest = "09:00", ct);
        await f.OpenAsync(325, "BM-1");
        f.Clock.SetUtcNow(new DateTimeOffset(2024, 5, 14, 8, 0, 0, Shanghai));
        await f.Sweep.SweepAsync(ct);
        f.Clock.SetUtcNow(new DateTimeOffset(2024, 5, 14, 9, 5, 0, Shanghai));
        await f.Sweep.SweepAsync(ct);
        var id = (await f.DrainAlertsQueueAsync(ct)).Single();

        receiver.FailNext(2);
        await Assert.ThrowsExactlyAsync<AlertDeliveryException>(() => f.Delivery.DeliverAsync(id, ct));
        await Assert.ThrowsExactlyAsync<AlertDeliveryException>(() => f.Delivery.DeliverAsync(id, ct));
        f.Clock.Advance(TimeSpan.FromMinutes(61));
        Assert.AreEqual(1, (await f.Sweep.SweepAsync(ct)).Requeued);
        CollectionAssert.AreEqual(new[] { id }, await f.DrainAlertsQueueAsync(ct));
        Assert.AreEqual(DeliveryOutcome.Delivered, await f.Delivery.DeliverAsync(id, ct));

        Assert.HasCount(3, receiver.Received);
        Assert.IsTrue(receiver.Received.All(r => r.Key == id));
    }

    [TestMethod]
    [Timeout(60000, CooperativeCancellation = true)]
    public async Task Digest_SeveralSuppliers_GroupedWithTotalsOldestCasesFirst()
    {
        var ct = TestContext.CancellationToken;
        await using var receiver = await WebhookReceiver.StartAsync(ct);
        await using var f = await CaseFixture.CreateAsync(receiver.Url, o => { o.Digest = "09:00"; o.WorkbenchUrl = new Uri("https://pipeline.example.cn/api/workbench"); }, ct);
        var a = await f.OpenAsync(331, "BM-A1");
        var b = await f.OpenAsync(332, new DateTimeOffset(2024, 5, 1, 10, 0, 0, Shanghai), "b@example.com", "BM-B1");
        await f.OpenAsync(332, CaseFixture.Published, "b@example.com", "BM-B2");
        var c = await f.OpenAsync(333, "BM-C2", "BM-C1");
        f.Clock.SetUtcNow(new DateTimeOffset(2024, 5, 14, 8, 0, 0, Shanghai));
        await f.Sweep.SweepAsync(ct);
        f.Clock.SetUtcNow(new DateTimeOffset(2024, 5, 14, 9, 30, 0, Shanghai));
        var id = (await f.Sweep.SweepAsync(ct)).DigestBuilt!;

        Assert.AreEqual(DeliveryOutcome.Delivered, await f.Delivery.DeliverAsync(id, ct));

        var body = receiver.Received.Single().Body;
        Assert.AreEqual("plan_overdue_digest", (string?)body["type"]);
        Assert.AreEqual("2024-05-14", (string?)body["day"]);
        Assert.AreEqual(5, (int?)body["totalCases"]);
        Assert.AreEqual(3, (int?)body["totalSuppliers"]);
        var suppliers = body["suppliers"]!.AsArray().Select(s => s!.AsObject()).ToList();
        CollectionAssert.AreEqual(new[] { b.Id, c.Id, a.Id }, suppliers.Select(s => (string?)s["supplierId"]).ToArray(), "the oldest deadline first, then more cases first");
        Assert.AreEqual(b.Name, (string?)suppliers[0]["supplierName"]);
        CollectionAssert.AreEqual(new[] { "BM-B1", "BM-B2" }, Records(suppliers[0]));
        CollectionAssert.AreEqual(new[] { "BM-C1", "BM-C2" }, Records(suppliers[1]));
        var oldest = suppliers[0]["cases"]![0]!;
        Assert.AreEqual("2024-05-11", (string?)oldest["planDueOn"]);
        Assert.AreEqual(3, (int?)oldest["daysOverdue"], "days overdue as of the digest's day");
        Assert.AreEqual("厦门市生态环境局", (string?)oldest["authority"]);
        Assert.AreEqual($"https://pipeline.example.cn/api/workbench#case/{b.Id}/BM-B1", (string?)oldest["caseUrl"]);
    }

    private static string[] Records(JsonObject node) =>
        node["suppliers"] is JsonArray suppliers
            ? [.. suppliers.SelectMany(s => s!["cases"]!.AsArray().Select(c => (string)c!["recordId"]!))]
            : [.. node["cases"]!.AsArray().Select(c => (string)c!["recordId"]!)];
}
