using System.Security.Claims;
using DisclosurePipeline.Cases;
using DisclosurePipeline.Functions.Http;

namespace DisclosurePipeline.Functions.UploadPlanDocument;

/// <summary><c>PUT /api/me/violations/{recordId}/plans/{planId}/document</c> — supplier: the plan's PDF, stored as a blob.</summary>
internal static class UploadPlanDocumentFunction
{
    public const string Name = "UploadPlanDocument";

    /// <summary>The largest document accepted.</summary>
    public const long MaxBodyBytes = 10 * 1024 * 1024;

    private static readonly byte[] PdfMagic = "%PDF-"u8.ToArray();

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPut("/api/me/violations/{recordId}/plans/{planId}/document", HandleAsync).WithName(Name).RequireAuthorization(Policies.Supplier);

    private static async Task<IResult> HandleAsync(
        string recordId, string planId, HttpRequest request, ClaimsPrincipal user, CaseService service, CancellationToken cancellationToken)
    {
        if (!BoundedBody.HasMediaType(request, "application/pdf"))
        {
            return Problems.UnsupportedMediaType("application/pdf");
        }

        var supplierId = Callers.SupplierId(user);
        if (!RouteIds.AreUsable(recordId, planId) || await service.FindPlanAsync(supplierId, recordId, planId, cancellationToken) is null)
        {
            return NotYours(recordId, planId);
        }

        await using var body = await BoundedBody.ReadAsync(request, MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Problems.TooLarge(MaxBodyBytes);
        }

        if (!body.GetBuffer().AsSpan(0, (int)body.Length).StartsWith(PdfMagic))
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["body"] = ["The document must be a PDF (starting with %PDF-)."] }, "The body is not a PDF.");
        }

        return await service.AttachDocumentAsync(supplierId, recordId, planId, body, cancellationToken)
            ? TypedResults.NoContent()
            : NotYours(recordId, planId);
    }

    private static IResult NotYours(string recordId, string planId) =>
        Problems.NotFound($"You have no plan '{planId}' for violation record '{recordId}'.");
}
