using DisclosurePipeline.Auth;
using DisclosurePipeline.Functions.Http;
using DisclosurePipeline.Registry;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace DisclosurePipeline.Functions;

/// <summary>The registry of subsidiaries and suppliers: the CSV import and supplier keys.</summary>
internal sealed class RegistryFunctions(RegistryImport import, SupplierKeyService keys)
{
    /// <summary>The largest CSV body accepted.</summary>
    public const long MaxImportBytes = 5 * 1024 * 1024;

    /// <summary>
    /// <c>PUT /api/suppliers</c> — staff: upserts the registry from a CSV file. One bad row never fails the
    /// file: it is reported with its record number (the first <see cref="RegistryImport.MaxRejectedListed"/>, and
    /// <c>rejectedTotal</c> counts them all); rows not in the file are left alone. A file that is not UTF-8 imports nothing.
    /// </summary>
    [Function(nameof(ImportSuppliers))]
    [RequireRole(Roles.Staff)]
    public async Task<IResult> ImportSuppliers(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "suppliers")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (!BoundedBody.HasMediaType(request, "text/csv", "application/csv"))
        {
            return Problems.UnsupportedMediaType("text/csv (UTF-8, header row first)");
        }

        if (Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            && type.Charset.HasValue && !type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return Problems.Result(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"The registry must be UTF-8, not {type.Charset}. {RegistryEncoding.SaveAsUtf8}");
        }

        await using var body = await BoundedBody.ReadAsync(request, MaxImportBytes, cancellationToken);
        if (body is null)
        {
            return Problems.TooLarge(MaxImportBytes);
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
                rejectedTotal = result.RejectedTotal,
            });
        }
        catch (RegistryEncodingException ex) when (ex.Unsupported)
        {
            return Problems.Result(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", ex.Message);
        }
        catch (RegistryEncodingException ex)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["body"] = [ex.Message] }, ex.Message);
        }
        catch (RegistryFormatException ex)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["body"] = [ex.Message] }, ex.Message);
        }
    }

    /// <summary><c>POST /api/suppliers/{id}/keys</c> — staff: issues a supplier key for a registered entity; the key is shown once.</summary>
    [Function(nameof(IssueSupplierKey))]
    [RequireRole(Roles.Staff)]
    public async Task<IResult> IssueSupplierKey(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "suppliers/{id}/keys")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var issued = RouteIds.AreUsable(id) ? await keys.IssueAsync(id, Callers.Actor(request.HttpContext.User), cancellationToken) : null;
        return issued is null
            ? Problems.NotFound($"No registered entity has id '{id}'.")
            : TypedResults.Json(new { supplierId = issued.Stored.SupplierId, key = issued.Key }, statusCode: StatusCodes.Status201Created);
    }
}
