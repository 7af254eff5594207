using DisclosurePipeline.Domain;
using DisclosurePipeline.Storage;

namespace DisclosurePipeline.Tests.Storage;

[TestClass]
public sealed class PlanStoreTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task TryAdd_ThenGet_RoundTripsContentAndReviewFields()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var plan = Plan(TestIds.Uscc(21), "BM-1", 1) with { Late = true };

        Assert.IsTrue(await storage.Plans.TryAddAsync(plan, ct));
        Assert.IsFalse(await storage.Plans.TryAddAsync(plan, ct), "the same plan id twice");

        var stored = await storage.Plans.GetAsync(plan.SupplierId, plan.RecordId, plan.PlanId, ct);
        Assert.IsNotNull(stored);
        AssertSame(plan, stored);
        Assert.AreEqual(PlanDecision.Pending, stored.Decision);
        Assert.IsNull(stored.ReviewedAt);

        var reviewed = stored with { Decision = PlanDecision.Rejected, ReviewedAt = plan.SubmittedAt.AddDays(1), ReviewedBy = "staff", Comment = "再补充", DocumentPath = plan.DefaultDocumentPath };
        Assert.IsTrue(await storage.Plans.TryReplaceAsync(reviewed, ct));
        Assert.IsFalse(await storage.Plans.TryReplaceAsync(stored with { Decision = PlanDecision.Approved }, ct), "a stale ETag loses");

        var again = await storage.Plans.GetAsync(plan.SupplierId, plan.RecordId, plan.PlanId, ct);
        Assert.AreEqual(PlanDecision.Rejected, again!.Decision);
        Assert.AreEqual("再补充", again.Comment);
        Assert.AreEqual("staff", again.ReviewedBy);
        Assert.AreEqual(plan.SubmittedAt.AddDays(1), again.ReviewedAt);
        Assert.AreEqual(plan.DefaultDocumentPath, again.DocumentPath);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task TryAdd_ContentOverSeveralColumns_RoundTripsExactly()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);

        // About 250,000 characters; the escaped surrogate pairs make about 750 KB of JSON, more than seven 64 KB columns.
        var emoji = string.Concat(Enumerable.Repeat("整改😀a", 1000));
        var actions = Enumerable.Range(0, 50).Select(i => new PlanAction(emoji, "owner " + i, new DateOnly(2024, 7, 1))).ToList();
        var plan = Plan(TestIds.Uscc(22), "BM-2", 2) with
        {
            Content = new PlanContent(new string('s', 4000), "根因", actions, new DateOnly(2024, 9, 30), PlanContact.None),
        };

        Assert.IsTrue(await storage.Plans.TryAddAsync(plan, ct));

        var stored = await storage.Plans.GetAsync(plan.SupplierId, plan.RecordId, plan.PlanId, ct);
        AssertSame(plan, stored!);
        var row = (await storage.RawRowsAsync(StorageNames.PlansTable, ct)).Single();
        Assert.IsGreaterThan(7, (int)row["ContentChunks"]);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task List_ForCaseEntityAndAll_KeepsCasesApartOldestFirst()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var a = TestIds.Uscc(23);
        var b = TestIds.Uscc(24);
        var plans = new[] { Plan(a, "R|1", 3), Plan(a, "R", 2), Plan(a, "R", 1), Plan(a, "R|1", 4), Plan(b, "R", 5) };
        foreach (var plan in plans)
        {
            Assert.IsTrue(await storage.Plans.TryAddAsync(plan, ct));
        }

        var forCase = await storage.Plans.ListForCaseAsync(a, "R", ct);
        CollectionAssert.AreEqual(new[] { plans[2].PlanId, plans[1].PlanId }, forCase.Select(p => p.PlanId).ToArray(), "a record id holding '|' is another case");
        Assert.HasCount(4, await storage.Plans.ListForEntityAsync(a, ct));
        Assert.HasCount(5, await storage.Plans.ListAllAsync(ct));
        Assert.IsNull(await storage.Plans.GetAsync(b, "R|1", plans[0].PlanId, ct));
    }

    private static ImprovementPlan Plan(string supplierId, string recordId, int n) =>
        new(supplierId, recordId, "p" + n.ToString("D19", System.Globalization.CultureInfo.InvariantCulture) + "0000abcd",
            new PlanContent("修复排污口", "阀门故障", [new PlanAction("更换阀门", "厂长", new DateOnly(2024, 6, 1)), new PlanAction("培训", null, null)],
                new DateOnly(2024, 7, 1), new PlanContact("李雷", "li@example.com", null)))
        {
            SubmittedAt = new DateTimeOffset(2024, 5, 5, 10, 0, 0, TimeSpan.FromHours(8)).AddMinutes(n),
        };

    private static void AssertSame(ImprovementPlan expected, ImprovementPlan actual)
    {
        Assert.AreEqual(expected.SupplierId, actual.SupplierId);
        Assert.AreEqual(expected.RecordId, actual.RecordId);
        Assert.AreEqual(expected.PlanId, actual.PlanId);
        Assert.AreEqual(expected.SubmittedAt, actual.SubmittedAt);
        Assert.AreEqual(expected.SubmittedAt.Offset, actual.SubmittedAt.Offset);
        Assert.AreEqual(expected.Late, actual.Late);
        Assert.AreEqual(expected.Content.Summary, actual.Content.Summary);
        Assert.AreEqual(expected.Content.RootCause, actual.Content.RootCause);
        Assert.AreEqual(expected.Content.ExpectedCompletionOn, actual.Content.ExpectedCompletionOn);
        Assert.AreEqual(expected.Content.Contact, actual.Content.Contact);
        CollectionAssert.AreEqual(expected.Content.Actions.ToList(), actual.Content.Actions.ToList());
    }
}
