using DisclosurePipeline.Configuration;
using DisclosurePipeline.Domain;

namespace DisclosurePipeline.Alerts;

/// <summary>Where one alert goes.</summary>
public enum AlertRoute
{
    /// <summary>Posted on its own to the staff webhook (<c>Alerts__WebhookUrl</c>) in <c>Alerts__Format</c>.</summary>
    Staff,

    /// <summary>A reminder posted to the supplier receiver (<c>Alerts__SupplierWebhookUrl</c>), addressed to the supplier's <c>contactEmail</c>.</summary>
    Supplier,

    /// <summary>Not posted on its own: listed in the next daily digest to staff (<c>Alerts__Digest</c>).</summary>
    Digest,
}

/// <summary>
/// How alerts are routed: <c>plan_overdue</c> goes into the daily digest when <c>Alerts__Digest</c> is set, else to the
/// staff webhook; <c>plan_due_soon</c> goes to the supplier receiver when <c>Alerts__SupplierWebhookUrl</c> is set, else
/// to the staff webhook. Digests go to the staff webhook.
/// </summary>
public static class AlertRouting
{
    /// <summary>The route of an alert of <paramref name="type"/> under <paramref name="options"/>.</summary>
    public static AlertRoute RouteOf(string type, AlertsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return type switch
        {
            AlertTypes.PlanOverdue when !string.IsNullOrWhiteSpace(options.Digest) => AlertRoute.Digest,
            AlertTypes.PlanDueSoon when options.SupplierWebhookUrl is not null => AlertRoute.Supplier,
            _ => AlertRoute.Staff,
        };
    }

    /// <summary>The URL a route posts to, or null when none is configured (or the route posts nothing on its own).</summary>
    public static Uri? ReceiverOf(AlertRoute route, AlertsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return route switch
        {
            AlertRoute.Staff => options.WebhookUrl,
            AlertRoute.Supplier => options.SupplierWebhookUrl,
            _ => null,
        };
    }

    /// <summary>The staff workbench link of a case, <c>{Alerts__WorkbenchUrl}#case/{supplierId}/{recordId}</c> (ids escaped), or null without a workbench URL.</summary>
    public static Uri? CaseLink(AlertsOptions options, string supplierId, string recordId)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.WorkbenchUrl is not { } workbench)
        {
            return null;
        }

        return new UriBuilder(workbench) { Fragment = $"case/{Uri.EscapeDataString(supplierId)}/{Uri.EscapeDataString(recordId)}" }.Uri;
    }
}
