using System.Globalization;

namespace DisclosurePipeline.Alerts;

/// <summary>
/// When daily digests are due: the digest of local day <c>D</c> is due from <c>D</c> at the digest time in the
/// pipeline's zone (its cutoff), and covers the <c>plan_overdue</c> alerts raised from the previous digest's cutoff
/// (inclusive) to its own (exclusive). An alert raised exactly at a cutoff belongs to the next digest.
/// </summary>
/// <param name="at">The local time of day (<c>Alerts__Digest</c>).</param>
/// <param name="zone">The pipeline's zone (<c>Pipeline__TimeZone</c>).</param>
public sealed class DigestSchedule(TimeOnly at, TimeZoneInfo zone)
{
    /// <summary>How every digest id starts; alert ids start with their type, so the two never collide.</summary>
    public const string IdPrefix = "digest-";

    /// <summary>The deterministic id of the digest of <paramref name="day"/>: <c>digest-yyyy-MM-dd</c>.</summary>
    public static string IdFor(DateOnly day) => IdPrefix + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>True when <paramref name="id"/> names a digest rather than an alert.</summary>
    public static bool IsDigestId(string id) => id is not null && id.StartsWith(IdPrefix, StringComparison.Ordinal);

    /// <summary>The instant of <paramref name="day"/>'s digest time; a local time skipped by a clock change moves to the first valid minute after it.</summary>
    public DateTimeOffset CutoffOf(DateOnly day)
    {
        var local = day.ToDateTime(at, DateTimeKind.Unspecified);
        for (var i = 0; i < 240 && zone.IsInvalidTime(local); i++)
        {
            local = local.AddMinutes(1);
        }

        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
    }

    /// <summary>The latest day whose digest is due at <paramref name="now"/>: today when its cutoff has passed, else yesterday.</summary>
    public DateOnly LatestDueDay(DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        return now >= CutoffOf(today) ? today : today.AddDays(-1);
    }
}
