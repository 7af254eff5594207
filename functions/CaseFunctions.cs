using DisclosurePipeline.Cases;
using DisclosurePipeline.Domain;
using DisclosurePipeline.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace DisclosurePipeline.Functions;

/// <summary>Violation cases and improvement plans: staff listings and reviews, a supplier's own cases, plans and PDFs.</summary>
internal sealed class CaseFunctions(CaseService service)
{
    /// <summary>The largest plan body accepted.</summary>
    public const long MaxPlanBytes = 256 * 1024;

    /// <summary>The largest review body accepted (a 4000-character comment with room to spare).</summary>
    public const long MaxReviewBytes = 64 * 1024;

    /// <summary>The largest plan document accepted.</summary>
    public const long MaxDocumentBytes = 10 * 1024 * 1024;

    /// <summary>
    /// <c>GET /api/violations?status=&amp;supplierId=&amp;authority=&amp;dueFrom=&amp;dueTo=&amp;sort=&amp;limit=&amp;continuationToken=</c> —
    /// staff: one page of cases with their status now, and the token for the next page.
    /// </summary>
    [Function(nameof(ListViolations))]
    [RequireRole(Roles.Staff)]
    public async Task<IResult> ListViolations(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "violations")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var query = CaseQuery.Parse(name => request.Query[name].ToString());
        if (!query.IsValid)
        {
            return Problems.Validation(query.Errors);
        }

        if (query.Value!.SupplierId is { } supplierId && !RouteIds.AreUsable(supplierId))
        {
            return TypedResults.Ok(new CasePage([], null));
        }

