using DisclosurePipeline.Auth;
using DisclosurePipeline.Domain;
using DisclosurePipeline.Storage;
using Microsoft.Extensions.Time.Testing;

namespace DisclosurePipeline.Tests.Storage;

[TestClass]
public sealed class AlertKeyHistoryStoreTests
{
    private static readonly DateTimeOffset Raised = new(2024, 5, 14, 1, 5, 0, TimeSpan.Zero);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Alerts_TryAddTwice_StoresOnceAndReplaceNeedsTheETag()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var alert = Alert("BM-1", Raised);

        Assert.IsTrue(await storage.Alerts.TryAddAsync(alert, ct));
        Assert.IsFalse(await storage.Alerts.TryAddAsync(alert with { SupplierName = "other" }, ct));

        var stored = await storage.Alerts.GetAsync(alert.AlertId, ct);
        Assert.AreEqual(alert with { ETag = stored!.ETag }, stored);
        var delivered = stored with { DeliveredAt = Raised.AddMinutes(1), Attempts = 1, LastAttemptAt = Raised };
        Assert.IsTrue(await storage.Alerts.TryReplaceAsync(delivered, ct));
        Assert.IsFalse(await storage.Alerts.TryReplaceAsync(stored with { Attempts = 9 }, ct));
        var again = await storage.Alerts.GetAsync(alert.AlertId, ct);
        Assert.AreEqual(delivered with { ETag = again!.ETag }, again);
        Assert.IsNull(await storage.Alerts.GetAsync("plan_overdue-20240513-nothere", ct));
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Alerts_ListSince_FiltersByRaisedInstantWhateverTheOffset()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var early = Alert("BM-1", Raised);
        var late = Alert("BM-2", Raised.AddHours(2));
        await storage.Alerts.TryAddAsync(late, ct);
        await storage.Alerts.TryAddAsync(early, ct);

        CollectionAssert.AreEqual(new[] { early.AlertId, late.AlertId }, (await storage.Alerts.ListAsync(null, ct)).Select(a => a.AlertId).ToArray());

        // Raised + 1 h written in Beijing time is 10:05+08:00: only the later alert.
        var since = Raised.AddHours(1).ToOffset(TimeSpan.FromHours(8));
        CollectionAssert.AreEqual(new[] { late.AlertId }, (await storage.Alerts.ListAsync(since, ct)).Select(a => a.AlertId).ToArray());
        Assert.HasCount(2, await storage.Alerts.ListAsync(Raised, ct), "since is inclusive");
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task SupplierKeys_AddThenFind_VerifiesTheIssuedKeyOnly()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var issued = SupplierKeys.Issue(TestIds.Uscc(31), new FakeTimeProvider(Raised));

        await storage.Keys.AddAsync(issued.Stored, ct);

        var found = await storage.Keys.FindAsync(issued.Stored.KeyId, ct);
        Assert.IsNotNull(found);
        Assert.AreEqual(issued.Stored.SupplierId, found.SupplierId);
        Assert.AreEqual(Raised, found.IssuedAt);
        Assert.IsTrue(SupplierKeys.Verify(issued.Key, found));
        Assert.IsFalse(SupplierKeys.Verify(issued.Key[..^1] + (issued.Key[^1] == 'A' ? 'B' : 'A'), found));
        Assert.IsNull(await storage.Keys.FindAsync(new string('0', 24), ct));
        var rows = await storage.RawRowsAsync(StorageNames.SupplierKeysTable, ct);
        Assert.IsFalse(rows.Single().Select(c => c.Value).Any(p => p is string text && text.Contains(issued.Key[28..], StringComparison.Ordinal)), "the secret is not stored");
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task History_SameInstantTwice_KeepsBothOldestFirstPerEntity()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var a = TestIds.Uscc(41);
        var b = TestIds.Uscc(42);
        await storage.History.AppendAsync(
        [
            new HistoryEvent(a, Raised.AddMinutes(5), "staff", "plan_approved", "BM-1", "p1"),
            new HistoryEvent(a, Raised, "supplier:" + a, "plan_submitted", "BM-1", "p1"),
            new HistoryEvent(a, Raised, "supplier:" + a, "plan_submitted", "BM-1", "p1"),
            new HistoryEvent(b, Raised, "staff", "key_issued", null, "k"),
        ], ct);
        await storage.History.AppendAsync([new HistoryEvent(a, Raised.AddMinutes(5), "staff", "plan_approved", "BM-1", "p1")], ct);

        var history = await storage.History.ListForEntityAsync(a, ct);

        Assert.HasCount(4, history);
        CollectionAssert.AreEqual(new[] { "plan_submitted", "plan_submitted", "plan_approved", "plan_approved" }, history.Select(h => h.Event).ToArray());
        Assert.AreEqual(new HistoryEvent(a, Raised, "supplier:" + a, "plan_submitted", "BM-1", "p1"), history[0]);
        Assert.AreEqual(new HistoryEvent(b, Raised, "staff", "key_issued", null, "k"), (await storage.History.ListForEntityAsync(b, ct)).Single());
    }

    private static StoredAlert Alert(string recordId, DateTimeOffset raisedAt)
    {
        var supplier = TestIds.Uscc(30);
        var due = new DateOnly(2024, 5, 13);
        return new StoredAlert(
            AlertId.For(AlertTypes.PlanOverdue, supplier, recordId, due), AlertTypes.PlanOverdue, supplier, "某某电子", EntityKind.Subsidiary, recordId,
            new DateTimeOffset(2024, 5, 3, 9, 0, 0, TimeSpan.FromHours(8)), due, 1, "ehs@example.com", raisedAt);
    }
}
