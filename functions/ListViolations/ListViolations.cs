using DisclosurePipeline.Cases;
using DisclosurePipeline.Domain;
using DisclosurePipeline.Functions.Http;

namespace DisclosurePipeline.Functions.ListViolations;

/// <summary><c>GET /api/violations?status=&amp;supplierId=</c> — staff: every case, optionally filtered, with its status now.</summary>
internal static class ListViolationsFunction
{
    public const string Name = "ListViolations";

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/violations", HandleAsync).WithName(Name).RequireAuthorization(Policies.Staff);

    /// <summary>The contract's status words.</summary>
    public static bool TryParseStatus(string text, out CaseStatus status)
    {
        CaseStatus? parsed = text switch
        {
            "open" => CaseStatus.Open,
            "overdue" => CaseStatus.Overdue,
            "plan_submitted" => CaseStatus.PlanSubmitted,
            "plan_approved" => CaseStatus.PlanApproved,
            "removed" => CaseStatus.Removed,
            _ => null,
        };
        status = parsed ?? default;
        return parsed is not null;
    }

    private static async Task<IResult> HandleAsync(HttpRequest request, CaseService service, CancellationToken cancellationToken)
    {
        CaseStatus? status = null;
        if (request.Query.TryGetValue("status", out var statusText) && !string.IsNullOrEmpty(statusText))
        {
            if (!TryParseStatus(statusText.ToString(), out var parsed))
            {
                return Problems.Validation(
                    new Dictionary<string, string[]> { ["status"] = ["status must be one of open, overdue, plan_submitted, plan_approved, removed."] },
                    $"Unknown status '{statusText}'.");
            }

            status = parsed;
        }

        string? supplierId = request.Query["supplierId"].ToString() is { Length: > 0 } id ? id : null;
        if (supplierId is not null && !RouteIds.AreUsable(supplierId))
        {
            return TypedResults.Ok(new { items = Array.Empty<CaseView>() });
        }

        var items = await service.ListAsync(status, supplierId, cancellationToken);
        return TypedResults.Ok(new { items });
    }
}
