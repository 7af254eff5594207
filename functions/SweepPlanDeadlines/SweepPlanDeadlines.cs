using System.Text.Json.Nodes;
using DisclosurePipeline.Alerts;
using DisclosurePipeline.Functions.Protocol;

namespace DisclosurePipeline.Functions.SweepPlanDeadlines;

/// <summary>Timer, hourly at :05 (UTC): raises the alerts that apply now and queues them for delivery.</summary>
internal sealed class SweepPlanDeadlinesFunction(AlertSweep sweep) : ITriggeredFunction
{
    public const string Name = "SweepPlanDeadlines";

    public async Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        var outcome = await sweep.SweepAsync(cancellationToken);
        var response = new InvocationResponse();
        response.Logs.Add($"{outcome.CasesChecked} cases: {outcome.Raised} alerts raised, {outcome.AlreadyRaised} raised before, {outcome.Requeued} requeued");
        response.ReturnValue = new JsonObject { ["raised"] = outcome.Raised };
        return response;
    }
}
