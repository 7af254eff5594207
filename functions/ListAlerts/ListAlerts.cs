using System.Globalization;
using DisclosurePipeline.Alerts;
using DisclosurePipeline.Functions.Http;
using DisclosurePipeline.Storage;

namespace DisclosurePipeline.Functions.ListAlerts;

/// <summary><c>GET /api/alerts?since=</c> — staff: alerts raised at or after <c>since</c> (all without it), oldest first.</summary>
internal static class ListAlertsFunction
{
    public const string Name = "ListAlerts";

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/alerts", HandleAsync).WithName(Name).RequireAuthorization(Policies.Staff);

    /// <summary>
    /// An RFC 3339 timestamp (<c>2024-05-01T00:00:00+08:00</c>, <c>…Z</c>). A <c>+</c> sent unencoded in a query
    /// arrives as a space; that space before the offset is read back as <c>+</c>.
    /// </summary>
    public static bool TryParseSince(string text, out DateTimeOffset since)
    {
        var candidate = text.Length > 6 && text[^6] == ' ' ? string.Concat(text.AsSpan(0, text.Length - 6), "+", text.AsSpan(text.Length - 5)) : text;
        string[] formats = ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];
        return DateTimeOffset.TryParseExact(candidate, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out since)
            && (candidate.EndsWith('Z') || candidate.EndsWith('z') || candidate.Length > 6 && candidate[^6] is '+' or '-');
    }

    private static async Task<IResult> HandleAsync(HttpRequest request, IAlertStore alerts, CancellationToken cancellationToken)
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
}
