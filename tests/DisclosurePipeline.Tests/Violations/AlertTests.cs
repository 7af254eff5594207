using DisclosurePipeline.Alerts;
using DisclosurePipeline.Cases;
using DisclosurePipeline.Domain;

namespace DisclosurePipeline.Tests.Violations;

[TestClass]
[DoNotParallelize]
public sealed class AlertTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(60000, CooperativeCancellation = true)]
    public async Task Sweep_RunTwice_RaisesAndQueuesEachAlertOnce()
    {
        var ct = TestContext.CancellationToken;
        await using var receiver = await WebhookReceiver.StartAsync(ct);
        await using var f = await CaseFixture.CreateAsync(receiver.Url, ct);
        var entity = await f.OpenAsync(201, "BM-1", "BM-2", "BM-3");
        await f.Cases.SubmitAsync(entity.Id, "BM-3", CaseFixture.Content(), ct);

        // 2024-05-11 in Shanghai: two days before the deadline, a reminder for the open cases only.
        f.Clock.SetUtcNow(new DateTimeOffset(2024, 5, 11, 9, 0, 0, TimeSpan.FromHours(8)));
        var reminders = await f.Sweep.SweepAsync(ct);
        Assert.AreEqual(2, reminders.Raised);

        // 2024-05-15: overdue by two days; swept twice.
        f.Clock.SetUtcNow(new DateTimeOffset(2024, 5, 15, 9, 0, 0, TimeSpan.FromHours(8)));
        var first = await f.Sweep.SweepAsync(ct);
        var second = await f.Sweep.SweepAsync(ct);

        Assert.AreEqual(new SweepOutcome(3, 2, 0, 0), first);
        Assert.AreEqual(new SweepOutcome(3, 0, 2, 0), second);
        var alerts = await f.Alerts.ListAsync(null, ct);
        Assert.HasCount(4, alerts);
        var overdue = alerts.Where(a => a.Type == AlertTypes.PlanOverdue).OrderBy(a => a.RecordId).ToList();
        CollectionAssert.AreEqual(new[] { "BM-1", "BM-2" }, overdue.Select(a => a.RecordId).ToArray());
        Assert.AreEqual(2, overdue[0].DaysOverdue);
        Assert.AreEqual(entity.ContactEmail, overdue[0].ContactEmail);
        var queued = await f.DrainAlertsQueueAsync(ct);
        CollectionAssert.AreEquivalent(alerts.Select(a => a.AlertId).ToList(), queued);
    }

    [TestMethod]
    [Timeout(60000, CooperativeCancellation = true)]
    public async Task Deliver_ReceiverFailsOnce_RetriedWithTheSameKeyAndNeverResent()
    {
        var ct = TestContext.CancellationToken;
        await using var receiver = await WebhookReceiver.StartAsync(ct);
        await using var f = await CaseFixture.CreateAsync(receiver.Url, ct);
        var entity = await f.OpenAsync(202, "BM-1");
        f.Clock.SetUtcNow(new DateTimeOffset(2024, 5, 14, 9, 0, 0, TimeSpan.FromHours(8)));
        await f.Sweep.SweepAsync(ct);
        var alertId = (await f.DrainAlertsQueueAsync(ct)).Single();

        receiver.FailNext(1);
        await Assert.ThrowsExactlyAsync<AlertDeliveryException>(() => f.Delivery.DeliverAsync(alertId, ct));
        Assert.IsNull((await f.Alerts.GetAsync(alertId, ct))!.DeliveredAt);
        Assert.AreEqual(DeliveryOutcome.Delivered, await f.Delivery.DeliverAsync(alertId, ct));
        Assert.AreEqual(DeliveryOutcome.AlreadyDelivered, await f.Delivery.DeliverAsync(alertId, ct));

        var received = receiver.Received.ToList();
        Assert.HasCount(2, received);
        Assert.IsTrue(received.All(r => r.Key == alertId));
        var body = received[1].Body;
        Assert.AreEqual(alertId, (string?)body["alertId"]);
        Assert.AreEqual("plan_overdue", (string?)body["type"]);
        Assert.AreEqual(entity.Id, (string?)body["supplierId"]);
        Assert.AreEqual(entity.Name, (string?)body["supplierName"]);
        Assert.AreEqual("supplier", (string?)body["kind"]);
        Assert.AreEqual("BM-1", (string?)body["recordId"]);
        Assert.AreEqual("2024-05-03T10:00:00+08:00", (string?)body["publishedAt"]);
        Assert.AreEqual("2024-05-13", (string?)body["planDueOn"]);
        Assert.AreEqual(1, (int?)body["daysOverdue"]);
        Assert.AreEqual(entity.ContactEmail, (string?)body["contactEmail"]);
        var (raw, length) = receiver.Raw.Last();
        Assert.AreEqual(System.Text.Encoding.UTF8.GetByteCount(raw), length, "the POST carries a Content-Length");
        Assert.Contains(entity.Name, raw, "Chinese names are sent as UTF-8, not \\u-escaped");
        var stored = await f.Alerts.GetAsync(alertId, ct);
        Assert.AreEqual(f.Clock.GetUtcNow(), stored!.DeliveredAt);
        Assert.AreEqual(2, stored.Attempts);
    }

    [TestMethod]
    [Timeout(60000, CooperativeCancellation = true)]
    public async Task Sweep_AlertWhoseDeliveriesFailed_IsQueuedAgainAnHourLaterAndDelivered()
    {
        var ct = TestContext.CancellationToken;
        await using var receiver = await WebhookReceiver.StartAsync(ct);
        await using var f = await CaseFixture.CreateAsync(receiver.Url, ct);
        await f.OpenAsync(204, "BM-1");
        f.Clock.SetUtcNow(new DateTimeOffset(2024, 5, 14, 9, 0, 0, TimeSpan.FromHours(8)));
        await f.Sweep.SweepAsync(ct);
        var alertId = (await f.DrainAlertsQueueAsync(ct)).Single();

        // The receiver is down for every delivery of the message: it would go to alerts-poison.
        receiver.FailNext(3);
        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsExactlyAsync<AlertDeliveryException>(() => f.Delivery.DeliverAsync(alertId, ct));
        }

        f.Clock.Advance(TimeSpan.FromMinutes(59));
        Assert.AreEqual(0, (await f.Sweep.SweepAsync(ct)).Requeued, "not before an hour has passed");
        Assert.IsEmpty(await f.DrainAlertsQueueAsync(ct));

        f.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.AreEqual(1, (await f.Sweep.SweepAsync(ct)).Requeued);
        CollectionAssert.AreEqual(new[] { alertId }, await f.DrainAlertsQueueAsync(ct));
        Assert.AreEqual(DeliveryOutcome.Delivered, await f.Delivery.DeliverAsync(alertId, ct));

        f.Clock.Advance(TimeSpan.FromHours(2));
        Assert.AreEqual(0, (await f.Sweep.SweepAsync(ct)).Requeued, "a delivered alert is never queued again");
        Assert.HasCount(4, receiver.Received);
        Assert.IsTrue(receiver.Received.All(r => r.Key == alertId));
    }

    [TestMethod]
    [Timeout(60000, CooperativeCancellation = true)]
    public async Task Deliver_NoWebhook_StoresOnlyAndSucceeds()
    {
        var ct = TestContext.CancellationToken;
        await using var f = await CaseFixture.CreateAsync(null, ct);
        await f.OpenAsync(203, "BM-1");
        f.Clock.SetUtcNow(new DateTimeOffset(2024, 5, 14, 9, 0, 0, TimeSpan.FromHours(8)));
        await f.Sweep.SweepAsync(ct);
        var alertId = (await f.DrainAlertsQueueAsync(ct)).Single();

        Assert.AreEqual(DeliveryOutcome.NotConfigured, await f.Delivery.DeliverAsync(alertId, ct));
        Assert.IsNull((await f.Alerts.GetAsync(alertId, ct))!.DeliveredAt);
        Assert.AreEqual(DeliveryOutcome.UnknownAlert, await f.Delivery.DeliverAsync("plan_overdue-20240513-none", ct));
    }

    [TestMethod]
    [Timeout(60000, CooperativeCancellation = true)]
    public async Task Keys_IssuedForRegisteredEntity_ResolveToItAndAreRecorded()
    {
        var ct = TestContext.CancellationToken;
        await using var f = await CaseFixture.CreateAsync(null, ct);
        var entity = await f.OpenAsync(204);

        var issued = await f.Keys.IssueAsync(entity.Id, Actors.Staff, ct);

        Assert.IsNotNull(issued);
        Assert.AreEqual(entity.Id, await f.Keys.ResolveAsync(issued.Key, ct));
        Assert.IsNull(await f.Keys.ResolveAsync(issued.Key[..^2] + "xx", ct));
        Assert.IsNull(await f.Keys.ResolveAsync("dev-staff-key", ct));
        Assert.IsNull(await f.Keys.IssueAsync(Tests.Storage.TestIds.Uscc(999), Actors.Staff, ct));
        var history = (await f.History.ListForEntityAsync(entity.Id, ct)).Single();
        Assert.AreEqual(HistoryEvents.KeyIssued, history.Event);
        Assert.AreEqual(issued.Stored.KeyId, history.Detail);
    }
}
