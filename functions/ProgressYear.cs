using System.Globalization;
using DisclosurePipeline.Configuration;
using DisclosurePipeline.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace DisclosurePipeline.Functions;

/// <summary>The <c>year</c> query parameter of the progress endpoints: default the target year in force now.</summary>
internal sealed class ProgressYear(IOptions<TargetsOptions> targets, IOptions<PipelineOptions> pipeline, TimeProvider time)
{
    public const int MinYear = 1000;
    public const int MaxYear = 9999;

    /// <summary>The year asked for, or the current target year when none; false with a 400 problem when it is not a year.</summary>
    public bool TryResolve(string? value, out int year, out IResult invalid)
    {
        invalid = null!;
        if (string.IsNullOrEmpty(value))
        {
            year = targets.Value.YearAt(time.GetUtcNow(), pipeline.Value.ResolveZone());
            return true;
        }

        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out year) && year is >= MinYear and <= MaxYear)
        {
            return true;
        }

        invalid = Problems.Validation(
            new Dictionary<string, string[]> { ["year"] = [$"year must be a four-digit year ({MinYear}..{MaxYear})."] },
            "The year is not valid.");
        return false;
    }

    public static IResult NotRolledUp(int year) =>
        Problems.NotFound($"Progress for {year} has not been rolled up (RollupProgress covers the target year).");
}
