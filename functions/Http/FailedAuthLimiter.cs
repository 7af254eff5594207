using System.Threading.RateLimiting;

namespace DisclosurePipeline.Functions.Http;

/// <summary>
/// Counts failed authentications (answers 401) per client address in fixed windows: a client with
/// <see cref="PermitLimit"/> failures in the current <see cref="Window"/> is blocked until the window ends. Other
/// clients are never affected. Idle clients are forgotten by the partitioned limiter.
/// </summary>
internal sealed class FailedAuthLimiter : IDisposable
{
    /// <summary>Failed authentications a client may have per window.</summary>
    public const int PermitLimit = 10;

    /// <summary>The window failures are counted in.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly PartitionedRateLimiter<string> failures = PartitionedRateLimiter.Create<string, string>(
        client => RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = PermitLimit,
            Window = Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        }),
        StringComparer.Ordinal);

    /// <summary>Whether <paramref name="client"/> used up its failures in this window, and for how long it stays blocked.</summary>
    public bool IsBlocked(string client, out TimeSpan retryAfter)
    {
        using var lease = failures.AttemptAcquire(client, 0);
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : Window;
        return !lease.IsAcquired;
    }

    /// <summary>Counts one failed authentication; true when it used up the client's last one in this window.</summary>
    public bool RecordFailure(string client)
    {
        using (failures.AttemptAcquire(client, 1))
        {
        }

        return failures.GetStatistics(client)?.CurrentAvailablePermits == 0;
    }

    public void Dispose() => failures.Dispose();
}
