using System.Globalization;
using DisclosurePipeline.Alerts;
using DisclosurePipeline.Functions.Http;
using DisclosurePipeline.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace DisclosurePipeline.Functions;

/// <summary>Overdue-plan alerts: the hourly sweep that raises them, their webhook delivery, the staff listing.</summary>
/// <remarks>The services log what each sweep raised and each delivery did; the host logs each invocation.</remarks>
internal sealed partial class AlertFunctions(AlertSweep sweep, AlertDelivery delivery, IAlertStore alerts, ILogger<AlertFunctions> logger)
{
    /// <summary>
    /// Timer, hourly at :05 (UTC): raises the alerts that apply now. Each is stored first and queued on <c>alerts</c>
    /// only by the sweep that stored it, so a sweep run twice queues nothing new.
    /// </summary>
    [Function(nameof(SweepPlanDeadlines))]
    public async Task SweepPlanDeadlines([TimerTrigger("0 5 * * * *", UseMonitor = true)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        await sweep.SweepAsync(cancellationToken);
    }

    /// <summary>
    /// Queue <c>alerts</c>: POSTs one alert to the webhook. A failed POST fails the invocation, so the host delivers the
    /// message again (same alert, same <c>Idempotency-Key</c>); after <c>maxDequeueCount</c> tries it goes to
    /// <c>alerts-poison</c> and the alert stays stored, undelivered, visible in <c>GET /api/alerts</c>.
    /// </summary>
    [Function(nameof(DeliverAlert))]
    public async Task DeliverAlert([QueueTrigger(StorageNames.AlertsQueue)] AlertMessage alert, CancellationToken cancellationToken)
    {
        if (alert is not { AlertId.Length: > 0 })
        {
            throw new InvalidOperationException("the queue message is not an alert (alertId is required)");
        }

        var outcome = await delivery.DeliverAsync(alert.AlertId, cancellationToken);
        if (outcome != DeliveryOutcome.Delivered)
        {
            Log.NotDelivered(logger, alert.AlertId, outcome);
        }
    }

    /// <summary><c>GET /api/alerts?since=</c> — staff: alerts raised at or after <c>since</c> (all without it), oldest first.</summary>
    [Function(nameof(ListAlerts))]
    [RequireRole(Roles.Staff)]
    public async Task<IResult> ListAlerts(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "alerts")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        DateTimeOffset? since = null;
        if (request.Query.TryGetValue("since", out var text) && !string.IsNullOrEmpty(text))
        {
            if (!TryParseSince(text.ToString(), out var parsed))
            {
                return Problems.Validation(
                    new Dictionary<string, string[]> { ["since"] = ["since must be an RFC 3339 timestamp with an offset, e.g. 2024-05-01T00:00:00+08:00."] },
                    $"'{text}' is not a timestamp.");
            }

            since = parsed;
        }

        var items = (await alerts.ListAsync(since, cancellationToken)).Select(a =>
        {
            var p = AlertPayload.From(a);
            return new
            {
                alertId = p.AlertId,
                type = p.Type,
                supplierId = p.SupplierId,
                supplierName = p.SupplierName,
                kind = p.Kind,
                recordId = p.RecordId,
                publishedAt = p.PublishedAt,
                planDueOn = p.PlanDueOn,
                daysOverdue = p.DaysOverdue,
                contactEmail = p.ContactEmail,
                raisedAt = a.RaisedAt,
                deliveredAt = a.DeliveredAt,
            };
        });
        return TypedResults.Ok(new { items });
    }

    /// <summary>
    /// An RFC 3339 timestamp (<c>2024-05-01T00:00:00+08:00</c>, <c>…Z</c>). A <c>+</c> sent unencoded in a query
    /// arrives as a space; that space before the offset is read back as <c>+</c>.
    /// </summary>
    public static bool TryParseSince(string text, out DateTimeOffset since)
    {
        ArgumentNullException.ThrowIfNull(text);
        var candidate = text.Length > 6 && text[^6] == ' ' ? string.Concat(text.AsSpan(0, text.Length - 6), "+", text.AsSpan(text.Length - 5)) : text;
        string[] formats = ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];
        return DateTimeOffset.TryParseExact(candidate, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out since)
            && (candidate.EndsWith('Z') || candidate.EndsWith('z') || candidate.Length > 6 && candidate[^6] is '+' or '-');
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5301, Level = LogLevel.Debug, Message = "Alert {AlertId} not POSTed: {Outcome}")]
        public static partial void NotDelivered(ILogger logger, string alertId, DeliveryOutcome outcome);
    }
}
