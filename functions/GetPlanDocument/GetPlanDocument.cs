using DisclosurePipeline.Cases;
using DisclosurePipeline.Functions.Http;

namespace DisclosurePipeline.Functions.GetPlanDocument;

/// <summary>
/// <c>GET /api/violations/{supplierId}/{recordId}/plans/{planId}/document</c> — staff: the PDF a supplier uploaded
/// for a plan, to read before reviewing it (an extension of the contract). 404 when there is no such plan or no PDF.
/// </summary>
internal static class GetPlanDocumentFunction
{
    public const string Name = "GetPlanDocument";

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/violations/{supplierId}/{recordId}/plans/{planId}/document", HandleAsync).WithName(Name).RequireAuthorization(Policies.Staff);

    private static async Task<IResult> HandleAsync(
        string supplierId, string recordId, string planId, CaseService service, CancellationToken cancellationToken)
    {
        var document = RouteIds.AreUsable(supplierId, recordId, planId)
            ? await service.OpenDocumentAsync(supplierId, recordId, planId, cancellationToken)
            : null;
        return document is null
            ? Problems.NotFound($"Plan '{planId}' of record '{recordId}' of '{supplierId}' has no uploaded document.")
            : TypedResults.Stream(document, "application/pdf", fileDownloadName: $"{recordId}-{planId}.pdf");
    }
}
