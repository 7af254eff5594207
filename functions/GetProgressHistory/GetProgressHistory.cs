using DisclosurePipeline.Functions.Http;
using DisclosurePipeline.Storage;

namespace DisclosurePipeline.Functions.GetProgressHistory;

/// <summary>
/// <c>GET /api/progress/history?year=</c> — analyst or staff: the completed counts of every rollup of the
/// year, oldest first, for the trend line (404 for a year not rolled up).
/// </summary>
internal static class GetProgressHistoryFunction
{
    public const string Name = "GetProgressHistory";

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/progress/history", HandleAsync).WithName(Name).RequireAuthorization(Policies.AnalystOrStaff);

    private static async Task<IResult> HandleAsync(string? year, ProgressYear years, IProgressStore progress, CancellationToken cancellationToken)
    {
        if (!years.TryResolve(year, out var y, out var invalid))
        {
            return invalid;
        }

        var snapshots = await progress.ListSnapshotsAsync(y, cancellationToken);
        return snapshots.Count == 0
            ? ProgressYear.NotRolledUp(y)
            : TypedResults.Ok(new { items = snapshots });
    }
}
