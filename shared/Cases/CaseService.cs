using DisclosurePipeline.Domain;
using DisclosurePipeline.Storage;
using Microsoft.Extensions.Logging;

namespace DisclosurePipeline.Cases;

/// <summary>The outcome of <see cref="CaseService.SubmitAsync"/>: exactly one of the nested records.</summary>
public abstract record PlanSubmissionResult
{
    private PlanSubmissionResult()
    {
    }

    /// <summary>The plan was stored, pending review (HTTP 201).</summary>
    /// <param name="Plan">The stored plan.</param>
    public sealed record Submitted(ImprovementPlan Plan) : PlanSubmissionResult;

    /// <summary>No such case for this supplier (HTTP 404).</summary>
    public sealed record NotFound : PlanSubmissionResult;

    /// <summary>The case is removed, or a plan is pending or being submitted (HTTP 409).</summary>
    /// <param name="Reason">Why.</param>
    public sealed record Refused(SubmissionCheck Reason) : PlanSubmissionResult;
}

/// <summary>The outcome of <see cref="CaseService.ReviewAsync"/>: exactly one of the nested records.</summary>
public abstract record PlanReviewResult
{
    private PlanReviewResult()
    {
    }

    /// <summary>The plan was decided (HTTP 200 with the case).</summary>
    /// <param name="Case">The case as it now stands.</param>
    public sealed record Reviewed(CaseView Case) : PlanReviewResult;

    /// <summary>No such case or plan (HTTP 404).</summary>
    public sealed record NotFound : PlanReviewResult;

    /// <summary>The plan is not pending, or another reviewer decided it first (HTTP 409).</summary>
    /// <param name="Current">Its decision as it stands.</param>
    public sealed record NotPending(PlanDecision Current) : PlanReviewResult;

    /// <summary>A rejection without a comment (HTTP 400).</summary>
    public sealed record CommentRequired : PlanReviewResult;
}

