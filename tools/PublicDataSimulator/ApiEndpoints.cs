using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace PublicDataSimulator;

/// <summary>The platform's contract v1 under <c>/v1</c>: API key, fault injection, the three endpoints.</summary>
internal static class ApiEndpoints
{
    public const int MaxIdsPerRequest = 100;
    public const int PageSize = 500;
    public const int MaxChangeLimit = 1000;

    public static void MapPlatformApi(this WebApplication app, SimulatorSettings settings)
    {
        var expectedKey = Encoding.UTF8.GetBytes(settings.ApiKey);
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal), v1 => v1.Use(async (context, next) =>
        {
            var faults = context.RequestServices.GetRequiredService<FaultInjector>();
            var (fault, faultSettings) = faults.Begin();
            try
            {
                if (faultSettings.LatencyMs > 0)
                {
                    await Task.Delay(faultSettings.LatencyMs, context.RequestAborted);
                }

                if (fault != Fault.None)
                {
                    await InjectAsync(context, fault, faultSettings);
                    return;
                }

                var key = context.Request.Headers["X-Api-Key"].ToString();
                if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), expectedKey))
                {
                    await Problems.Write(context, StatusCodes.Status401Unauthorized,
                        key.Length == 0 ? "the X-Api-Key header is missing" : "the API key is not valid");
                    return;
                }

