using DisclosurePipeline.Functions.Http;
using DisclosurePipeline.Registry;

namespace DisclosurePipeline.Functions.ImportSuppliers;

/// <summary>
/// <c>PUT /api/suppliers</c> — staff: upserts the registry from a CSV file. One bad row never fails the
/// file: it is reported with its record number; rows not in the file are left alone.
/// </summary>
internal static class ImportSuppliersFunction
{
    public const string Name = "ImportSuppliers";

    /// <summary>The largest CSV body accepted.</summary>
    public const long MaxBodyBytes = 5 * 1024 * 1024;

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPut("/api/suppliers", HandleAsync).WithName(Name).RequireAuthorization(Policies.Staff);

    private static async Task<IResult> HandleAsync(HttpRequest request, RegistryImport import, CancellationToken cancellationToken)
    {
        if (!BoundedBody.HasMediaType(request, "text/csv", "application/csv"))
        {
            return Problems.UnsupportedMediaType("text/csv (UTF-8, header row first)");
        }

        await using var body = await BoundedBody.ReadAsync(request, MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Problems.TooLarge(MaxBodyBytes);
        }

        try
        {
            var result = await import.ImportAsync(body, cancellationToken);
            return TypedResults.Ok(new
            {
                created = result.Created,
                updated = result.Updated,
                unchanged = result.Unchanged,
                rejected = result.Rejected.Select(r => new { line = r.Line, id = r.Id, error = r.Error }),
            });
        }
        catch (RegistryFormatException ex)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["body"] = [ex.Message] }, ex.Message);
        }
    }
}