/// <summary>
/// Violation cases as people use them: lists with the status computed now, plan submission, plan documents and
/// staff review. The rules are <see cref="CaseRules"/>'; this class reads and writes them with ETags so that
/// racing requests get one success and one conflict, and records every person's action in the history.
/// </summary>
public sealed partial class CaseService(
    ICaseStore cases,
    IPlanStore plans,
    IEntityStore entities,
    IDocumentStore documents,
    IHistoryStore history,
    CaseRules rules,
    TimeProvider clock,
    ILogger<CaseService> logger)
{
    /// <summary>
    /// How long a submission marker (<see cref="ViolationCase.LastPlanId"/>) without its plan row blocks another
    /// submission. A real submission adds the row within milliseconds; only a crash leaves a marker behind.
    /// </summary>
    public static readonly TimeSpan SubmissionInFlight = TimeSpan.FromMinutes(2);

    private const int MaxAttempts = 4;

    /// <summary>How many entity names are read at once for a page.</summary>
    private const int NameReadsInParallel = 16;

    /// <summary>
    /// The cases, optionally only those of one entity and/or with one status now, newest record first: every
    /// page of <see cref="ListPageAsync"/> in one list.
    /// </summary>
    public async Task<IReadOnlyList<CaseView>> ListAsync(CaseStatus? status, string? supplierId, CancellationToken cancellationToken)
    {
        var all = new List<CaseView>();
        var query = CaseQuery.FirstPage(status, supplierId, CaseQuery.MaxLimit);
        while (true)
        {
            var page = await ListPageAsync(query, cancellationToken).ConfigureAwait(false);
            all.AddRange(page.Items);
            if (page.ContinuationToken is null)
            {
                return all;
            }

            query = query with { After = CaseCursor.After(page.Items[^1], query.Sort) };
        }
    }

    /// <summary>
    /// One page of cases matching <paramref name="query"/>, in its order, with the token for the next page. The
    /// cost follows the cases, not the registry: the cases and plans (of one entity when
    /// <see cref="CaseQuery.SupplierId"/> is set, else all of them: a status is computed from a case's plans, so
    /// every case must be read to filter by it) and then, by point reads, only the entities named on the page.
    /// </summary>
    public async Task<CasePage> ListPageAsync(CaseQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        Task<IReadOnlyList<ViolationCase>> casesTask;
        Task<IReadOnlyList<ImprovementPlan>> plansTask;
        if (query.SupplierId is { Length: > 0 } supplierId)
        {
            casesTask = cases.ListForEntityAsync(supplierId, cancellationToken);
            plansTask = plans.ListForEntityAsync(supplierId, cancellationToken);
        }
        else
        {
            casesTask = cases.ListAllAsync(cancellationToken);
            plansTask = plans.ListAllAsync(cancellationToken);
        }

        await Task.WhenAll(casesTask, plansTask).ConfigureAwait(false);
        var plansByCase = (await plansTask.ConfigureAwait(false)).ToLookup(p => (p.SupplierId, p.RecordId));
        var today = rules.Today();
        var comparer = CaseOrder.For(query.Sort);
        var matching = (await casesTask.ConfigureAwait(false))
            .Select(c => CaseView.From(c, [.. plansByCase[(c.SupplierId, c.RecordId)]], null, today))
            .Where(query.Matches)
            .Where(v => query.After is not { } after || comparer.IsAfter(v, after))
            .OrderBy(v => v, comparer)
            .Take(query.Limit + 1)
            .ToList();
        var more = matching.Count > query.Limit;
        if (more)
        {
            matching.RemoveAt(matching.Count - 1);
        }

        var names = await ReadEntitiesAsync(matching.Select(v => v.SupplierId), cancellationToken).ConfigureAwait(false);
        var items = matching
            .Select(v => names.TryGetValue(v.SupplierId, out var e) ? v with { SupplierName = e.Name, Kind = e.Kind } : v)
            .ToList();
        var token = more ? CaseCursor.After(items[^1], query.Sort).Encode(query.Fingerprint()) : null;
        return new CasePage(items, token);
    }

    /// <summary>The registered entities among <paramref name="ids"/>, each read once by its key.</summary>
    private async Task<Dictionary<string, RegisteredEntity>> ReadEntitiesAsync(IEnumerable<string> ids, CancellationToken cancellationToken)
    {
        var found = new System.Collections.Concurrent.ConcurrentDictionary<string, RegisteredEntity>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(
            ids.Distinct(StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = NameReadsInParallel, CancellationToken = cancellationToken },
            async (id, ct) =>
            {
                if (await entities.GetAsync(id, ct).ConfigureAwait(false) is { } entity)
                {
                    found[id] = entity;
                }
            }).ConfigureAwait(false);
        return new Dictionary<string, RegisteredEntity>(found, StringComparer.Ordinal);
    }

    /// <summary>One case with its status now, or null.</summary>
    public async Task<CaseView?> GetAsync(string supplierId, string recordId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(supplierId);
        ArgumentException.ThrowIfNullOrEmpty(recordId);
        var c = await cases.GetAsync(supplierId, recordId, cancellationToken).ConfigureAwait(false);
        if (c is null)
        {
            return null;
        }

        var casePlans = await plans.ListForCaseAsync(supplierId, recordId, cancellationToken).ConfigureAwait(false);
        var entity = await entities.GetAsync(supplierId, cancellationToken).ConfigureAwait(false);
        return CaseView.From(c, casePlans, entity, rules.Today());
    }

    /// <summary>
    /// Submits a plan for the supplier's own case. Two racing submissions for one case give one
    /// <see cref="PlanSubmissionResult.Submitted"/> and one <see cref="PlanSubmissionResult.Refused"/>: each first
    /// replaces the case, with its ETag, carrying the new plan's id (<see cref="ViolationCase.LastPlanId"/>); only
    /// then is the plan row added. The loser's replace fails, and on reading the case again it sees the winner's
    /// marker (plan row not there yet: in flight) or the winner's pending plan.
    /// </summary>
    public async Task<PlanSubmissionResult> SubmitAsync(string supplierId, string recordId, PlanContent content, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(supplierId);
        ArgumentException.ThrowIfNullOrEmpty(recordId);
        ArgumentNullException.ThrowIfNull(content);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var c = await cases.GetAsync(supplierId, recordId, cancellationToken).ConfigureAwait(false);
            if (c is null)
            {
                return new PlanSubmissionResult.NotFound();
            }

            var casePlans = await plans.ListForCaseAsync(supplierId, recordId, cancellationToken).ConfigureAwait(false);
            if (!c.RecordRemoved && SubmissionInProgress(c, casePlans))
            {
                return new PlanSubmissionResult.Refused(SubmissionCheck.PendingExists);
            }

            switch (rules.Submit(c, casePlans, content))
            {
                case SubmissionOutcome.Refused refused:
                    return new PlanSubmissionResult.Refused(refused.Reason);
                case SubmissionOutcome.Accepted accepted:
                    var plan = accepted.Plan;
                    if (!await cases.TryReplaceAsync(c with { LastPlanId = plan.PlanId, LastPlanAt = plan.SubmittedAt }, cancellationToken).ConfigureAwait(false))
                    {
                        continue; // The case changed meanwhile (another submission, a review, a sync): look again.
                    }

                    await AddPlanOrWithdrawMarkerAsync(c, plan, cancellationToken).ConfigureAwait(false);

                    await history.AppendAsync(
                        [new HistoryEvent(supplierId, plan.SubmittedAt, Actors.Supplier(supplierId), HistoryEvents.PlanSubmitted, recordId, plan.PlanId + (plan.Late ? " (late)" : ""))],
                        cancellationToken).ConfigureAwait(false);
                    Log.PlanSubmitted(logger, supplierId, recordId, plan.PlanId, plan.Late);
                    return new PlanSubmissionResult.Submitted(plan);
            }
        }

        return new PlanSubmissionResult.Refused(SubmissionCheck.PendingExists);
    }

    /// <summary>The plan of the supplier's case, or null (the caller answers 404 for another supplier's plan too).</summary>
    public Task<ImprovementPlan?> FindPlanAsync(string supplierId, string recordId, string planId, CancellationToken cancellationToken) =>
        plans.GetAsync(supplierId, recordId, planId, cancellationToken);

    /// <summary>Opens a plan's uploaded PDF, or null when the plan does not exist or has no document.</summary>
    public async Task<Stream?> OpenDocumentAsync(string supplierId, string recordId, string planId, CancellationToken cancellationToken)
    {
        var plan = await plans.GetAsync(supplierId, recordId, planId, cancellationToken).ConfigureAwait(false);
        return plan?.DocumentPath is { } path
            ? await documents.OpenReadAsync(StorageNames.PlanDocumentsContainer, path, cancellationToken).ConfigureAwait(false)
            : null;
    }

    /// <summary>
    /// Stores a plan's PDF: the blob first (at <see cref="ImprovementPlan.DefaultDocumentPath"/>), then the plan's
    /// <see cref="ImprovementPlan.DocumentPath"/> with its ETag. A crash in between leaves an unreferenced blob
    /// (overwritten by the next upload), never a reference to a missing blob. False when the plan does not exist.
    /// </summary>
    public async Task<bool> AttachDocumentAsync(string supplierId, string recordId, string planId, Stream pdf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pdf);
        var plan = await plans.GetAsync(supplierId, recordId, planId, cancellationToken).ConfigureAwait(false);
        if (plan is null)
        {
            return false;
        }

        var path = plan.DefaultDocumentPath;
        await documents.UploadAsync(StorageNames.PlanDocumentsContainer, path, pdf, "application/pdf", cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; plan is not null && plan.DocumentPath != path; attempt++)
        {
            if (attempt == MaxAttempts)
            {
                throw new InvalidOperationException($"plan {planId} kept changing; its document path could not be set");
            }

            if (await plans.TryReplaceAsync(plan with { DocumentPath = path }, cancellationToken).ConfigureAwait(false))
            {
                break;
            }

            plan = await plans.GetAsync(supplierId, recordId, planId, cancellationToken).ConfigureAwait(false);
        }

        await history.AppendAsync(
            [new HistoryEvent(supplierId, clock.GetUtcNow(), Actors.Supplier(supplierId), HistoryEvents.PlanDocumentUploaded, recordId, planId)],
            cancellationToken).ConfigureAwait(false);
        return plan is not null;
    }

    /// <summary>
    /// Staff's decision on a pending plan. The plan is replaced with its ETag, so of two racing reviewers one wins
    /// and the other gets <see cref="PlanReviewResult.NotPending"/>. A rejection then moves the case's deadline
    /// (replaced with the case's ETag, re-read and retried if a sync or submission changed the case meanwhile).
    /// </summary>
    public async Task<PlanReviewResult> ReviewAsync(
        string supplierId, string recordId, string planId, PlanReviewRequest request, string reviewer, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(supplierId);
        ArgumentException.ThrowIfNullOrEmpty(recordId);
        ArgumentException.ThrowIfNullOrEmpty(planId);
        ArgumentNullException.ThrowIfNull(request);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var c = await cases.GetAsync(supplierId, recordId, cancellationToken).ConfigureAwait(false);
            var plan = c is null ? null : await plans.GetAsync(supplierId, recordId, planId, cancellationToken).ConfigureAwait(false);
            if (c is null || plan is null)
            {
                return new PlanReviewResult.NotFound();
            }

            switch (rules.Review(c, plan, request.Decision, request.Comment, reviewer))
            {
                case ReviewOutcome.NotPending notPending:
                    return new PlanReviewResult.NotPending(notPending.Current);
                case ReviewOutcome.CommentRequired:
                    return new PlanReviewResult.CommentRequired();
                case ReviewOutcome.Decided decided:
                    if (!await plans.TryReplaceAsync(decided.Plan, cancellationToken).ConfigureAwait(false))
                    {
                        continue; // Someone changed the plan first: a reviewer (then it is no longer pending) or an upload.
                    }

                    if (decided.CaseChanged)
                    {
                        await MoveDeadlineAsync(decided.Case, cancellationToken).ConfigureAwait(false);
                    }

                    var approved = decided.Plan.Decision == PlanDecision.Approved;
                    await history.AppendAsync(
                        [new HistoryEvent(
                            supplierId,
                            decided.Plan.ReviewedAt ?? clock.GetUtcNow(),
                            reviewer,
                            approved ? HistoryEvents.PlanApproved : HistoryEvents.PlanRejected,
                            recordId,
                            decided.Plan.Comment is { } comment ? planId + ": " + comment : planId)],
                        cancellationToken).ConfigureAwait(false);
                    Log.PlanReviewed(logger, supplierId, recordId, planId, decided.Plan.Decision);
                    var view = await GetAsync(supplierId, recordId, cancellationToken).ConfigureAwait(false);
                    return new PlanReviewResult.Reviewed(view!);
            }
        }

        var current = await plans.GetAsync(supplierId, recordId, planId, cancellationToken).ConfigureAwait(false);
        return current is null ? new PlanReviewResult.NotFound() : new PlanReviewResult.NotPending(current.Decision);
    }

    /// <summary>
    /// Adds the plan row after its marker was written. When the row cannot be added (the store refuses it, or storage
    /// fails), the marker is withdrawn — the case gets back the marker it had before, if it still carries this plan's —
    /// so a failed submission never blocks the next one; then the failure propagates.
    /// </summary>
    private async Task AddPlanOrWithdrawMarkerAsync(ViolationCase before, ImprovementPlan plan, CancellationToken cancellationToken)
    {
        try
        {
            if (!await plans.TryAddAsync(plan, cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"plan id {plan.PlanId} exists already");
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await WithdrawMarkerAsync(before, plan.PlanId).ConfigureAwait(false);
            throw;
        }
    }

    private async Task WithdrawMarkerAsync(ViolationCase before, string planId)
    {
        // Not the request's token: the withdrawal must run even when the failure was the caller going away.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            try
            {
                var current = await cases.GetAsync(before.SupplierId, before.RecordId, timeout.Token).ConfigureAwait(false);
                if (current is null || current.LastPlanId != planId)
                {
                    return;
                }

                if (await cases.TryReplaceAsync(current with { LastPlanId = before.LastPlanId, LastPlanAt = before.LastPlanAt }, timeout.Token).ConfigureAwait(false))
                {
                    Log.MarkerWithdrawn(logger, before.SupplierId, before.RecordId, planId);
                    return;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.MarkerNotWithdrawn(logger, before.SupplierId, before.RecordId, planId, ex);
                return;
            }
        }
    }

    /// <summary>True while the case's submission marker names a plan that is not stored yet and is recent.</summary>
    private bool SubmissionInProgress(ViolationCase c, IReadOnlyList<ImprovementPlan> casePlans) =>
        c.LastPlanId is { } id
        && c.LastPlanAt is { } at
        && clock.GetUtcNow() - at < SubmissionInFlight
        && !casePlans.Any(p => p.PlanId == id);

    /// <summary>
    /// Writes the rejection's new deadline. The plan is already decided, so this must land: on an ETag conflict the
    /// case is read again and only its deadline set. (A crash right before this leaves the old deadline: the case
    /// may show overdue early; the rejection itself is recorded on the plan and in history.)
    /// </summary>
    private async Task MoveDeadlineAsync(ViolationCase moved, CancellationToken cancellationToken)
    {
        var target = moved;
        for (var attempt = 0; attempt < MaxAttempts * 2; attempt++)
        {
            if (await cases.TryReplaceAsync(target, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            var current = await cases.GetAsync(moved.SupplierId, moved.RecordId, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                return;
            }

            target = current with { PlanDueOn = moved.PlanDueOn };
        }

        throw new InvalidOperationException($"case {moved.SupplierId}/{moved.RecordId} kept changing; its deadline could not be moved");
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Plan {PlanId} submitted for {SupplierId}/{RecordId} (late: {Late})")]
        public static partial void PlanSubmitted(ILogger logger, string supplierId, string recordId, string planId, bool late);

        [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Plan {PlanId} of {SupplierId}/{RecordId} could not be stored; its submission marker was withdrawn")]
        public static partial void MarkerWithdrawn(ILogger logger, string supplierId, string recordId, string planId);

        [LoggerMessage(EventId = 4004, Level = LogLevel.Error, Message = "Plan {PlanId} of {SupplierId}/{RecordId} could not be stored, nor its submission marker withdrawn")]
        public static partial void MarkerNotWithdrawn(ILogger logger, string supplierId, string recordId, string planId, Exception exception);

        [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Plan {PlanId} of {SupplierId}/{RecordId} reviewed: {Decision}")]
        public static partial void PlanReviewed(ILogger logger, string supplierId, string recordId, string planId, PlanDecision decision);
    }
}
