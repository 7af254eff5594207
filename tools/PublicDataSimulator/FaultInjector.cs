using System.Collections.Concurrent;

namespace PublicDataSimulator;

/// <summary>What the simulator does to <c>/v1</c> requests besides answering them (<c>PUT /sim/faults</c>).</summary>
internal sealed record FaultSettings(double Rate429 = 0, double Rate5xx = 0, int LatencyMs = 0, int RetryAfterSeconds = 1)
{
    public string? Validate() =>
        Rate429 is < 0 or > 1 ? "rate429 must be from 0 to 1"
        : Rate5xx is < 0 or > 1 ? "rate5xx must be from 0 to 1"
        : Rate429 + Rate5xx > 1 ? "rate429 + rate5xx must not exceed 1"
        : LatencyMs is < 0 or > 60_000 ? "latencyMs must be from 0 to 60000"
        : RetryAfterSeconds is < 0 or > 3600 ? "retryAfterSeconds must be from 0 to 3600"
        : null;
}

/// <summary>The fault that a request draws.</summary>
internal enum Fault
{
    None,
    TooManyRequests,
    BadGateway,
    ServiceUnavailable,
    GatewayTimeout,
}

/// <summary>
/// Injects faults with a seeded generator (the shares are what matter, the sequence is reproducible for one
/// request order) and counts what the API served, so tests can see that a client retried.
/// </summary>
internal sealed class FaultInjector(int seed)
{
    private readonly Lock gate = new();
    private readonly ConcurrentDictionary<int, long> byStatus = new();
    private SplitMix random = new((ulong)(uint)seed * 0x2545_F491_4F6C_DD1DUL);
    private FaultSettings settings = new();
    private long requests;
    private long injected429;
    private long injected5xx;
    private long inFlight;
    private long maxInFlight;

    public FaultSettings Settings
    {
        get
        {
            lock (gate)
            {
                return settings;
            }
        }

        set
        {
            lock (gate)
            {
                settings = value;
            }
        }
    }

    /// <summary>Counts a request in and draws its fault.</summary>
    public (Fault Fault, FaultSettings Settings) Begin()
    {
        Interlocked.Increment(ref requests);
        var now = Interlocked.Increment(ref inFlight);
        var max = Interlocked.Read(ref maxInFlight);
        while (now > max && Interlocked.CompareExchange(ref maxInFlight, now, max) != max)
        {
            max = Interlocked.Read(ref maxInFlight);
        }

        lock (gate)
        {
            var roll = random.NextDouble();
            var fault = roll < settings.Rate429 ? Fault.TooManyRequests
                : roll < settings.Rate429 + settings.Rate5xx ? (Fault)((int)Fault.BadGateway + random.Next(3))
                : Fault.None;
            if (fault == Fault.TooManyRequests)
            {
                injected429++;
            }
            else if (fault != Fault.None)
            {
                injected5xx++;
            }

            return (fault, settings);
        }
    }

    /// <summary>Counts a request out with the status it was answered with.</summary>
    public void End(int status)
    {
        Interlocked.Decrement(ref inFlight);
        byStatus.AddOrUpdate(status, 1, (_, n) => n + 1);
    }

    public object Stats()
    {
        lock (gate)
        {
            return new
            {
                requests = Interlocked.Read(ref requests),
                injected429,
                injected5xx,
                inFlight = Interlocked.Read(ref inFlight),
                maxInFlight = Interlocked.Read(ref maxInFlight),
                byStatus = byStatus.OrderBy(p => p.Key).ToDictionary(
                    p => p.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), p => p.Value),
            };
        }
    }

    public void ResetStats()
    {
        lock (gate)
        {
            Interlocked.Exchange(ref requests, 0);
            injected429 = 0;
            injected5xx = 0;
            Interlocked.Exchange(ref maxInFlight, Interlocked.Read(ref inFlight));
            byStatus.Clear();
        }
    }
}
