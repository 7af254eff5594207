using System.Text.Json.Nodes;
using Microsoft.Azure.Functions.Worker;

namespace HostFixture;

/// <summary>Timers: <c>Tick</c> on <c>%TickSchedule%</c> (schedule monitor on), <c>Startup</c> with runOnStartup and no monitor.</summary>
public sealed class TimerFunctions(InvocationLog log)
{
    [Function("Tick")]
    public void Tick([TimerTrigger("%TickSchedule%")] TimerInfo timer, FunctionContext context) =>
        log.Append("Tick", Record(timer, context));

    [Function("Startup")]
    public void Startup([TimerTrigger("0 0 0 1 1 *", RunOnStartup = true, UseMonitor = false)] TimerInfo timer, FunctionContext context) =>
        log.Append("Startup", Record(timer, context));

    private static JsonObject Record(TimerInfo timer, FunctionContext context) => new()
    {
        ["isPastDue"] = timer.IsPastDue,
        ["hasStatus"] = timer.ScheduleStatus is not null,
        ["last"] = timer.ScheduleStatus?.Last.ToString("o"),
        ["next"] = timer.ScheduleStatus?.Next.ToString("o"),
        ["bindingData"] = InvocationLog.BindingData(context),
    };
}
