using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FunctionsHost.Rpc;
using NCrontab;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace FunctionsHost;

/// <summary>A function's trigger listener: runs the trigger, and runs the function on demand (admin API).</summary>
internal interface ITriggerListener
{
    FunctionDefinition Function { get; }

    /// <summary>Prepares the trigger (a queue listener creates its queue) before the host reports Running.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    Task RunAsync(CancellationToken cancellationToken);

    /// <summary>Runs the function now, outside its trigger (<c>POST /admin/functions/{name}</c>).</summary>
    Task RunNowAsync(string? input, CancellationToken cancellationToken);
}

/// <summary>
/// An NCRONTAB schedule in UTC. Exactly five fields means minute resolution; any other count is
/// the six-field form with seconds (the host's <c>CronSchedule</c> rule).
/// </summary>
internal sealed class CronSchedule
{
    private readonly CrontabSchedule schedule;

    private CronSchedule(string expression, CrontabSchedule schedule, bool hasSeconds)
    {
        Expression = expression;
        this.schedule = schedule;
        HasSeconds = hasSeconds;
    }

    public string Expression { get; }

    public bool HasSeconds { get; }

    public static CronSchedule Parse(string expression)
    {
        var hasSeconds = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 5;
        var parsed = CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = hasSeconds })
            ?? throw new InvalidOperationException($"'{expression}' is not a valid NCRONTAB expression ({{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}}, or 5 fields without seconds).");
        return new CronSchedule(expression, parsed, hasSeconds);
    }

    /// <summary>The first occurrence strictly after <paramref name="time"/>.</summary>
    public DateTimeOffset NextAfter(DateTimeOffset time) =>
        new(DateTime.SpecifyKind(schedule.GetNextOccurrence(time.UtcDateTime), DateTimeKind.Utc));

    public IEnumerable<DateTimeOffset> Occurrences(DateTimeOffset after)
    {
        var next = after;
        while (true)
        {
            next = NextAfter(next);
            yield return next;
        }
    }

    /// <summary>
    /// Whether the schedule ever fires twice within a minute (over its next occurrences); the host
    /// turns the schedule monitor off for such schedules.
    /// </summary>
    public bool FiresMoreThanOncePerMinute(DateTimeOffset from)
    {
        var occurrences = Occurrences(from).Take(64).ToList();
        return occurrences.Zip(occurrences.Skip(1)).Any(pair => pair.Second - pair.First < TimeSpan.FromMinutes(1));
    }
}

/// <summary>The schedule monitor's record of a timer: the last run, the next expected run, when it was written.</summary>
internal sealed record ScheduleStatus(DateTimeOffset Last, DateTimeOffset Next, DateTimeOffset LastUpdated)
{
    /// <summary>
    /// How the status appears in the TimerInfo the host sends: local <c>DateTime</c>s as Newtonsoft
    /// writes them (with the local offset; <c>default(DateTime).ToLocalTime()</c> before the first run).
    /// </summary>
    public JObject ToPayload() => new()
    {
        ["Last"] = Local(Last),
        ["Next"] = Local(Next),
        ["LastUpdated"] = Local(LastUpdated),
    };

    private static DateTime Local(DateTimeOffset time) =>
        time == DateTimeOffset.MinValue ? default(DateTime).ToLocalTime() : time.UtcDateTime.ToLocalTime();

    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["Last"] = Last.ToString("o", CultureInfo.InvariantCulture),
        ["Next"] = Next.ToString("o", CultureInfo.InvariantCulture),
        ["LastUpdated"] = LastUpdated.ToString("o", CultureInfo.InvariantCulture),
    });

    /// <summary>Reads a stored status leniently (offsets optional, meaning UTC); null when unreadable.</summary>
    public static ScheduleStatus? FromJson(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return Time(doc.RootElement, "Next") is { } next
                ? new ScheduleStatus(Time(doc.RootElement, "Last") ?? DateTimeOffset.MinValue, next, Time(doc.RootElement, "LastUpdated") ?? DateTimeOffset.MinValue)
                : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The host's start-up check (<c>ScheduleMonitor.CheckPastDueAsync</c>): no status yet → a fresh one,
    /// not past due; a status whose Next does not follow from its Last under this schedule → the
    /// schedule changed, reset, not past due; otherwise past due when now is after the recorded Next.
    /// </summary>
    /// <returns>Whether to run once now as past due, the status to use, and whether it must be written.</returns>
    public static (bool IsPastDue, ScheduleStatus Status, bool Write) Check(ScheduleStatus? stored, CronSchedule schedule, DateTimeOffset now)
    {
        if (stored is null)
        {
            return (false, new ScheduleStatus(DateTimeOffset.MinValue, schedule.NextAfter(now), now), true);
        }

        var basis = stored.Last != DateTimeOffset.MinValue ? stored.Last : stored.LastUpdated;
        if (basis == DateTimeOffset.MinValue || schedule.NextAfter(basis) != stored.Next)
        {
            return (false, new ScheduleStatus(stored.Last, schedule.NextAfter(now), now), true);
        }

        return (now > stored.Next, stored, false);
    }

    private static DateTimeOffset? Time(JsonElement root, string name) =>
        JsonFiles.String(root, name) is { } text
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
        && value.Year > 1
            ? value.ToUniversalTime()
            : null;
}

