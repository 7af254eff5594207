using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using System.Text.Json;
using DisclosurePipeline.Configuration;
using DisclosurePipeline.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DisclosurePipeline.Alerts;

/// <summary>What one delivery attempt did (failures throw, so the queue retries).</summary>
public enum DeliveryOutcome
{
    /// <summary>The webhook answered 2xx; the alert is marked delivered.</summary>
    Delivered,

    /// <summary>The alert was delivered before: nothing was sent.</summary>
    AlreadyDelivered,

    /// <summary>No webhook is configured: the alert stays stored, undelivered.</summary>
    NotConfigured,

    /// <summary>No such alert (nothing to do).</summary>
    UnknownAlert,

    /// <summary>Another delivery of the same alert is under way (a duplicate message): this one stands down.</summary>
    InProgress,
}

/// <summary>
/// Delivers one stored alert to <c>Alerts__WebhookUrl</c>: POST of <see cref="AlertPayload"/> with header
/// <c>Idempotency-Key: {alertId}</c>. A delivered alert is never POSTed again. Before POSTing, the attempt claims
/// the alert (attempt count and time, written with its ETag), so two copies of one message do not POST at once.
/// A non-2xx answer or a timeout releases the claim and throws: the queue retries with the same key.
/// </summary>
/// <remarks>
/// One window remains: the POST succeeds but recording <see cref="StoredAlert.DeliveredAt"/> fails (crash, storage
/// error). The retry POSTs again with the same <c>Idempotency-Key</c>; receivers deduplicate by that key.
/// </remarks>
public sealed partial class AlertDelivery(
    IAlertStore alerts,
    IHttpClientFactory httpClients,
    IOptions<AlertsOptions> options,
    TimeProvider clock,
    ILogger<AlertDelivery> logger)
{
    /// <summary>The named <see cref="HttpClient"/> used for the webhook.</summary>
    public const string HttpClientName = "alerts-webhook";

    // Chinese names stay readable in the body (not \u-escaped); receivers get UTF-8 JSON.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    };

    /// <summary>Delivers the alert, or throws <see cref="AlertDeliveryException"/> when the webhook did not take it.</summary>
    public async Task<DeliveryOutcome> DeliverAsync(string alertId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(alertId);
        var alert = await alerts.GetAsync(alertId, cancellationToken).ConfigureAwait(false);
        if (alert is null)
        {
            Log.Unknown(logger, alertId);
            return DeliveryOutcome.UnknownAlert;
        }

        if (alert.DeliveredAt is not null)
        {
            return DeliveryOutcome.AlreadyDelivered;
        }

        var url = options.Value.WebhookUrl;
        if (url is null)
        {
            return DeliveryOutcome.NotConfigured;
        }

        var now = clock.GetUtcNow();
        if (alert.LastAttemptAt is { } last && now - last < ClaimLease)
        {
            return DeliveryOutcome.InProgress;
        }

        var claim = alert with { Attempts = alert.Attempts + 1, LastAttemptAt = now };
        if (!await alerts.TryReplaceAsync(claim, cancellationToken).ConfigureAwait(false))
        {
            var current = await alerts.GetAsync(alertId, cancellationToken).ConfigureAwait(false);
            return current?.DeliveredAt is not null ? DeliveryOutcome.AlreadyDelivered : DeliveryOutcome.InProgress;
        }

        int? status = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                // Serialised up front so the POST carries a Content-Length: many webhook receivers refuse chunked bodies.
                Content = new StringContent(JsonSerializer.Serialize(AlertPayload.From(alert), Json), Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Idempotency-Key", alertId);
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken).ConfigureAwait(false);
            status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                throw new AlertDeliveryException($"the webhook answered {status} for alert {alertId}");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or AlertDeliveryException && !cancellationToken.IsCancellationRequested)
        {
            Log.Failed(logger, alertId, claim.Attempts, status);
            await ReleaseAsync(alertId, now, CancellationToken.None).ConfigureAwait(false);
            throw ex as AlertDeliveryException ?? new AlertDeliveryException($"the webhook did not answer for alert {alertId}: {ex.GetType().Name}", ex);
        }

        await MarkDeliveredAsync(alertId, cancellationToken).ConfigureAwait(false);
        Log.Delivered(logger, alertId, claim.Attempts);
        return DeliveryOutcome.Delivered;
    }

    /// <summary>How long a claim keeps other copies of the message away: well past one POST's timeout.</summary>
    private TimeSpan ClaimLease => options.Value.DeliveryTimeout * 2 + TimeSpan.FromSeconds(5);

    private async Task MarkDeliveredAsync(string alertId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var current = await alerts.GetAsync(alertId, cancellationToken).ConfigureAwait(false);
            if (current is null || current.DeliveredAt is not null)
            {
                return;
            }

            if (await alerts.TryReplaceAsync(current with { DeliveredAt = clock.GetUtcNow() }, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }

        throw new AlertDeliveryException($"alert {alertId} was delivered but could not be marked delivered");
    }

    /// <summary>Clears this attempt's claim so the queue's retry may POST again at once, and notes the failure. Best effort.</summary>
    private async Task ReleaseAsync(string alertId, DateTimeOffset claimedAt, CancellationToken cancellationToken)
    {
        try
        {
            var current = await alerts.GetAsync(alertId, cancellationToken).ConfigureAwait(false);
            if (current is not null && current.DeliveredAt is null && current.LastAttemptAt == claimedAt)
            {
                await alerts.TryReplaceAsync(current with { LastAttemptAt = null, LastFailedAt = clock.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ReleaseFailed(logger, alertId, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4301, Level = LogLevel.Information, Message = "Alert {AlertId} delivered (attempt {Attempt})")]
        public static partial void Delivered(ILogger logger, string alertId, int attempt);

        [LoggerMessage(EventId = 4302, Level = LogLevel.Warning, Message = "Alert {AlertId} delivery attempt {Attempt} failed (HTTP status {Status})")]
        public static partial void Failed(ILogger logger, string alertId, int attempt, int? status);

        [LoggerMessage(EventId = 4303, Level = LogLevel.Warning, Message = "Alert {AlertId} to deliver does not exist")]
        public static partial void Unknown(ILogger logger, string alertId);

        [LoggerMessage(EventId = 4304, Level = LogLevel.Warning, Message = "Could not release the delivery claim on alert {AlertId}")]
        public static partial void ReleaseFailed(ILogger logger, string alertId, Exception exception);
    }
}

/// <summary>The webhook did not take an alert (non-2xx, timeout, unreachable): the delivery is retried.</summary>
public sealed class AlertDeliveryException : Exception
{
    /// <summary>A failure with a message.</summary>
    public AlertDeliveryException(string message)
        : base(message)
    {
    }

    /// <summary>A failure with a message and its cause.</summary>
    public AlertDeliveryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>A failure without details.</summary>
    public AlertDeliveryException()
    {
    }
}
