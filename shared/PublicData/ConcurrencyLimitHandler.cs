using System.Threading.RateLimiting;
using DisclosurePipeline.Configuration;
using Microsoft.Extensions.Options;

namespace DisclosurePipeline.PublicData;

/// <summary>The process-wide cap on public data requests in flight (a singleton shared by every handler instance).</summary>
internal sealed class PublicDataConcurrencyLimit(IOptions<PublicDataOptions> options) : IDisposable
{
    public ConcurrencyLimiter Limiter { get; } = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = options.Value.MaxConcurrentRequests,
        QueueLimit = int.MaxValue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    public void Dispose() => Limiter.Dispose();
}

/// <summary>
/// Holds a permit of <see cref="PublicDataConcurrencyLimit"/> for one HTTP exchange, body included.
/// Polly.RateLimiting is not available here, so the limiter is this handler (one attempt = one permit).
/// </summary>
internal sealed class ConcurrencyLimitHandler(PublicDataConcurrencyLimit limit) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var lease = await limit.Limiter.AcquireAsync(1, cancellationToken);
        if (!lease.IsAcquired)
        {
            throw new InvalidOperationException("the public data concurrency limiter refused a permit");
        }

        var response = await base.SendAsync(request, cancellationToken);
        try
        {
            // Read the body while the permit is held: the connection is busy until it is read.
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}
