using System.Security.Claims;
using DisclosurePipeline.Cases;
using DisclosurePipeline.Domain;
using DisclosurePipeline.Functions.Http;

namespace DisclosurePipeline.Functions.ReviewPlan;

/// <summary><c>POST /api/violations/{supplierId}/{recordId}/plans/{planId}/review</c> — staff: approves or rejects a pending plan.</summary>
internal static class ReviewPlanFunction
{
    public const string Name = "ReviewPlan";

    /// <summary>The largest review body accepted (a 4000-character comment with room to spare).</summary>
    public const long MaxBodyBytes = 64 * 1024;

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost("/api/violations/{supplierId}/{recordId}/plans/{planId}/review", HandleAsync).WithName(Name).RequireAuthorization(Policies.Staff);

    private static async Task<IResult> HandleAsync(
        string supplierId, string recordId, string planId, HttpRequest request, ClaimsPrincipal user, CaseService service, CancellationToken cancellationToken)
    {
        await using var body = await BoundedBody.ReadAsync(request, MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Problems.TooLarge(MaxBodyBytes);
        }

        var review = PlanReviewRequest.Parse(System.Text.Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length));
        if (!review.IsValid)
        {
            return Problems.Validation(review.Errors);
        }

        if (!RouteIds.AreUsable(supplierId, recordId, planId))
        {
            return NotFound(supplierId, recordId, planId);
        }

        return await service.ReviewAsync(supplierId, recordId, planId, review.Value!, Callers.Actor(user), cancellationToken) switch
        {
            PlanReviewResult.Reviewed r => TypedResults.Ok(r.Case),
            PlanReviewResult.NotPending n => Problems.Conflict($"The plan is not pending review (it is {n.Current.ToString().ToLowerInvariant()})."),
            PlanReviewResult.CommentRequired => Problems.Validation(new Dictionary<string, string[]> { ["comment"] = ["comment is required to reject a plan."] }),
            _ => NotFound(supplierId, recordId, planId),
        };
    }

    private static IResult NotFound(string supplierId, string recordId, string planId) =>
        Problems.NotFound($"No plan '{planId}' for case {supplierId}/{recordId}.");
}
