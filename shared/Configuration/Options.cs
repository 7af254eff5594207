using System.ComponentModel.DataAnnotations;

namespace DisclosurePipeline.Configuration;

/// <summary>Storage settings.</summary>
public sealed class StorageOptions
{
    /// <summary>The storage connection string, from the <c>AzureWebJobsStorage</c> setting.</summary>
    /// <value>Default: <c>UseDevelopmentStorage=true</c> (Azurite on its standard ports).</value>
    [Required]
    public string ConnectionString { get; set; } = "UseDevelopmentStorage=true";
}

/// <summary>The public data platform's API (settings section <c>PublicData</c>).</summary>
public sealed class PublicDataOptions
{
    /// <summary>The section name.</summary>
    public const string Section = "PublicData";

    /// <summary>Base URL of the API.</summary>
    /// <value>Default: the local simulator, <c>http://127.0.0.1:7080/</c>.</value>
    [Required]
    public Uri BaseUrl { get; set; } = new("http://127.0.0.1:7080/");

    /// <summary>The key sent as <c>X-Api-Key</c>. Never logged.</summary>
    /// <value>Default: the simulator's key.</value>
    [Required]
    public string ApiKey { get; set; } = "sim-key";

    /// <summary>Attempts per request, the first included.</summary>
    /// <value>Default: 6.</value>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 6;

    /// <summary>Timeout of one attempt.</summary>
    /// <value>Default: 30 seconds.</value>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Base delay of the jittered exponential backoff between retries.</summary>
    /// <value>Default: 500 ms.</value>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Most requests in flight at once from one process.</summary>
    /// <value>Default: 8.</value>
    [Range(1, 256)]
    public int MaxConcurrentRequests { get; set; } = 8;
}

/// <summary>Deadline rules (settings section <c>Pipeline</c>).</summary>
public sealed class PipelineOptions
{
    /// <summary>The section name.</summary>
    public const string Section = "Pipeline";

    /// <summary>IANA zone that deadlines and "days" are counted in.</summary>
    /// <value>Default: <c>Asia/Shanghai</c>.</value>
    [Required]
    public string TimeZone { get; set; } = "Asia/Shanghai";

    /// <summary>Days after disclosure that a plan is due.</summary>
    /// <value>Default: 10.</value>
    [Range(1, 365)]
    public int PlanDeadlineDays { get; set; } = 10;

    /// <summary>Days after a rejection that a new plan is due.</summary>
    /// <value>Default: 10.</value>
    [Range(1, 365)]
    public int ResubmissionDays { get; set; } = 10;

    /// <summary>
    /// The configured zone, resolved. A method, not a property: options validation reads every property, and an
    /// unknown zone must fail there with a message naming the setting, not with a lookup exception.
    /// </summary>
    /// <exception cref="InvalidOperationException">The setting names no known IANA zone.</exception>
    public TimeZoneInfo ResolveZone() =>
        TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out var zone)
            ? zone
            : throw new InvalidOperationException($"Pipeline__TimeZone '{TimeZone}' is not a known IANA time zone (for example Asia/Shanghai).");
}

/// <summary>Yearly disclosure targets (settings section <c>Targets</c>).</summary>
public sealed class TargetsOptions
{
    /// <summary>The section name.</summary>
    public const string Section = "Targets";

    /// <summary>The target year; 0 means the current year in the pipeline's time zone.</summary>
    /// <value>Default: 0 (current year).</value>
    [Range(0, 9999)]
    public int Year { get; set; }

    /// <summary>PRTR disclosure target (entities).</summary>
    /// <value>Default: 200.</value>
    [Range(0, 1_000_000)]
    public int Prtr { get; set; } = 200;

    /// <summary>Carbon disclosure target (entities).</summary>
    /// <value>Default: 180.</value>
    [Range(0, 1_000_000)]
    public int Carbon { get; set; } = 180;

    /// <summary>The year in force at <paramref name="now"/>.</summary>
    public int YearAt(DateTimeOffset now, TimeZoneInfo zone) => Year > 0 ? Year : TimeZoneInfo.ConvertTime(now, zone).Year;
}

