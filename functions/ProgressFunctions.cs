using DisclosurePipeline.Functions.Http;
using DisclosurePipeline.Progress;
using DisclosurePipeline.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace DisclosurePipeline.Functions;

/// <summary>The analysts' side: the hourly rollup into the status tables, the progress endpoints, the dashboard page.</summary>
internal sealed partial class ProgressFunctions(ProgressRollupService rollup, IProgressStore progress, ProgressYear years, ILogger<ProgressFunctions> logger)
{
    /// <summary>Timer, hourly at a quarter past (UTC): rolls up the target year's progress into the analysts' tables.</summary>
    [Function(nameof(RollupProgress))]
    public async Task RollupProgress([TimerTrigger("0 15 * * * *", UseMonitor = true)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var result = await rollup.RunAsync(cancellationToken);
        var report = result.Report;
        Log.RolledUp(logger, report.Year, report.AsOf, report.Prtr.Completed, report.Prtr.Target, report.Carbon.Completed, report.Carbon.Target,
            result.EntityRows.Written, result.EntityRows.Deleted, result.EntityRows.Unchanged);
    }

    /// <summary><c>GET /api/progress?year=</c> — analyst or staff: the year's latest rollup (404 before one).</summary>
    [Function(nameof(GetProgress))]
    [RequireRole(Roles.Staff, Roles.Analyst)]
    public async Task<IResult> GetProgress(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "progress")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (!years.TryResolve(request.Query["year"], out var year, out var invalid))
        {
            return invalid;
        }

        var report = await progress.GetLatestAsync(year, cancellationToken);
        return report is null ? ProgressYear.NotRolledUp(year) : TypedResults.Ok(report);
    }

    /// <summary>
    /// <c>GET /api/progress/entities?year=&amp;format=json|csv</c> — analyst or staff: one row per registered
    /// entity as of the year's latest rollup; as JSON (<c>{"items":[…]}</c>, the default) or as a CSV download
    /// (UTF-8 with BOM, for Excel). 404 for a year not rolled up.
    /// </summary>
    [Function(nameof(GetProgressEntities))]
    [RequireRole(Roles.Staff, Roles.Analyst)]
    public async Task<IResult> GetProgressEntities(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "progress/entities")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        string? format = request.Query["format"];
        var csv = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase);
        if (!csv && format is not null && !string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["format"] = ["format must be json or csv."] });
        }

        if (!years.TryResolve(request.Query["year"], out var year, out var invalid))
        {
            return invalid;
        }

        // The "latest" row says whether the year was rolled up (an empty registry still has one).
        if (await progress.GetLatestAsync(year, cancellationToken) is null)
        {
            return ProgressYear.NotRolledUp(year);
        }

        var rows = await progress.ListEntityStatusAsync(year, cancellationToken);
        if (!csv)
        {
            return TypedResults.Ok(new { items = rows });
        }

        using var buffer = new MemoryStream();
        await EntityProgressCsv.WriteCsvAsync(buffer, rows, cancellationToken);
        return TypedResults.File(buffer.ToArray(), EntityProgressCsv.ContentType, $"entities-{year}.csv");
    }

    /// <summary>
    /// <c>GET /api/progress/history?year=</c> — analyst or staff: the completed counts of every rollup of the
    /// year, oldest first, for the trend line (404 for a year not rolled up).
    /// </summary>
    [Function(nameof(GetProgressHistory))]
    [RequireRole(Roles.Staff, Roles.Analyst)]
    public async Task<IResult> GetProgressHistory(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "progress/history")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (!years.TryResolve(request.Query["year"], out var year, out var invalid))
        {
            return invalid;
        }

        var snapshots = await progress.ListSnapshotsAsync(year, cancellationToken);
        return snapshots.Count == 0
            ? ProgressYear.NotRolledUp(year)
            : TypedResults.Ok(new { items = snapshots });
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5401, Level = LogLevel.Information,
            Message = "Progress {Year} as of {AsOf:O}: prtr {Prtr}/{PrtrTarget}, carbon {Carbon}/{CarbonTarget}; entity rows written {Written}, deleted {Deleted}, unchanged {Unchanged}")]
        public static partial void RolledUp(ILogger logger, int year, DateTimeOffset asOf, int prtr, int prtrTarget, int carbon, int carbonTarget, int written, int deleted, int unchanged);
    }
}
