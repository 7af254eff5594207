using System.Text.Json.Nodes;
using DisclosurePipeline.Functions.Protocol;
using DisclosurePipeline.Sync;

namespace DisclosurePipeline.Functions.ScheduleSupplierSync;

/// <summary>
/// Timer, hourly (UTC): a full sync of the registry once a day at <see cref="ScheduledSync.FullSyncHourUtc"/>
/// (or whenever the last full sync is too old), change-feed runs in between.
/// </summary>
internal sealed class ScheduleSupplierSyncFunction(ScheduledSync sync, TimeProvider clock) : ITriggeredFunction
{
    public const string Name = "ScheduleSupplierSync";

    public async Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        var forceFull = clock.GetUtcNow().Hour == ScheduledSync.FullSyncHourUtc;
        var run = await sync.RunAsync(forceFull, cancellationToken);
        var response = new InvocationResponse();
        response.Logs.Add(run is null
            ? "no registered entity changed on the platform; no run started"
            : $"sync run {run.RunId}: {run.EntitiesTotal} entities in {run.BatchesTotal} batches");
        response.ReturnValue = run is null ? null : new JsonObject { ["runId"] = run.RunId };
        return response;
    }
}
