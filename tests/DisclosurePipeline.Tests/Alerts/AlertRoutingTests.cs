using DisclosurePipeline.Alerts;
using DisclosurePipeline.Domain;
using DisclosurePipeline.Tests.Violations;

namespace DisclosurePipeline.Tests.Alerts;

/// <summary>Where each alert type goes: reminders to the supplier receiver, overdue alerts into the staff digest, the digest to staff.</summary>
[TestClass]
public sealed class AlertRoutingTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(60000, CooperativeCancellation = true)]
    public async Task Route_ReminderOverdueAndDigest_EachReachesItsOwnReceiver()
    {
        var ct = TestContext.CancellationToken;
        await using var staff = await WebhookReceiver.StartAsync(ct);
        await using var supplier = await WebhookReceiver.StartAsync(ct);
        await using var f = await CaseFixture.CreateAsync(staff.Url, o => { o.Format = "slack"; o.SupplierWebhookUrl = supplier.Url; o.Digest = "09:00"; }, ct);
        var entity = await f.OpenAsync(311, "BM-1");

        // 2024-05-11 09:30: the reminder, two days before the deadline, goes to the supplier receiver.
        f.Clock.SetUtcNow(new DateTimeOffset(2024, 5, 11, 9, 30, 0, TimeSpan.FromHours(8)));
        var first = await f.Sweep.SweepAsync(ct);
        Assert.AreEqual(1, first.Raised);
        Assert.AreEqual("digest-2024-05-11", first.DigestBuilt, "the day's digest is stored even when it lists nothing");
        Assert.AreEqual(0, first.DigestAlerts);
        var reminderId = (await f.DrainAlertsQueueAsync(ct)).Single();
        StringAssert.StartsWith(reminderId, AlertTypes.PlanDueSoon);
        Assert.AreEqual(DeliveryOutcome.Delivered, await f.Delivery.DeliverAsync(reminderId, ct));

        var (key, reminder) = supplier.Received.Single();
        Assert.AreEqual(reminderId, key);
        Assert.AreEqual("ehs@example.com", (string?)reminder["to"]);
        Assert.AreEqual("plan_due_soon", (string?)reminder["type"]);
        Assert.AreEqual("BM-1", (string?)reminder["recordId"]);
        Assert.AreEqual("厦门市生态环境局", (string?)reminder["authority"]);
        Assert.AreEqual("2024-05-13", (string?)reminder["planDueOn"]);
        Assert.AreEqual("整改计划提醒：处罚记录 BM-1 的整改计划须于 2024-05-13 前提交", (string?)reminder["subject"]!["zh"]);
        Assert.AreEqual("Reminder: the improvement plan for record BM-1 is due on 2024-05-13", (string?)reminder["subject"]!["en"]);
        Assert.Contains($"{entity.Name}：", (string)reminder["body"]!["zh"]!);
        Assert.Contains("BM-1（厦门市生态环境局）的整改计划须于 2024-05-13 前提交", (string)reminder["body"]!["zh"]!);
        Assert.Contains("penalty record BM-1 (厦门市生态环境局) is due on 2024-05-13", (string)reminder["body"]!["en"]!);
        Assert.IsFalse(reminder.ContainsKey("caseUrl"), "the staff workbench is not for suppliers");
        Assert.IsEmpty(staff.Received, "staff channels get nothing meant for the supplier");

        // 2024-05-14 08:30: the overdue alert is stored but not queued; at 09:30 the day's digest lists it and is queued.
        f.Clock.SetUtcNow(new DateTimeOffset(2024, 5, 14, 8, 30, 0, TimeSpan.FromHours(8)));
        var second = await f.Sweep.SweepAsync(ct);
        Assert.AreEqual(1, second.Raised);
        Assert.IsNull(second.DigestBuilt, "not before the digest time");
        Assert.IsEmpty(await f.DrainAlertsQueueAsync(ct));
        f.Clock.SetUtcNow(new DateTimeOffset(2024, 5, 14, 9, 30, 0, TimeSpan.FromHours(8)));
        var third = await f.Sweep.SweepAsync(ct);
        Assert.AreEqual("digest-2024-05-14", third.DigestBuilt);
        Assert.AreEqual(1, third.DigestAlerts);
        CollectionAssert.AreEqual(new[] { "digest-2024-05-14" }, await f.DrainAlertsQueueAsync(ct));
        var overdue = (await f.Alerts.ListAsync(null, ct)).Single(a => a.Type == AlertTypes.PlanOverdue);
        Assert.AreEqual(DeliveryOutcome.InDigest, await f.Delivery.DeliverAsync(overdue.AlertId, ct));
        Assert.IsEmpty(staff.Received);

        Assert.AreEqual(DeliveryOutcome.Delivered, await f.Delivery.DeliverAsync("digest-2024-05-14", ct));
        Assert.AreEqual("digest-2024-05-14", staff.Received.Single().Key);
        var (text, blocks) = ChatShapes.AssertSlackMessage(staff.Raw.Single().Text);
        Assert.AreEqual("每日逾期汇总 / Daily overdue digest · 2024-05-14: 1 个案件逾期，涉及 1 家供应商 / 1 case overdue at 1 supplier", text);
        Assert.IsTrue(blocks.Any(b => b.Contains(entity.Name, StringComparison.Ordinal) && b.Contains("• BM-1 · 厦门市生态环境局 · 整改计划截止 Plan due 2024-05-13 · 逾期 1 天 / 1 day overdue", StringComparison.Ordinal)));
        Assert.HasCount(1, supplier.Received, "the supplier receiver gets only the reminder");
    }

    [TestMethod]
    [Timeout(60000, CooperativeCancellation = true)]
    public async Task Route_ReminderWithoutContactEmail_RecordedOnceAndNeverRetried()
    {
        var ct = TestContext.CancellationToken;
        await using var staff = await WebhookReceiver.StartAsync(ct);
        await using var supplier = await WebhookReceiver.StartAsync(ct);
        await using var f = await CaseFixture.CreateAsync(staff.Url, o => o.SupplierWebhookUrl = supplier.Url, ct);
        var entity = await f.OpenAsync(312, CaseFixture.Published, null, "BM-1");
        f.Clock.SetUtcNow(new DateTimeOffset(2024, 5, 11, 9, 30, 0, TimeSpan.FromHours(8)));
        await f.Sweep.SweepAsync(ct);
        var reminderId = (await f.DrainAlertsQueueAsync(ct)).Single();

        Assert.AreEqual(DeliveryOutcome.NoRecipient, await f.Delivery.DeliverAsync(reminderId, ct));
        Assert.AreEqual(DeliveryOutcome.NoRecipient, await f.Delivery.DeliverAsync(reminderId, ct), "a redelivered message");

        var recorded = (await f.History.ListForEntityAsync(entity.Id, ct)).Single();
        Assert.AreEqual(AlertDelivery.ReminderNotSentEvent, recorded.Event);
        Assert.AreEqual(AlertDelivery.HistoryActor, recorded.Actor);
        Assert.AreEqual("BM-1", recorded.RecordId);
        Assert.AreEqual($"{reminderId}: no contactEmail in the registry", recorded.Detail);
        var stored = await f.Alerts.GetAsync(reminderId, ct);
        Assert.IsNull(stored!.DeliveredAt);
        Assert.IsNull(stored.LastFailedAt);

        f.Clock.Advance(TimeSpan.FromHours(3));
        Assert.AreEqual(0, (await f.Sweep.SweepAsync(ct)).Requeued, "nothing to retry: there is nobody to send it to");
        Assert.IsEmpty(await f.DrainAlertsQueueAsync(ct));
        Assert.IsEmpty(supplier.Received);
        Assert.IsEmpty(staff.Received);
    }
}