/// <summary>Alert delivery (settings section <c>Alerts</c>).</summary>
public sealed class AlertsOptions
{
    /// <summary>The section name.</summary>
    public const string Section = "Alerts";

    /// <summary>Where alerts are POSTed; null: alerts are only stored.</summary>
    /// <value>Default: none.</value>
    public Uri? WebhookUrl { get; set; }

    /// <summary>How long one webhook POST may take before it counts as failed (and is retried).</summary>
    /// <value>Default: 10 seconds.</value>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The body posted to <see cref="WebhookUrl"/>: <c>json</c> (the contract's alert object), <c>teams</c> (an Adaptive
    /// Card message for a Teams Workflows or incoming webhook) or <c>slack</c> (Block Kit with a <c>text</c> fallback).
    /// </summary>
    /// <value>Default: <c>json</c>.</value>
    public string Format { get; set; } = "json";

    /// <summary>
    /// A local time of day (<c>HH:mm</c>, in <see cref="PipelineOptions.TimeZone"/>) for the daily digest to staff; when set,
    /// <c>plan_overdue</c> alerts are no longer posted one by one but listed in one message a day. Null: no digest.
    /// </summary>
    /// <value>Default: none.</value>
    public string? Digest { get; set; }

    /// <summary>Where <c>plan_due_soon</c> reminders for suppliers are POSTed (for example a mail relay); null: they go to <see cref="WebhookUrl"/>.</summary>
    /// <value>Default: none.</value>
    public Uri? SupplierWebhookUrl { get; set; }

    /// <summary>The staff workbench page; messages to staff link to <c>{url}#case/{supplierId}/{recordId}</c>. Null: no links.</summary>
    /// <value>Default: none.</value>
    public Uri? WorkbenchUrl { get; set; }

    /// <summary>The configured <see cref="Format"/>, resolved (a method: validation reads properties, and must report a bad value by name).</summary>
    /// <exception cref="InvalidOperationException">The setting is not json, teams or slack.</exception>
    public AlertFormat ResolveFormat() =>
        Format.Trim().ToUpperInvariant() switch
        {
            "JSON" => AlertFormat.Json,
            "TEAMS" => AlertFormat.Teams,
            "SLACK" => AlertFormat.Slack,
            _ => throw new InvalidOperationException($"Alerts__Format '{Format}' is not one of json, teams, slack."),
        };

    /// <summary>The configured <see cref="Digest"/> time, or null when there is no digest.</summary>
    /// <exception cref="InvalidOperationException">The setting is not a time of day as <c>HH:mm</c>.</exception>
    public TimeOnly? ResolveDigest() =>
        string.IsNullOrWhiteSpace(Digest)
            ? null
            : TimeOnly.TryParseExact(Digest.Trim(), "HH:mm", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var time)
                ? time
                : throw new InvalidOperationException($"Alerts__Digest '{Digest}' is not a time of day as HH:mm (for example 09:00).");
}

/// <summary>The body format of posts to staff (<see cref="AlertsOptions.Format"/>).</summary>
public enum AlertFormat
{
    /// <summary>The contract's JSON alert object.</summary>
    Json,

    /// <summary>A Teams message carrying an Adaptive Card 1.4.</summary>
    Teams,

    /// <summary>A Slack message: Block Kit blocks and a <c>text</c> fallback.</summary>
    Slack,
}

/// <summary>Bearer keys from settings (section <c>Auth</c>).</summary>
public sealed class AuthOptions
{
    /// <summary>The section name.</summary>
    public const string Section = "Auth";

    /// <summary>Staff keys (<c>Auth__StaffKeys__0</c>, …).</summary>
    /// <value>Default: none.</value>
    public IList<string> StaffKeys { get; } = [];

    /// <summary>Analyst keys (<c>Auth__AnalystKeys__0</c>, …).</summary>
    /// <value>Default: none.</value>
    public IList<string> AnalystKeys { get; } = [];
}
