using System.Text;
using System.Text.Json;
using FunctionsHost;
using Microsoft.Extensions.Logging.Console;

// The local Functions host: a development stand-in for the Azure Functions host that reads the same
// host.json and function.json files and drives the same custom handler (see README.md).
var options = HostCommandLine.Parse(args, Console.Error);
if (options is null)
{
    return 2;
}

var (settings, skipped) = AppSettings.Load(options.SettingsPath);
AppDefinition app;
try
{
    app = AppDefinition.Load(options.AppPath, settings);
}
catch (Exception ex) when (ex is InvalidOperationException or JsonException or IOException)
{
    Console.Error.WriteLine("error: " + ex.Message);
    return 1;
}

var port = options.Port ?? settings.LocalHttpPort ?? 7071;
foreach (var name in skipped)
{
    Console.WriteLine($"Skipping '{name}' from local settings as it's already defined in current environment variables.");
}

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
builder.Logging.ClearProviders();
builder.Logging.AddConsole(o => o.FormatterName = FuncConsoleFormatter.FormatterName);
builder.Logging.AddConsoleFormatter<FuncConsoleFormatter, ConsoleFormatterOptions>();
builder.Logging.SetMinimumLevel(LogLevel.Information);
builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
builder.Logging.AddFilter("System", LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None); // start failures are reported below, once
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.ListenLocalhost(port);
    kestrel.Limits.MaxRequestBodySize = 100 * 1024 * 1024; // the Functions front end's limit
});
builder.Services.AddProblemDetails();
builder.Services.AddSingleton(app);
builder.Services.AddSingleton(settings);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<HostLoggers>();
builder.Services.AddSingleton<HandlerProcess>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<HandlerProcess>());
builder.Services.AddSingleton<InvocationClient>();
builder.Services.AddSingleton<HttpForwarder>();
builder.Services.AddSingleton(sp => new ScheduleMonitor(settings.StorageConnectionString(null), app.HostId));
foreach (var function in app.Functions)
{
    switch (function.Trigger)
    {
        case TimerTrigger:
            builder.Services.AddSingleton<ITriggerListener>(sp => ActivatorUtilities.CreateInstance<TimerListener>(sp, function));
            break;
        case QueueTrigger:
            builder.Services.AddSingleton<ITriggerListener>(sp => ActivatorUtilities.CreateInstance<QueueListener>(sp, function, app.Queues));
            break;
    }
}

builder.Services.AddHostedService<ListenerHost>();

await using var web = builder.Build();
HttpForwarder.UseFunctionsRouting(web);
web.Services.GetRequiredService<HttpForwarder>().Map(web);
AdminEndpoints.Map(web);
web.Lifetime.ApplicationStarted.Register(() => Console.Write(HostCommandLine.Summary(app, port)));

try
{
    await web.RunAsync();
}
catch (Exception ex) when (ex is HandlerStartException or IOException)
{
    Console.Error.WriteLine("error: " + ex.Message);
    return 1;
}

return Environment.ExitCode;

/// <summary>The command line: <c>--app &lt;dir&gt; [--port 7071] [--settings &lt;file&gt;]</c>.</summary>
internal sealed record HostCommandLine(string AppPath, int? Port, string SettingsPath)
{
    public const string Usage = "usage: FunctionsHost --app <appDir> [--port 7071] [--settings <local.settings.json; default <appDir>/local.settings.json>]";

    public static HostCommandLine? Parse(IReadOnlyList<string> args, TextWriter errors)
    {
        string? app = null, settings = null;
        int? port = null;
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--app" when value is not null:
                    app = value;
                    i++;
                    break;
                case "--settings" when value is not null:
                    settings = value;
                    i++;
                    break;
                case "--port" when int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536:
                    port = p;
                    i++;
                    break;
                default:
                    errors.WriteLine($"error: unexpected argument '{args[i]}'{(value is null ? "" : " (or a bad value after it)")}.");
                    errors.WriteLine(Usage);
                    return null;
            }
        }

        if (app is null)
        {
            errors.WriteLine(Usage);
            return null;
        }

        return new HostCommandLine(Path.GetFullPath(app), port, Path.GetFullPath(settings ?? Path.Combine(app, "local.settings.json")));
    }

    /// <summary>Core Tools' start-up listing: each function with its trigger, HTTP ones with methods and URL.</summary>
    public static string Summary(AppDefinition app, int port)
    {
        var text = new StringBuilder();
        foreach (var error in app.Errors)
        {
            text.AppendLine(error);
        }

        text.AppendLine().AppendLine("Functions:").AppendLine();
        foreach (var function in app.Functions)
        {
            var line = function.Trigger is HttpTrigger http
                ? $"[{(http.Methods.Count == 0 ? "GET,POST,PUT,PATCH,DELETE,HEAD,OPTIONS" : string.Join(',', http.Methods))}] http://localhost:{port}/{HttpForwarder.RouteTemplate(app.RoutePrefix, http)}"
                : function.Trigger.TypeName;
            text.AppendLine($"\t{function.Name}: {line}").AppendLine();
            foreach (var binding in function.UnsupportedBindings)
            {
                text.AppendLine($"\t  (binding {binding} is not run by the local host; it is ignored)").AppendLine();
            }
        }

        return text.ToString();
    }
}
