using DisclosurePipeline.Functions.Http;
using DisclosurePipeline.Storage;

namespace DisclosurePipeline.Functions.GetLatestSyncRun;

/// <summary><c>GET /api/sync-runs/latest</c> — staff: the most recently started sync run and its counters.</summary>
internal static class GetLatestSyncRunFunction
{
    public const string Name = "GetLatestSyncRun";

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/sync-runs/latest", HandleAsync).WithName(Name).RequireAuthorization(Policies.Staff);

    private static async Task<IResult> HandleAsync(ISyncRunStore runs, CancellationToken cancellationToken)
    {
        var run = await runs.GetLatestAsync(cancellationToken);
        return run is null
            ? Problems.NotFound("No sync run has started yet.")
            : TypedResults.Ok(new
            {
                runId = run.RunId,
                status = run.Status,
                startedAt = run.StartedAt,
                finishedAt = run.FinishedAt,
                entitiesTotal = run.EntitiesTotal,
                entitiesSynced = run.EntitiesSynced,
                entitiesFailed = run.EntitiesFailed,
                batchesTotal = run.BatchesTotal,
                batchesDone = run.BatchesDone,
            });
    }
}
