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