        return TypedResults.Ok(await service.ListPageAsync(query.Value, cancellationToken));
    }

    /// <summary><c>GET /api/me/violations</c> — supplier: its own cases only.</summary>
    [Function(nameof(ListMyViolations))]
    [RequireRole(Roles.Supplier)]
    public async Task<IResult> ListMyViolations(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "me/violations")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var items = await service.ListAsync(null, Callers.SupplierId(request.HttpContext.User), cancellationToken);
        return TypedResults.Ok(new { items });
    }

    /// <summary><c>POST /api/me/violations/{recordId}/plans</c> — supplier: submits an improvement plan for its own case.</summary>
    [Function(nameof(SubmitPlan))]
    [RequireRole(Roles.Supplier)]
    public async Task<IResult> SubmitPlan(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "me/violations/{recordId}/plans")] HttpRequest request,
        string recordId,
        CancellationToken cancellationToken)
    {
        if (!BoundedBody.HasJsonMediaType(request))
        {
            return Problems.UnsupportedMediaType("application/json (UTF-8)");
        }

        await using var body = await BoundedBody.ReadAsync(request, MaxPlanBytes, cancellationToken);
        if (body is null)
        {
            return Problems.TooLarge(MaxPlanBytes);
        }

        var content = PlanSubmission.Parse(body.ToArray());
        if (!content.IsValid)
        {
            return Problems.Validation(content.Errors);
        }

        if (!RouteIds.AreUsable(recordId))
        {
            return NoSuchRecord(recordId);
        }

        return await service.SubmitAsync(Callers.SupplierId(request.HttpContext.User), recordId, content.Value!, cancellationToken) switch
        {
            PlanSubmissionResult.Submitted s => TypedResults.Json(
                new { planId = s.Plan.PlanId, submittedAt = s.Plan.SubmittedAt, late = s.Plan.Late, status = CaseStatus.PlanSubmitted },
                statusCode: StatusCodes.Status201Created),
            PlanSubmissionResult.Refused { Reason: SubmissionCheck.Removed } =>
                Problems.Conflict("The record is removed on the platform; the case is closed."),
            PlanSubmissionResult.Refused => Problems.Conflict("A plan for this case is already waiting for review."),
            _ => NoSuchRecord(recordId),
        };
    }

    /// <summary><c>PUT /api/me/violations/{recordId}/plans/{planId}/document</c> — supplier: the plan's PDF, stored as a blob.</summary>
    [Function(nameof(UploadPlanDocument))]
    [RequireRole(Roles.Supplier)]
    public async Task<IResult> UploadPlanDocument(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "me/violations/{recordId}/plans/{planId}/document")] HttpRequest request,
        string recordId,
        string planId,
        CancellationToken cancellationToken)
    {
        if (!BoundedBody.HasMediaType(request, "application/pdf"))
        {
            return Problems.UnsupportedMediaType("application/pdf");
        }

        var supplierId = Callers.SupplierId(request.HttpContext.User);
        if (!RouteIds.AreUsable(recordId, planId) || await service.FindPlanAsync(supplierId, recordId, planId, cancellationToken) is null)
        {
            return NoSuchPlan(recordId, planId);
        }

        await using var body = await BoundedBody.ReadAsync(request, MaxDocumentBytes, cancellationToken);
        if (body is null)
        {
            return Problems.TooLarge(MaxDocumentBytes);
        }

        if (PdfDocument.Check(body.GetBuffer().AsSpan(0, (int)body.Length)) is { } notPdf)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["body"] = [notPdf] }, "The body is not a PDF.");
        }

        return await service.AttachDocumentAsync(supplierId, recordId, planId, body, cancellationToken)
            ? TypedResults.NoContent()
            : NoSuchPlan(recordId, planId);
    }

    /// <summary><c>POST /api/violations/{supplierId}/{recordId}/plans/{planId}/review</c> — staff: approves or rejects a pending plan.</summary>
    [Function(nameof(ReviewPlan))]
    [RequireRole(Roles.Staff)]
    public async Task<IResult> ReviewPlan(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "violations/{supplierId}/{recordId}/plans/{planId}/review")] HttpRequest request,
        string supplierId,
        string recordId,
        string planId,
        CancellationToken cancellationToken)
    {
        if (!BoundedBody.HasJsonMediaType(request))
        {
            return Problems.UnsupportedMediaType("application/json (UTF-8)");
        }

        await using var body = await BoundedBody.ReadAsync(request, MaxReviewBytes, cancellationToken);
        if (body is null)
        {
            return Problems.TooLarge(MaxReviewBytes);
        }

        var review = PlanReviewRequest.Parse(body.GetBuffer().AsMemory(0, (int)body.Length));
        if (!review.IsValid)
        {
            return Problems.Validation(review.Errors);
        }

        if (!RouteIds.AreUsable(supplierId, recordId, planId))
        {
            return NoSuchCasePlan(supplierId, recordId, planId);
        }

        return await service.ReviewAsync(supplierId, recordId, planId, review.Value!, Callers.Actor(request.HttpContext.User), cancellationToken) switch
        {
            PlanReviewResult.Reviewed r => TypedResults.Ok(r.Case),
            PlanReviewResult.NotPending n => Problems.Conflict($"The plan is not pending review (it is {n.Current.ToString().ToLowerInvariant()})."),
            PlanReviewResult.CommentRequired => Problems.Validation(new Dictionary<string, string[]> { ["comment"] = ["comment is required to reject a plan."] }),
            _ => NoSuchCasePlan(supplierId, recordId, planId),
        };
    }

    /// <summary>
    /// <c>GET /api/violations/{supplierId}/{recordId}/plans/{planId}/document</c> — staff: the PDF a supplier uploaded
    /// for a plan, to read before reviewing it (an extension of the contract). 404 when there is no such plan or no PDF.
    /// </summary>
    [Function(nameof(GetPlanDocument))]
    [RequireRole(Roles.Staff)]
    public async Task<IResult> GetPlanDocument(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "violations/{supplierId}/{recordId}/plans/{planId}/document")] HttpRequest request,
        string supplierId,
        string recordId,
        string planId,
        CancellationToken cancellationToken)
    {
        var document = RouteIds.AreUsable(supplierId, recordId, planId)
            ? await service.OpenDocumentAsync(supplierId, recordId, planId, cancellationToken)
            : null;
        if (document is null)
        {
            return Problems.NotFound($"Plan '{planId}' of record '{recordId}' of '{supplierId}' has no uploaded document.");
        }

        // Never rendered in place, never sniffed into something else: a download, as a PDF only.
        request.HttpContext.Response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.Stream(document, "application/pdf", fileDownloadName: $"{recordId}-{planId}.pdf");
    }

    private static IResult NoSuchRecord(string recordId) => Problems.NotFound($"You have no violation record '{recordId}'.");

    private static IResult NoSuchPlan(string recordId, string planId) =>
        Problems.NotFound($"You have no plan '{planId}' for violation record '{recordId}'.");

    private static IResult NoSuchCasePlan(string supplierId, string recordId, string planId) =>
        Problems.NotFound($"No plan '{planId}' for case {supplierId}/{recordId}.");
}
