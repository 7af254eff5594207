using System.Globalization;
using System.Text.Json.Nodes;
using DisclosurePipeline.Functions.Protocol;
using DisclosurePipeline.Progress;

namespace DisclosurePipeline.Functions.RollupProgress;

/// <summary>Timer, hourly at a quarter past: rolls up the target year's progress into the analysts' tables.</summary>
internal sealed class RollupProgressFunction(ProgressRollupService rollup) : ITriggeredFunction
{
    public const string Name = "RollupProgress";

    public async Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        var result = await rollup.RunAsync(cancellationToken);
        var report = result.Report;
        var response = new InvocationResponse();
        response.Logs.Add(string.Create(
            CultureInfo.InvariantCulture,
            $"progress {report.Year} as of {report.AsOf:O}: prtr {report.Prtr.Completed}/{report.Prtr.Target}, carbon {report.Carbon.Completed}/{report.Carbon.Target}; "
            + $"entity rows written {result.EntityRows.Written}, deleted {result.EntityRows.Deleted}, unchanged {result.EntityRows.Unchanged}"));
        response.ReturnValue = new JsonObject
        {
            ["year"] = report.Year,
            ["prtrCompleted"] = report.Prtr.Completed,
            ["carbonCompleted"] = report.Carbon.Completed,
        };
        return response;
    }
}
