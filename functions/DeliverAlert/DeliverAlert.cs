using System.Text.Json;
using DisclosurePipeline.Alerts;
using DisclosurePipeline.Functions.Protocol;

namespace DisclosurePipeline.Functions.DeliverAlert;

/// <summary>
/// Queue <c>alerts</c>: POSTs one alert to the webhook. A failed POST fails the invocation, so the host redelivers the
/// message (same alert, same <c>Idempotency-Key</c>); after <c>maxDequeueCount</c> tries it goes to <c>alerts-poison</c>
/// and the alert stays stored, undelivered, visible in <c>GET /api/alerts</c>.
/// </summary>
internal sealed class DeliverAlertFunction(AlertDelivery delivery) : ITriggeredFunction
{
    public const string Name = "DeliverAlert";

    public async Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        var message = ReadMessage(request);
        var outcome = await delivery.DeliverAsync(message.AlertId, cancellationToken);
        var response = new InvocationResponse();
        response.Logs.Add($"alert {message.AlertId}: {outcome}");
        return response;
    }

    private static AlertMessage ReadMessage(InvocationRequest request)
    {
        var node = request.Data("alert") ?? throw new InvalidInvocationException("the queue message is missing");
        try
        {
            if (node.Deserialize<AlertMessage>(JsonSerializerOptions.Web) is { AlertId.Length: > 0 } message)
            {
                return message;
            }
        }
        catch (JsonException ex)
        {
            throw new InvalidInvocationException("the queue message is not an alert: " + ex.Message);
        }

        throw new InvalidInvocationException("the queue message is not an alert");
    }
}