/// <summary>Schedule status blobs: <c>azure-webjobs-hosts/timers/{hostId}/{timerName}/status</c>.</summary>
internal sealed class ScheduleMonitor
{
    public const string ContainerName = "azure-webjobs-hosts";
    private readonly BlobContainerClient container;
    private readonly string hostId;
    private int created;

    public ScheduleMonitor(string connectionString, string hostId)
    {
        container = new BlobContainerClient(connectionString, ContainerName);
        this.hostId = hostId;
    }

    public static string BlobName(string hostId, string timerName) => $"timers/{hostId}/{timerName}/status";

    public async Task<ScheduleStatus?> GetStatusAsync(string timerName, CancellationToken cancellationToken)
    {
        try
        {
            var content = await container.GetBlobClient(BlobName(hostId, timerName)).DownloadContentAsync(cancellationToken);
            return ScheduleStatus.FromJson(content.Value.Content.ToString());
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task UpdateStatusAsync(string timerName, ScheduleStatus status, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref created, 1) == 0)
        {
            await container.CreateIfNotExistsAsync(PublicAccessType.None, cancellationToken: cancellationToken);
        }

        await container.GetBlobClient(BlobName(hostId, timerName)).UploadAsync(
            BinaryData.FromString(status.ToJson()),
            new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } },
            cancellationToken);
    }
}

/// <summary>
/// Fires a timer function on its schedule (UTC), one run at a time, with the schedule monitor's
/// past-due check at start and <c>runOnStartup</c>.
/// </summary>
internal sealed class TimerListener : ITriggerListener
{
    private const string AdminReason = "This function was programmatically called via the host APIs.";
    private readonly TimerTrigger trigger;
    private readonly CronSchedule schedule;
    private readonly bool useMonitor;
    private readonly ScheduleMonitor monitor;
    private readonly FunctionInvoker invoker;
    private readonly HostLoggers logs;
    private readonly TimeProvider clock;
    private readonly SemaphoreSlim oneRunAtATime = new(1, 1);
    private ScheduleStatus? status;
    private bool startsPastDue;

    public TimerListener(FunctionDefinition function, ScheduleMonitor monitor, FunctionInvoker invoker, HostLoggers logs, TimeProvider clock)
    {
        Function = function;
        trigger = (TimerTrigger)function.Trigger;
        schedule = CronSchedule.Parse(trigger.Schedule);
        useMonitor = trigger.UseMonitor && !schedule.FiresMoreThanOncePerMinute(clock.GetUtcNow());
        this.monitor = monitor;
        this.invoker = invoker;
        this.logs = logs;
        this.clock = clock;
    }

    public FunctionDefinition Function { get; }

    /// <summary>The TimerInfo JSON the host sends: <c>{"Schedule":{"AdjustForDST":true},"ScheduleStatus":...|null,"IsPastDue":...}</c>.</summary>
    public static string TimerInfo(ScheduleStatus? status, bool isPastDue) => new JObject
    {
        ["Schedule"] = new JObject { ["AdjustForDST"] = true },
        ["ScheduleStatus"] = status?.ToPayload() ?? (JToken)JValue.CreateNull(),
        ["IsPastDue"] = isPastDue,
    }.ToString(Formatting.None);

