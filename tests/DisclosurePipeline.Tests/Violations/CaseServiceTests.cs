using DisclosurePipeline.Cases;
using DisclosurePipeline.Domain;
using DisclosurePipeline.Storage;

namespace DisclosurePipeline.Tests.Violations;

[TestClass]
public sealed class CaseServiceTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(60000, CooperativeCancellation = true)]
    public async Task Submit_FiveAtOnce_OneSubmittedFourRefused()
    {
        var ct = TestContext.CancellationToken;
        await using var f = await CaseFixture.CreateAsync(null, ct);
        var entity = await f.OpenAsync(101, "BM-1");

        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => f.Cases.SubmitAsync(entity.Id, "BM-1", CaseFixture.Content("plan " + i), ct)));

        Assert.AreEqual(1, results.Count(r => r is PlanSubmissionResult.Submitted));
        Assert.AreEqual(4, results.Count(r => r is PlanSubmissionResult.Refused { Reason: SubmissionCheck.PendingExists }));
        var view = await f.Cases.GetAsync(entity.Id, "BM-1", ct);
        Assert.HasCount(1, view!.Plans);
        Assert.AreEqual(CaseStatus.PlanSubmitted, view.Status);
    }

    [TestMethod]
    [Timeout(60000, CooperativeCancellation = true)]
    public async Task Lifecycle_LateSubmissionRejectionApproval_StatusesDeadlinesAndHistory()
    {
        var ct = TestContext.CancellationToken;
        await using var f = await CaseFixture.CreateAsync(null, ct);
        var entity = await f.OpenAsync(102, "BM-1");

        var opened = await f.Cases.GetAsync(entity.Id, "BM-1", ct);
        Assert.AreEqual(CaseStatus.Open, opened!.Status);
        Assert.AreEqual(new DateOnly(2024, 5, 13), opened.PlanDueOn);
        Assert.AreEqual(entity.Name, opened.SupplierName);

        // 2024-05-14 09:00 in Shanghai: a day past the deadline.
        f.Clock.SetUtcNow(new DateTimeOffset(2024, 5, 14, 9, 0, 0, TimeSpan.FromHours(8)));
        Assert.AreEqual(CaseStatus.Overdue, (await f.Cases.ListAsync(CaseStatus.Overdue, null, ct)).Single().Status);

        var first = (PlanSubmissionResult.Submitted)await f.Cases.SubmitAsync(entity.Id, "BM-1", CaseFixture.Content(), ct);
        Assert.IsTrue(first.Plan.Late);
        f.Clock.Advance(TimeSpan.FromMinutes(30));

        var rejected = await f.Cases.ReviewAsync(entity.Id, "BM-1", first.Plan.PlanId, new PlanReviewRequest(ReviewDecision.Reject, "补充根因分析"), "staff", ct);
        var afterReject = ((PlanReviewResult.Reviewed)rejected).Case;
        Assert.AreEqual(new DateOnly(2024, 5, 24), afterReject.PlanDueOn, "rejection date + 10 local days");
        Assert.AreEqual(CaseStatus.Open, afterReject.Status);
        Assert.AreEqual(PlanDecision.Rejected, afterReject.Plans.Single().Decision);
        Assert.AreEqual("补充根因分析", afterReject.Plans.Single().Comment);
        f.Clock.Advance(TimeSpan.FromMinutes(30));

        var second = (PlanSubmissionResult.Submitted)await f.Cases.SubmitAsync(entity.Id, "BM-1", CaseFixture.Content("第二版"), ct);
        Assert.IsFalse(second.Plan.Late);
        f.Clock.Advance(TimeSpan.FromMinutes(30));
        var approved = ((PlanReviewResult.Reviewed)await f.Cases.ReviewAsync(entity.Id, "BM-1", second.Plan.PlanId, new PlanReviewRequest(ReviewDecision.Approve, null), "staff", ct)).Case;
        Assert.AreEqual(CaseStatus.PlanApproved, approved.Status);
        Assert.AreEqual(new DateOnly(2024, 5, 24), approved.PlanDueOn);
        CollectionAssert.AreEqual(new[] { first.Plan.PlanId, second.Plan.PlanId }, approved.Plans.Select(p => p.PlanId).ToArray());

        Assert.IsInstanceOfType<PlanReviewResult.NotPending>(
            await f.Cases.ReviewAsync(entity.Id, "BM-1", second.Plan.PlanId, new PlanReviewRequest(ReviewDecision.Reject, "no"), "staff", ct));
        var history = await f.History.ListForEntityAsync(entity.Id, ct);
        CollectionAssert.AreEqual(
            new[] { HistoryEvents.PlanSubmitted, HistoryEvents.PlanRejected, HistoryEvents.PlanSubmitted, HistoryEvents.PlanApproved },
            history.Select(h => h.Event).ToArray());
        Assert.AreEqual(Actors.Supplier(entity.Id), history[0].Actor);
        Assert.AreEqual("staff", history[1].Actor);
    }

    [TestMethod]
    [Timeout(60000, CooperativeCancellation = true)]
    public async Task Review_TwoApprovesAtOnce_OneReviewedOneNotPending()
    {
        var ct = TestContext.CancellationToken;
        await using var f = await CaseFixture.CreateAsync(null, ct);
        var entity = await f.OpenAsync(103, "BM-1");
        var plan = ((PlanSubmissionResult.Submitted)await f.Cases.SubmitAsync(entity.Id, "BM-1", CaseFixture.Content(), ct)).Plan;

        var results = await Task.WhenAll(
            f.Cases.ReviewAsync(entity.Id, "BM-1", plan.PlanId, new PlanReviewRequest(ReviewDecision.Approve, null), "staff", ct),
            f.Cases.ReviewAsync(entity.Id, "BM-1", plan.PlanId, new PlanReviewRequest(ReviewDecision.Reject, "no"), "staff", ct));

        Assert.AreEqual(1, results.Count(r => r is PlanReviewResult.Reviewed));
        Assert.AreEqual(1, results.Count(r => r is PlanReviewResult.NotPending));
        Assert.HasCount(1, (await f.History.ListForEntityAsync(entity.Id, ct)).Where(h => h.Event is HistoryEvents.PlanApproved or HistoryEvents.PlanRejected).ToList());
    }

    [TestMethod]
    [Timeout(60000, CooperativeCancellation = true)]
    public async Task Submit_RemovedOrUnknownCase_RefusedOrNotFound()
    {
        var ct = TestContext.CancellationToken;
        await using var f = await CaseFixture.CreateAsync(null, ct);
        var entity = await f.OpenAsync(104, "BM-1");
        var other = await f.OpenAsync(105, "BM-9");
        var c = await f.CaseStore.GetAsync(entity.Id, "BM-1", ct);
        await f.CaseStore.ApplySyncAsync([], [c! with { RecordRemoved = true, RemovedAt = CaseFixture.Published.AddDays(3) }], ct);

        Assert.IsInstanceOfType<PlanSubmissionResult.Refused>(await f.Cases.SubmitAsync(entity.Id, "BM-1", CaseFixture.Content(), ct));
        Assert.IsInstanceOfType<PlanSubmissionResult.NotFound>(await f.Cases.SubmitAsync(entity.Id, "BM-9", CaseFixture.Content(), ct), "another supplier's record");
        Assert.AreEqual(CaseStatus.Removed, (await f.Cases.GetAsync(entity.Id, "BM-1", ct))!.Status);
        Assert.HasCount(1, await f.Cases.ListAsync(null, other.Id, ct));
        Assert.HasCount(1, await f.Cases.ListAsync(CaseStatus.Removed, null, ct));
    }

    [TestMethod]
    [Timeout(60000, CooperativeCancellation = true)]
    public async Task AttachDocument_StoresTheBlobThenThePath()
    {
        var ct = TestContext.CancellationToken;
        await using var f = await CaseFixture.CreateAsync(null, ct);
        var entity = await f.OpenAsync(106, "BM-1");
        var plan = ((PlanSubmissionResult.Submitted)await f.Cases.SubmitAsync(entity.Id, "BM-1", CaseFixture.Content(), ct)).Plan;
        var pdf = "%PDF-1.7 test"u8.ToArray();

        Assert.IsTrue(await f.Cases.AttachDocumentAsync(entity.Id, "BM-1", plan.PlanId, new MemoryStream(pdf), ct));
        Assert.IsFalse(await f.Cases.AttachDocumentAsync(entity.Id, "BM-1", "p0000000000000000000deadbeef", new MemoryStream(pdf), ct));

        var stored = await f.Cases.FindPlanAsync(entity.Id, "BM-1", plan.PlanId, ct);
        Assert.AreEqual(plan.DefaultDocumentPath, stored!.DocumentPath);
        await using var blob = await f.Documents.OpenReadAsync(StorageNames.PlanDocumentsContainer, plan.DefaultDocumentPath, ct);
        using var copy = new MemoryStream();
        await blob!.CopyToAsync(copy, ct);
        CollectionAssert.AreEqual(pdf, copy.ToArray());
    }
}
