using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
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

    /// <summary>The alert is not posted on its own: the daily digest lists it.</summary>
    InDigest,

    /// <summary>A supplier reminder whose supplier has no <c>contactEmail</c>: not sent, recorded in the entity's history, never retried.</summary>
    NoRecipient,

    /// <summary>A digest that lists nothing: nothing is posted.</summary>
    NothingToSend,
}

/// <summary>
/// Delivers one stored alert or daily digest (a message on <c>alerts</c> carries either id) by its route
/// (<see cref="AlertRouting"/>): to <c>Alerts__WebhookUrl</c> in <c>Alerts__Format</c> (json, teams, slack), or, for a
/// supplier reminder, to <c>Alerts__SupplierWebhookUrl</c> as <see cref="SupplierReminder"/>. Every POST carries
/// <c>Idempotency-Key: {id}</c>. A delivered alert or digest is never POSTed again. Before POSTing, the attempt claims
/// the row (attempt count and time, written with its ETag), so two copies of one message do not POST at once. A non-2xx
/// answer or a timeout releases the claim and throws: the queue retries with the same key.
/// </summary>
/// <remarks>
/// One window remains: the POST succeeds but recording the delivery fails (crash, storage error). The retry POSTs
/// again with the same <c>Idempotency-Key</c>; receivers deduplicate by that key.
/// </remarks>
public sealed partial class AlertDelivery(
    IAlertStore alerts,
    ICaseStore cases,
    IHistoryStore history,
    AlertDigests digests,
    IHttpClientFactory httpClients,
    IOptions<AlertsOptions> options,
    TimeProvider clock,
    ILogger<AlertDelivery> logger)
{
    /// <summary>The named <see cref="HttpClient"/> used for the webhook.</summary>
    public const string HttpClientName = "alerts-webhook";

    /// <summary>The history event recorded when a reminder could not be sent.</summary>
    public const string ReminderNotSentEvent = "reminder_not_sent";

    /// <summary>The history actor of alert deliveries.</summary>
    public const string HistoryActor = "alerts";

    /// <summary>Delivers the alert or digest, or throws <see cref="AlertDeliveryException"/> when the receiver did not take it.</summary>
    public async Task<DeliveryOutcome> DeliverAsync(string alertId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(alertId);
        if (DigestSchedule.IsDigestId(alertId))
        {
            return await DeliverDigestAsync(alertId, cancellationToken).ConfigureAwait(false);
        }

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

        var settings = options.Value;
        var route = AlertRouting.RouteOf(alert.Type, settings);
        if (route == AlertRoute.Digest)
        {
            return DeliveryOutcome.InDigest;
        }

        if (AlertRouting.ReceiverOf(route, settings) is not { } url)
        {
            return DeliveryOutcome.NotConfigured;
        }

        var row = AlertRow(alertId);
        if (route == AlertRoute.Supplier && string.IsNullOrWhiteSpace(alert.ContactEmail))
        {
            return await RecordNoRecipientAsync(row, alert, cancellationToken).ConfigureAwait(false);
        }

        var body = await AlertBodyAsync(alert, route, settings, cancellationToken).ConfigureAwait(false);
        return await PostOnceAsync(row, alert, url, body, cancellationToken).ConfigureAwait(false);
    }

    private async Task<DeliveryOutcome> DeliverDigestAsync(string digestId, CancellationToken cancellationToken)
    {
        var digest = await alerts.GetDigestAsync(digestId, cancellationToken).ConfigureAwait(false);
        if (digest is null)
        {
            Log.Unknown(logger, digestId);
            return DeliveryOutcome.UnknownAlert;
        }

        if (digest.DeliveredAt is not null)
        {
            return DeliveryOutcome.AlreadyDelivered;
        }

        var settings = options.Value;
        if (settings.WebhookUrl is not { } url)
        {
            return DeliveryOutcome.NotConfigured;
        }

        var content = await digests.ContentAsync(digest, cancellationToken).ConfigureAwait(false);
        if (content.TotalCases == 0)
        {
            return DeliveryOutcome.NothingToSend;
        }

        JsonObject body = settings.ResolveFormat() switch
        {
            AlertFormat.Teams => TeamsMessages.ForDigest(content),
            AlertFormat.Slack => SlackMessages.ForDigest(content),
            _ => DigestPayload.From(content),
        };
        return await PostOnceAsync(DigestRow(digestId), digest, url, body.ToJsonString(AlertJson.Options), cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> AlertBodyAsync(StoredAlert alert, AlertRoute route, AlertsOptions settings, CancellationToken cancellationToken)
    {
        var format = settings.ResolveFormat();
        if (route == AlertRoute.Staff && format == AlertFormat.Json)
        {
            return JsonSerializer.Serialize(AlertPayload.From(alert), AlertJson.Contract);
        }

        var found = await cases.GetAsync(alert.SupplierId, alert.RecordId, cancellationToken).ConfigureAwait(false);
        var line = new AlertCase(
            alert.AlertId, alert.Type, alert.SupplierId, alert.SupplierName, alert.Kind, alert.RecordId, found?.Authority ?? "",
            alert.PlanDueOn, alert.DaysOverdue, alert.ContactEmail, route == AlertRoute.Staff ? AlertRouting.CaseLink(settings, alert.SupplierId, alert.RecordId) : null);
        var body = route == AlertRoute.Supplier
            ? SupplierReminder.From(line, alert.ContactEmail!)
            : format == AlertFormat.Teams ? TeamsMessages.ForAlert(line) : SlackMessages.ForAlert(line);
        return body.ToJsonString(AlertJson.Options);
    }

    /// <summary>
    /// A reminder with nobody to send it to: claims the alert, records <see cref="ReminderNotSentEvent"/> in the entity's
    /// history (once), and leaves the alert undelivered with an attempt and no failure, which no sweep queues again.
    /// </summary>
    private async Task<DeliveryOutcome> RecordNoRecipientAsync(Row<StoredAlert> row, StoredAlert alert, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (alert.LastAttemptAt is { } last && now - last < ClaimLease || !await ClaimAsync(row, alert, now, cancellationToken).ConfigureAwait(false))
        {
            return DeliveryOutcome.InProgress;
        }

        var events = await history.ListForEntityAsync(alert.SupplierId, cancellationToken).ConfigureAwait(false);
        if (!events.Any(e => e.Event == ReminderNotSentEvent && e.Detail is { } d && d.StartsWith(alert.AlertId, StringComparison.Ordinal)))
        {
            await history.AppendAsync(
                [new HistoryEvent(alert.SupplierId, now, HistoryActor, ReminderNotSentEvent, alert.RecordId, $"{alert.AlertId}: no contactEmail in the registry")],
                cancellationToken).ConfigureAwait(false);
        }

        await UpdateAsync(row, s => s.LastAttemptAt == now ? s with { LastAttemptAt = null } : null, cancellationToken).ConfigureAwait(false);
        Log.NoRecipient(logger, alert.AlertId, alert.SupplierId);
        return DeliveryOutcome.NoRecipient;
    }

    private async Task<DeliveryOutcome> PostOnceAsync<T>(Row<T> row, T current, Uri url, string body, CancellationToken cancellationToken)
        where T : class
    {
        var state = row.State(current);
        var now = clock.GetUtcNow();
        if (state.LastAttemptAt is { } last && now - last < ClaimLease)
        {
            return DeliveryOutcome.InProgress;
        }

        if (!await ClaimAsync(row, current, now, cancellationToken).ConfigureAwait(false))
        {
            var latest = await row.Get(cancellationToken).ConfigureAwait(false);
            return latest is not null && row.State(latest).DeliveredAt is not null ? DeliveryOutcome.AlreadyDelivered : DeliveryOutcome.InProgress;
        }

        var attempt = state.Attempts + 1;
        int? status = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                // Serialised up front so the POST carries a Content-Length: many webhook receivers refuse chunked bodies.
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Idempotency-Key", row.Id);
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken).ConfigureAwait(false);
            status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                throw new AlertDeliveryException($"the webhook answered {status} for {row.Id}");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or AlertDeliveryException && !cancellationToken.IsCancellationRequested)
        {
            Log.Failed(logger, row.Id, attempt, status);
            await ReleaseAsync(row, now, CancellationToken.None).ConfigureAwait(false);
            throw ex as AlertDeliveryException ?? new AlertDeliveryException($"the webhook did not answer for {row.Id}: {ex.GetType().Name}", ex);
        }

        if (!await UpdateAsync(row, s => s.DeliveredAt is null ? s with { DeliveredAt = clock.GetUtcNow() } : null, cancellationToken).ConfigureAwait(false))
        {
            throw new AlertDeliveryException($"{row.Id} was delivered but could not be marked delivered");
        }

        Log.Delivered(logger, row.Id, attempt);
        return DeliveryOutcome.Delivered;
    }

    /// <summary>How long a claim keeps other copies of the message away: well past one POST's timeout.</summary>
    private TimeSpan ClaimLease => options.Value.DeliveryTimeout * 2 + TimeSpan.FromSeconds(5);

    /// <summary>Counts an attempt and marks it under way, if nobody changed the row since it was read.</summary>
    private static Task<bool> ClaimAsync<T>(Row<T> row, T current, DateTimeOffset now, CancellationToken cancellationToken)
        where T : class
    {
        var state = row.State(current);
        return row.Replace(row.With(current, state with { Attempts = state.Attempts + 1, LastAttemptAt = now }), cancellationToken);
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the row as it stands, retrying on ETag conflicts. True once written, or when
    /// <paramref name="change"/> says nothing is left to do (null) or the row is gone.
    /// </summary>
    private static async Task<bool> UpdateAsync<T>(Row<T> row, Func<DeliveryState, DeliveryState?> change, CancellationToken cancellationToken)
        where T : class
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var current = await row.Get(cancellationToken).ConfigureAwait(false);
            if (current is null || change(row.State(current)) is not { } next)
            {
                return true;
            }

            if (await row.Replace(row.With(current, next), cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Clears this attempt's claim so the queue's retry may POST again at once, and notes the failure. Best effort.</summary>
    private async Task ReleaseAsync<T>(Row<T> row, DateTimeOffset claimedAt, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            var failedAt = clock.GetUtcNow();
            await UpdateAsync(row, s => s.DeliveredAt is null && s.LastAttemptAt == claimedAt ? s with { LastAttemptAt = null, LastFailedAt = failedAt } : null, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ReleaseFailed(logger, row.Id, ex);
        }
    }

    private Row<StoredAlert> AlertRow(string id) => new(
        id,
        ct => alerts.GetAsync(id, ct),
        alerts.TryReplaceAsync,
        a => new DeliveryState(a.DeliveredAt, a.Attempts, a.LastAttemptAt, a.LastFailedAt),
        (a, s) => a with { DeliveredAt = s.DeliveredAt, Attempts = s.Attempts, LastAttemptAt = s.LastAttemptAt, LastFailedAt = s.LastFailedAt });

    private Row<StoredDigest> DigestRow(string id) => new(
        id,
        ct => alerts.GetDigestAsync(id, ct),
        alerts.TryReplaceDigestAsync,
        d => new DeliveryState(d.DeliveredAt, d.Attempts, d.LastAttemptAt, d.LastFailedAt),
        (d, s) => d with { DeliveredAt = s.DeliveredAt, Attempts = s.Attempts, LastAttemptAt = s.LastAttemptAt, LastFailedAt = s.LastFailedAt });

    /// <summary>The delivery fields of a stored alert or digest.</summary>
    private sealed record DeliveryState(DateTimeOffset? DeliveredAt, int Attempts, DateTimeOffset? LastAttemptAt, DateTimeOffset? LastFailedAt);

    /// <summary>How to read and write the delivery state of one stored row (an alert or a digest).</summary>
    private sealed record Row<T>(
        string Id,
        Func<CancellationToken, Task<T?>> Get,
        Func<T, CancellationToken, Task<bool>> Replace,
        Func<T, DeliveryState> State,
        Func<T, DeliveryState, T> With)
        where T : class;

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

        [LoggerMessage(EventId = 4305, Level = LogLevel.Warning, Message = "Reminder {AlertId} not sent: entity {SupplierId} has no contact email")]
        public static partial void NoRecipient(ILogger logger, string alertId, string supplierId);
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
