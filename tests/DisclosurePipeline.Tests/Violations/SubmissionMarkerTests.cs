using Azure;
using DisclosurePipeline.Cases;
using DisclosurePipeline.Domain;
using DisclosurePipeline.Storage;

namespace DisclosurePipeline.Tests.Violations;

/// <summary>
/// A submission writes the case's marker first, then the plan row. When the row cannot be stored — storage fails, or
/// the store refuses it — the marker is withdrawn before the error goes back, so the next valid submission is accepted
/// at once instead of waiting out the marker (two minutes of 409s before).
/// </summary>
[TestClass]
public sealed class SubmissionMarkerTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(60000, CooperativeCancellation = true)]
    public async Task PlanRowWriteFails_MarkerWithdrawnAndTheNextSubmissionAccepted()
    {
        var ct = TestContext.CancellationToken;
        await using var f = await CaseFixture.CreateAsync(null, ct);
        var entity = await f.OpenAsync(301, "BM-1");
        var failing = f.CasesWith(real => new PlanStoreThatFailsToAdd(real, refuse: false));

        await Assert.ThrowsExactlyAsync<RequestFailedException>(() => failing.SubmitAsync(entity.Id, "BM-1", CaseFixture.Content(), ct));

        var stored = await f.CaseStore.GetAsync(entity.Id, "BM-1", ct);
        Assert.IsNull(stored!.LastPlanId, "the marker of the plan that was not stored is gone");
        Assert.IsNull(stored.LastPlanAt);
        var next = await f.Cases.SubmitAsync(entity.Id, "BM-1", CaseFixture.Content("第二次"), ct);
        var submitted = Assert.IsInstanceOfType<PlanSubmissionResult.Submitted>(next);
        Assert.AreEqual(CaseStatus.PlanSubmitted, (await f.Cases.GetAsync(entity.Id, "BM-1", ct))!.Status);
        Assert.AreEqual(submitted.Plan.PlanId, (await f.CaseStore.GetAsync(entity.Id, "BM-1", ct))!.LastPlanId);
    }

    [TestMethod]
    [Timeout(60000, CooperativeCancellation = true)]
    public async Task PlanRowRefusedAfterARejectedPlan_MarkerRestoredToThePreviousPlan()
    {
        var ct = TestContext.CancellationToken;
        await using var f = await CaseFixture.CreateAsync(null, ct);
        var entity = await f.OpenAsync(302, "BM-1");
        var first = (PlanSubmissionResult.Submitted)await f.Cases.SubmitAsync(entity.Id, "BM-1", CaseFixture.Content(), ct);
        await f.Cases.ReviewAsync(entity.Id, "BM-1", first.Plan.PlanId, new PlanReviewRequest(ReviewDecision.Reject, "补充根因分析"), "staff", ct);
        var before = await f.CaseStore.GetAsync(entity.Id, "BM-1", ct);
        var refusing = f.CasesWith(real => new PlanStoreThatFailsToAdd(real, refuse: true));

        await Assert.ThrowsExactlyAsync<InvalidOperationException>(() => refusing.SubmitAsync(entity.Id, "BM-1", CaseFixture.Content("第二版"), ct));

        var after = await f.CaseStore.GetAsync(entity.Id, "BM-1", ct);
        Assert.AreEqual(first.Plan.PlanId, after!.LastPlanId, "the marker is the rejected plan's again");
        Assert.AreEqual(before!.LastPlanAt, after.LastPlanAt);
        Assert.IsInstanceOfType<PlanSubmissionResult.Submitted>(await f.Cases.SubmitAsync(entity.Id, "BM-1", CaseFixture.Content("第三版"), ct));
        Assert.HasCount(2, (await f.Cases.GetAsync(entity.Id, "BM-1", ct))!.Plans);
    }

    /// <summary>The real plan store, except that adding a plan fails (a storage error) or is refused (false).</summary>
    private sealed class PlanStoreThatFailsToAdd(IPlanStore real, bool refuse) : IPlanStore
    {
        public Task<ImprovementPlan?> GetAsync(string supplierId, string recordId, string planId, CancellationToken cancellationToken) =>
            real.GetAsync(supplierId, recordId, planId, cancellationToken);

        public Task<IReadOnlyList<ImprovementPlan>> ListForCaseAsync(string supplierId, string recordId, CancellationToken cancellationToken) =>
            real.ListForCaseAsync(supplierId, recordId, cancellationToken);

        public Task<IReadOnlyList<ImprovementPlan>> ListForEntityAsync(string supplierId, CancellationToken cancellationToken) =>
            real.ListForEntityAsync(supplierId, cancellationToken);

        public Task<IReadOnlyList<ImprovementPlan>> ListAllAsync(CancellationToken cancellationToken) => real.ListAllAsync(cancellationToken);

        public Task<bool> TryAddAsync(ImprovementPlan plan, CancellationToken cancellationToken) =>
            refuse ? Task.FromResult(false) : throw new RequestFailedException(500, "the table service failed (test)");

        public Task<bool> TryReplaceAsync(ImprovementPlan plan, CancellationToken cancellationToken) => real.TryReplaceAsync(plan, cancellationToken);
    }
}
