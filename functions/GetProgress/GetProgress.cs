using DisclosurePipeline.Functions.Http;
using DisclosurePipeline.Storage;

namespace DisclosurePipeline.Functions.GetProgress;

/// <summary><c>GET /api/progress?year=</c> — analyst or staff: the year's latest rollup (404 before one).</summary>
internal static class GetProgressFunction
{
    public const string Name = "GetProgress";

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/progress", HandleAsync).WithName(Name).RequireAuthorization(Policies.AnalystOrStaff);

    private static async Task<IResult> HandleAsync(string? year, ProgressYear years, IProgressStore progress, CancellationToken cancellationToken)
    {
        if (!years.TryResolve(year, out var y, out var invalid))
        {
            return invalid;
        }

        var report = await progress.GetLatestAsync(y, cancellationToken);
        return report is null ? ProgressYear.NotRolledUp(y) : TypedResults.Ok(report);
    }
}
