using DisclosurePipeline.Auth;
using DisclosurePipeline.Functions.Http;
using DisclosurePipeline.Registry;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace DisclosurePipeline.Functions;

/// <summary>The registry of subsidiaries and suppliers: the CSV import, the lookup, deactivation and reactivation, supplier keys.</summary>
internal sealed class RegistryFunctions(RegistryService registry)
{
    /// <summary>The largest CSV body accepted.</summary>
    public const long MaxImportBytes = 5 * 1024 * 1024;

    /// <summary>
    /// <c>PUT /api/suppliers</c> — staff: upserts the registry from a CSV file. One bad row never fails the
    /// file: it is reported with its record number (the first <see cref="RegistryImport.MaxRejectedListed"/>, and
    /// <c>rejectedTotal</c> counts them all); rows not in the file are left alone. A file that is not UTF-8 imports
    /// nothing. The entities it created (and active ones never synced) are queued for a sync at once:
    /// <c>syncQueued</c> says how many, <c>syncRunId</c> in which run.
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
            var outcome = await registry.ImportAsync(body, cancellationToken);
            var result = outcome.Result;
            return TypedResults.Ok(new
            {
                created = result.Created,
                updated = result.Updated,
                unchanged = result.Unchanged,
                rejected = result.Rejected.Select(r => new { line = r.Line, id = r.Id, error = r.Error }),
                syncQueued = outcome.Run?.EntitiesTotal ?? 0,
                syncRunId = outcome.Run?.RunId,
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

    /// <summary>
    /// <c>GET /api/suppliers?kind=&amp;tier=&amp;status=&amp;q=&amp;limit=&amp;continuationToken=</c> — staff: one page of the
    /// registry in stored order, filtered, with the token for the next page.
    /// </summary>
    [Function(nameof(ListSuppliers))]
    [RequireRole(Roles.Staff)]
    public async Task<IResult> ListSuppliers(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "suppliers")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var query = RegistryQuery.Parse(name => request.Query[name].ToString());
        return query.IsValid
            ? TypedResults.Ok(await registry.ListPageAsync(query.Value!, cancellationToken))
            : Problems.Validation(query.Errors);
    }

    /// <summary><c>GET /api/suppliers/{id}</c> — staff: one entity with its status, disclosures for the target year, case counts, last sync and keys.</summary>
    [Function(nameof(GetSupplier))]
    [RequireRole(Roles.Staff)]
    public async Task<IResult> GetSupplier(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "suppliers/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var detail = RouteIds.AreUsable(id) ? await registry.GetAsync(id, cancellationToken) : null;
        return detail is null ? NoSuchEntity(id) : TypedResults.Ok(detail);
    }

    /// <summary>
    /// <c>DELETE /api/suppliers/{id}</c> — staff: deactivates the entity (it left the programme). Its cases, plans,
    /// history and keys are kept; it is no longer synced, alerted or counted and its keys stop working. Idempotent.
    /// </summary>
    [Function(nameof(DeactivateSupplier))]
    [RequireRole(Roles.Staff)]
    public async Task<IResult> DeactivateSupplier(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "suppliers/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var change = RouteIds.AreUsable(id) ? await registry.DeactivateAsync(id, Callers.Actor(request.HttpContext.User), cancellationToken) : null;
        return change?.Entity is { } entity
            ? TypedResults.Ok(new { id = entity.Id, status = EntityStatus.Inactive, statusChangedAt = entity.StatusChangedAt, changed = change.Changed })
            : NoSuchEntity(id);
    }

    /// <summary><c>POST /api/suppliers/{id}/reactivate</c> — staff: brings a deactivated entity back and queues its sync. Idempotent.</summary>
    [Function(nameof(ReactivateSupplier))]
    [RequireRole(Roles.Staff)]
    public async Task<IResult> ReactivateSupplier(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "suppliers/{id}/reactivate")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var change = RouteIds.AreUsable(id) ? await registry.ReactivateAsync(id, Callers.Actor(request.HttpContext.User), cancellationToken) : null;
        return change?.Entity is { } entity
            ? TypedResults.Ok(new { id = entity.Id, status = EntityStatus.Active, statusChangedAt = entity.StatusChangedAt, changed = change.Changed, syncRunId = change.Run?.RunId })
            : NoSuchEntity(id);
    }

    /// <summary><c>POST /api/suppliers/{id}/keys</c> — staff: issues a supplier key for an active registered entity; the key is shown once.</summary>
    [Function(nameof(IssueSupplierKey))]
    [RequireRole(Roles.Staff)]
    public async Task<IResult> IssueSupplierKey(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "suppliers/{id}/keys")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        if (!RouteIds.AreUsable(id))
        {
            return NoSuchEntity(id);
        }

        var issue = await registry.IssueKeyAsync(id, Callers.Actor(request.HttpContext.User), cancellationToken);
        return issue switch
        {
            { Status: KeyIssueStatus.Issued, Key: { } issued } => TypedResults.Json(
                new { supplierId = issued.Stored.SupplierId, key = issued.Key, keyId = issued.Stored.KeyId, issuedAt = issued.Stored.IssuedAt },
                statusCode: StatusCodes.Status201Created),
            { Status: KeyIssueStatus.Inactive } => Problems.Conflict($"Entity '{id}' is inactive: reactivate it before issuing a key."),
            _ => NoSuchEntity(id),
        };
    }

    /// <summary><c>GET /api/suppliers/{id}/keys</c> — staff: the entity's keys (ids and times only), oldest first, revoked ones included.</summary>
    [Function(nameof(ListSupplierKeys))]
    [RequireRole(Roles.Staff)]
    public async Task<IResult> ListSupplierKeys(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "suppliers/{id}/keys")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var items = RouteIds.AreUsable(id) ? await registry.ListKeysAsync(id, cancellationToken) : null;
        return items is null ? NoSuchEntity(id) : TypedResults.Ok(new { items });
    }

    /// <summary>
    /// <c>DELETE /api/suppliers/{id}/keys/{keyId}</c> — staff: revokes one of the entity's keys, effective on the next
    /// request on every instance. <c>204</c>, also when it was revoked already; <c>404</c> for a key not of this entity.
    /// </summary>
    [Function(nameof(RevokeSupplierKey))]
    [RequireRole(Roles.Staff)]
    public async Task<IResult> RevokeSupplierKey(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "suppliers/{id}/keys/{keyId}")] HttpRequest request,
        string id,
        string keyId,
        CancellationToken cancellationToken)
    {
        var outcome = RouteIds.AreUsable(id, keyId)
            ? await registry.RevokeKeyAsync(id, keyId, Callers.Actor(request.HttpContext.User), cancellationToken)
            : KeyRevocation.NotFound;
        return outcome == KeyRevocation.NotFound
            ? Problems.NotFound($"Entity '{id}' has no key '{keyId}'.")
            : TypedResults.NoContent();
    }

    private static IResult NoSuchEntity(string id) => Problems.NotFound($"No registered entity has id '{id}'.");
}
