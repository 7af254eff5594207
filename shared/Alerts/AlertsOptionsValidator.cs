using DisclosurePipeline.Configuration;
using Microsoft.Extensions.Options;

namespace DisclosurePipeline.Alerts;

/// <summary>
/// Checks the <c>Alerts</c> settings at start: <c>Alerts__Format</c> is json, teams or slack; <c>Alerts__Digest</c>
/// is a time of day as <c>HH:mm</c>; every URL is absolute http(s). Each failure names its setting.
/// </summary>
internal sealed class AlertsOptionsValidator : IValidateOptions<AlertsOptions>
{
    public ValidateOptionsResult Validate(string? name, AlertsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Check(failures, () => options.ResolveFormat());
        Check(failures, () => options.ResolveDigest());
        CheckUrl(failures, "Alerts__WebhookUrl", options.WebhookUrl);
        CheckUrl(failures, "Alerts__SupplierWebhookUrl", options.SupplierWebhookUrl);
        CheckUrl(failures, "Alerts__WorkbenchUrl", options.WorkbenchUrl);
        if (options.DeliveryTimeout <= TimeSpan.Zero)
        {
            failures.Add($"Alerts__DeliveryTimeout '{options.DeliveryTimeout}' must be positive (for example 00:00:10).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(List<string> failures, Func<object?> resolve)
    {
        try
        {
            resolve();
        }
        catch (InvalidOperationException ex)
        {
            failures.Add(ex.Message);
        }
    }

    private static void CheckUrl(List<string> failures, string setting, Uri? url)
    {
        if (url is not null && !(url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)))
        {
            failures.Add($"{setting} '{url.OriginalString}' is not an absolute http or https URL.");
        }
    }
}
