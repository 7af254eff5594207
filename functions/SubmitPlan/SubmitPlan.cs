using System.Security.Claims;
using DisclosurePipeline.Cases;
using DisclosurePipeline.Domain;
using DisclosurePipeline.Functions.Http;

namespace DisclosurePipeline.Functions.SubmitPlan;

/// <summary><c>POST /api/me/violations/{recordId}/plans</c> — supplier: submits an improvement plan for its own case.</summary>
internal static class SubmitPlanFunction
{
    public const string Name = "SubmitPlan";

    /// <summary>The largest plan body accepted.</summary>
    public const long MaxBodyBytes = 256 * 1024;

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost("/api/me/violations/{recordId}/plans", HandleAsync).WithName(Name).RequireAuthorization(Policies.Supplier);

    private static async Task<IResult> HandleAsync(string recordId, HttpRequest request, ClaimsPrincipal user, CaseService service, CancellationToken cancellationToken)
    {
        await using var body = await BoundedBody.ReadAsync(request, MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Problems.TooLarge(MaxBodyBytes);
        }

        var content = PlanSubmission.Parse(body.ToArray());
        if (!content.IsValid)
        {
            return Problems.Validation(content.Errors);
        }

        if (!RouteIds.AreUsable(recordId))
        {
            return NotYours(recordId);
        }

        return await service.SubmitAsync(Callers.SupplierId(user), recordId, content.Value!, cancellationToken) switch
        {
            PlanSubmissionResult.Submitted s => TypedResults.Json(
                new { planId = s.Plan.PlanId, submittedAt = s.Plan.SubmittedAt, late = s.Plan.Late, status = CaseStatus.PlanSubmitted },
                statusCode: StatusCodes.Status201Created),
            PlanSubmissionResult.Refused { Reason: SubmissionCheck.Removed } =>
                Problems.Conflict("The record is removed on the platform; the case is closed."),
            PlanSubmissionResult.Refused => Problems.Conflict("A plan for this case is already waiting for review."),
            _ => NotYours(recordId),
        };
    }

    private static IResult NotYours(string recordId) => Problems.NotFound($"You have no violation record '{recordId}'.");
}