                await next(context);
            }
            finally
            {
                faults.End(context.Response.StatusCode);
            }
        }));

        app.MapPost("/v1/violations:query", QueryViolationsAsync);
        app.MapPost("/v1/disclosures:query", QueryDisclosuresAsync);
        app.MapGet("/v1/changes", GetChanges);
    }

    private static Task InjectAsync(HttpContext context, Fault fault, FaultSettings settings)
    {
        if (fault == Fault.TooManyRequests)
        {
            context.Response.Headers.RetryAfter = settings.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return Problems.Write(context, StatusCodes.Status429TooManyRequests, "rate limit exceeded (injected fault)");
        }

        var status = fault switch
        {
            Fault.BadGateway => StatusCodes.Status502BadGateway,
            Fault.ServiceUnavailable => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status504GatewayTimeout,
        };
        return Problems.Write(context, status, "the platform is unavailable (injected fault)");
    }

    private static async Task<IResult> QueryViolationsAsync(HttpRequest request, PlatformStore store)
    {
        var (body, error) = await ReadAsync<ViolationsRequest>(request);
        if (error is not null)
        {
            return error;
        }

        if (Sort(body!.EnterpriseIds, store) is not { } sorted)
        {
            return Problems.BadRequest(IdsError(body.EnterpriseIds));
        }

        var (known, notFound, invalid) = sorted;
        var all = known.SelectMany(store.Records).ToList();
        var fingerprint = Fingerprint(known);
        var offset = 0;
        if (body.PageToken is { } token)
        {
            if (!TryParsePageToken(token, out offset, out var tokenFingerprint) || tokenFingerprint != fingerprint || offset > all.Count)
            {
                return Problems.BadRequest("pageToken is not valid for this request");
            }
        }

        var page = all.Skip(offset).Take(PageSize).Select(WireRecord.From).ToList();
        var next = offset + page.Count;
        return Results.Json(new ViolationsResponse(page, notFound, invalid, next < all.Count ? PageToken(next, fingerprint) : null));
    }

    private static async Task<IResult> QueryDisclosuresAsync(HttpRequest request, PlatformStore store)
    {
        var (body, error) = await ReadAsync<DisclosuresRequest>(request);
        if (error is not null)
        {
            return error;
        }

        if (body!.Year is not { } year || year is < 2000 or > 2100)
        {
            return Problems.BadRequest("year is required (2000..2100)");
        }

        if (Sort(body.EnterpriseIds, store) is not { } sorted)
        {
            return Problems.BadRequest(IdsError(body.EnterpriseIds));
        }

        var (known, notFound, invalid) = sorted;
        var items = known.Select(e =>
        {
            var (prtr, carbon) = store.Disclosures(e, year);
            return new DisclosureItem(e.Id, WireDisclosure.From(prtr), WireDisclosure.From(carbon));
        }).ToList();
        return Results.Json(new DisclosuresResponse(year, items, notFound, invalid));
    }

    private static IResult GetChanges(string? since, string? limit, PlatformStore store)
    {
        var count = MaxChangeLimit;
        if (limit is not null
            && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxChangeLimit))
        {
            return Problems.BadRequest("limit must be from 1 to 1000");
        }

        if (string.IsNullOrEmpty(since))
        {
            return Results.Json(new ChangesResponse([], store.CurrentCursor(), false));
        }

        var (status, changes, nextCursor, hasMore) = store.ReadChanges(since, count);
        return status switch
        {
            ChangeReadStatus.Malformed => Problems.BadRequest("since is not a valid cursor"),
            ChangeReadStatus.Expired => Problems.Result(StatusCodes.Status410Gone, "the cursor has expired; do a full sync and start again without since"),
            _ => Results.Json(new ChangesResponse(
                [.. changes.Select(c => new WireChange(c.EnterpriseId, c.Kind, c.ChangedAt))], nextCursor!, hasMore)),
        };
    }

    /// <summary>Splits the ids as the contract says: known, unknown (<c>notFound</c>), malformed (<c>invalid</c>); null if the list itself is bad.</summary>
    private static (List<SimEntity> Known, List<string> NotFound, List<string> Invalid)? Sort(List<string?>? ids, PlatformStore platform)
    {
        if (ids is null || ids.Count > MaxIdsPerRequest || ids.Any(id => id is null))
        {
            return null;
        }

        var known = new List<SimEntity>();
        var notFound = new List<string>();
        var invalid = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (!seen.Add(id!))
            {
                continue;
            }

            if (!DisclosurePipeline.Domain.Uscc.IsValid(id))
            {
                invalid.Add(id!);
            }
            else if (platform.FindOnPlatform(id!) is { } entity)
            {
                known.Add(entity);
            }
            else
            {
                notFound.Add(id!);
            }
        }

        return (known, notFound, invalid);
    }

    private static string IdsError(List<string?>? ids) => ids switch
    {
        null => "enterpriseIds is required",
        { Count: > MaxIdsPerRequest } => $"at most {MaxIdsPerRequest} enterpriseIds per request, not {ids.Count}",
        _ => "enterpriseIds must not hold null",
    };

    internal static async Task<(T? Body, IResult? Error)> ReadAsync<T>(HttpRequest request)
        where T : class
    {
        try
        {
            var body = await JsonSerializer.DeserializeAsync<T>(request.Body, JsonSerializerOptions.Web, request.HttpContext.RequestAborted);
            return body is null ? (null, Problems.BadRequest("a JSON body is required")) : (body, null);
        }
        catch (JsonException exception)
        {
            return (null, Problems.BadRequest("the body is not valid JSON: " + exception.Message));
        }
    }

    private static string Fingerprint(List<SimEntity> known)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in string.Join(',', known.Select(e => e.Id)))
        {
            hash = unchecked((hash ^ c) * 1099511628211UL);
        }

        return hash.ToString("x16", CultureInfo.InvariantCulture);
    }

    private static string PageToken(int offset, string fingerprint) =>
        System.Buffers.Text.Base64Url.EncodeToString(Encoding.ASCII.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"{offset}:{fingerprint}")));

    private static bool TryParsePageToken(string token, out int offset, out string fingerprint)
    {
        offset = 0;
        fingerprint = "";
        try
        {
            var parts = Encoding.ASCII.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token)).Split(':');
            if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out offset))
            {
                fingerprint = parts[1];
                return true;
            }
        }
        catch (FormatException)
        {
        }

        return false;
    }
}
