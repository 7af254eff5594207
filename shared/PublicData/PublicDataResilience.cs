using System.Net;
using System.Threading.RateLimiting;
using DisclosurePipeline.Configuration;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace DisclosurePipeline.PublicData;

/// <summary>
/// The public data client's resilience handler (<c>AddResilienceHandler</c>; one pipeline per process, so the
/// circuit breaker's state and the concurrency cap are shared by every client instance). Outer to inner: retry
/// (jittered exponential backoff, or the server's <c>Retry-After</c>) on 429/502/503/504, transport errors and attempt
/// timeouts; circuit breaker on outages; the one cap on requests in flight (a request waiting out a backoff holds no
/// slot); per-attempt timeout.
/// </summary>
internal static class PublicDataResilience
{
    /// <summary>The resilience handler's name.</summary>
    public const string PipelineName = "PublicData";

    /// <summary>Longest wait a <c>Retry-After</c> can impose; beyond that a function would just time out.</summary>
    internal static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(2);

    /// <summary>Cap of the computed exponential backoff.</summary>
    internal static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>Adds the strategies to <paramref name="builder"/>.</summary>
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, PublicDataOptions settings, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(timeProvider);
        builder.TimeProvider = timeProvider;
        if (settings.MaxAttempts > 1)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = settings.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.RetryBaseDelay,
                MaxDelay = MaxBackoff,
                ShouldRetryAfterHeader = false,
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                DelayGenerator = args => ValueTask.FromResult(ServerRequestedDelay(args.Outcome, timeProvider.GetUtcNow())),
                OnRetry = args =>
                {
                    PublicDataLog.Retrying(logger, Operation(args.Outcome), args.AttemptNumber + 1, Describe(args.Outcome), args.RetryDelay);
                    return default;
                },
            });
        }

        builder.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            // Throttling (429) is the platform working as designed, so it does not count; outages do.
            ShouldHandle = args => ValueTask.FromResult(IsOutage(args.Outcome)),
            FailureRatio = 0.5,
            MinimumThroughput = 20,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = TimeSpan.FromSeconds(5),
            OnOpened = args =>
            {
                PublicDataLog.CircuitOpened(logger, args.BreakDuration, Describe(args.Outcome));
                return default;
            },
            OnClosed = _ =>
            {
                PublicDataLog.CircuitClosed(logger);
                return default;
            },
        });

        builder.AddConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = settings.MaxConcurrentRequests,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        builder.AddTimeout(settings.AttemptTimeout);
    }

    private static string Operation(Outcome<HttpResponseMessage> outcome) =>
        outcome.Result?.RequestMessage?.RequestUri?.AbsolutePath.Split('/').LastOrDefault() is { Length: > 0 } op ? op : "request";

    /// <summary>The statuses the contract calls transient.</summary>
    internal static bool IsTransientStatus(HttpStatusCode status) => status is HttpStatusCode.TooManyRequests
        or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    /// <summary>Worth another attempt: a transient status, a transport failure, an attempt timeout, an open circuit.</summary>
    internal static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome.Exception switch
    {
        HttpRequestException or TimeoutRejectedException or BrokenCircuitException => true,
        null => outcome.Result is { } response && IsTransientStatus(response.StatusCode),
        _ => false,
    };

    private static bool IsOutage(Outcome<HttpResponseMessage> outcome) => outcome.Exception switch
    {
        HttpRequestException or TimeoutRejectedException => true,
        null => outcome.Result is { StatusCode: HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout },
        _ => false,
    };

    /// <summary>
    /// The wait the server asked for (<c>Retry-After</c> as delta seconds or an HTTP date), or the time
    /// until an open circuit half-opens; null: use the jittered backoff.
    /// </summary>
    internal static TimeSpan? ServerRequestedDelay(Outcome<HttpResponseMessage> outcome, DateTimeOffset now)
    {
        TimeSpan? delay = outcome.Exception is BrokenCircuitException broken
            ? broken.RetryAfter
            : outcome.Result?.Headers.RetryAfter switch
            {
                { Delta: { } delta } => delta,
                { Date: { } date } => date - now,
                _ => null,
            };

        if (delay is not { } wait)
        {
            return null;
        }

        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxRetryAfter ? MaxRetryAfter : wait;
    }

    /// <summary>A short reason for logs: a status code or an exception type, never a message or payload.</summary>
    internal static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is { } exception
            ? exception.GetType().Name
            : outcome.Result is { } response ? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : "no response";
}