    /// <summary>The timer's trigger metadata: <c>TimerTrigger</c> = the local time in the current culture (<c>DateTime.Now.ToString()</c>).</summary>
    public static Dictionary<string, object?> BindingData(DateTimeOffset now) => new(StringComparer.OrdinalIgnoreCase)
    {
        ["TimerTrigger"] = now.UtcDateTime.ToLocalTime().ToString(CultureInfo.CurrentCulture),
    };

    /// <summary>Reads (or creates) the schedule status before the host reports Running, so a direct run already shows it.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!useMonitor)
        {
            return;
        }

        try
        {
            var check = ScheduleStatus.Check(await monitor.GetStatusAsync(Function.Name, cancellationToken), schedule, clock.GetUtcNow());
            (startsPastDue, status) = (check.IsPastDue, check.Status);
            if (check.Write)
            {
                await monitor.UpdateStatusAsync(Function.Name, check.Status, cancellationToken);
            }
        }
        catch (Exception ex) when (StorageErrors.IsStorageFailure(ex))
        {
            HostLog.ScheduleStatusFailed(logs.Function(Function.Name), Function.Name, ex.Message);
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var logger = logs.Function(Function.Name);
        var now = clock.GetUtcNow();
        var pastDue = startsPastDue;
        HostLog.NextOccurrences(logger, Function.Name, schedule.Expression,
            string.Join('\n', schedule.Occurrences(now).Take(5).Select(o => o.ToString("yyyy-MM-dd HH:mm:ssZ", CultureInfo.InvariantCulture))));

        if (pastDue && status is not null)
        {
            HostLog.PastDue(logger, Function.Name, status.Next);
            await RunOnceAsync(isPastDue: true, status.Next, $"Timer fired at {Iso(clock.GetUtcNow())}", cancellationToken);
        }
        else if (trigger.RunOnStartup)
        {
            await RunOnceAsync(isPastDue: false, clock.GetUtcNow(), $"Timer fired at {Iso(clock.GetUtcNow())}", cancellationToken);
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            var next = schedule.NextAfter(clock.GetUtcNow());
            while (clock.GetUtcNow() < next)
            {
                await Task.Delay(next - clock.GetUtcNow() + TimeSpan.FromMilliseconds(1), clock, cancellationToken);
            }

            await RunOnceAsync(isPastDue: false, next, $"Timer fired at {Iso(clock.GetUtcNow())}", cancellationToken);
        }
    }

    public async Task RunNowAsync(string? input, CancellationToken cancellationToken)
    {
        // A direct call, not through the listener: the schedule status is shown but not advanced.
        await oneRunAtATime.WaitAsync(cancellationToken);
        try
        {
            await invoker.InvokeAsync(Function, AdminReason, [Input(useMonitor ? status : null, isPastDue: false)], BindingData(clock.GetUtcNow()), cancellationToken);
        }
        finally
        {
            oneRunAtATime.Release();
        }
    }

    private async Task RunOnceAsync(bool isPastDue, DateTimeOffset scheduled, string reason, CancellationToken cancellationToken)
    {
        if (!await oneRunAtATime.WaitAsync(0, cancellationToken))
        {
            HostLog.TimerBusy(logs.Function(Function.Name), Function.Name);
            return;
        }

        try
        {
            await invoker.InvokeAsync(Function, reason, [Input(useMonitor ? status : null, isPastDue)], BindingData(clock.GetUtcNow()), cancellationToken);
            if (useMonitor)
            {
                var now = clock.GetUtcNow();
                status = new ScheduleStatus(scheduled, schedule.NextAfter(now), now);
                await monitor.UpdateStatusAsync(Function.Name, status, cancellationToken);
            }
        }
        catch (Exception ex) when (StorageErrors.IsStorageFailure(ex))
        {
            HostLog.ScheduleStatusFailed(logs.Function(Function.Name), Function.Name, ex.Message);
        }
        finally
        {
            oneRunAtATime.Release();
        }
    }

    private ParameterBinding Input(ScheduleStatus? payloadStatus, bool isPastDue) =>
        new() { Name = trigger.BindingName, Data = new TypedData { Json = TimerInfo(payloadStatus, isPastDue) } };

    private static string Iso(DateTimeOffset time) => time.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);
}
