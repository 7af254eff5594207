using DisclosurePipeline.Functions.Http;
using DisclosurePipeline.Progress;
using DisclosurePipeline.Storage;

namespace DisclosurePipeline.Functions.GetProgressEntities;

/// <summary>
/// <c>GET /api/progress/entities?year=&amp;format=json|csv</c> — analyst or staff: one row per registered
/// entity as of the year's latest rollup; as JSON (<c>{"items":[…]}</c>, the default) or as a CSV download
/// (UTF-8 with BOM, for Excel). 404 for a year not rolled up.
/// </summary>
internal static class GetProgressEntitiesFunction
{
    public const string Name = "GetProgressEntities";

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/progress/entities", HandleAsync).WithName(Name).RequireAuthorization(Policies.AnalystOrStaff);

    private static async Task<IResult> HandleAsync(string? year, string? format, ProgressYear years, IProgressStore progress, CancellationToken cancellationToken)
    {
        var csv = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase);
        if (!csv && format is not null && !string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["format"] = ["format must be json or csv."] });
        }

        if (!years.TryResolve(year, out var y, out var invalid))
        {
            return invalid;
        }

        // The "latest" row says whether the year was rolled up (an empty registry still has one).
        if (await progress.GetLatestAsync(y, cancellationToken) is null)
        {
            return ProgressYear.NotRolledUp(y);
        }

        var rows = await progress.ListEntityStatusAsync(y, cancellationToken);
        if (!csv)
        {
            return TypedResults.Ok(new { items = rows });
        }

        using var buffer = new MemoryStream();
        await EntityProgressCsv.WriteCsvAsync(buffer, rows, cancellationToken);
        return TypedResults.File(buffer.ToArray(), EntityProgressCsv.ContentType, $"entities-{y}.csv");
    }
}
