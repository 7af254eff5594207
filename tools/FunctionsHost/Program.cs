using System.Net;
using System.Text.Json;
using FunctionsHost;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging.Console;

// The local Functions host: a development stand-in for the Azure Functions host that starts a .NET
// isolated worker and drives it over the host <-> worker gRPC protocol (see README.md).
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

var grpc = new GrpcEndpoint(FreePort());
var limits = HttpInputLimits.From(settings);
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
builder.Logging.ClearProviders();
builder.Logging.AddConsole(o => o.FormatterName = FuncConsoleFormatter.FormatterName);
builder.Logging.AddConsoleFormatter<FuncConsoleFormatter, ConsoleFormatterOptions>();
builder.Logging.SetMinimumLevel(LogLevel.Information);
builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
builder.Logging.AddFilter("System", LogLevel.Warning);
builder.Logging.AddFilter("Grpc", LogLevel.Warning);
builder.Logging.AddFilter("Yarp", LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None); // start failures are reported below, once
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.ListenLocalhost(port);
    kestrel.Listen(IPAddress.Loopback, grpc.Port, listen => listen.Protocols = HttpProtocols.Http2);
    kestrel.Limits.MaxRequestBodySize = limits.MaxBodyBytes; // the Functions front end's limit
    kestrel.Limits.MaxRequestLineSize = HttpInputLimits.KestrelLineAndHeaderBytes; // HttpInputLimits answers below this
    kestrel.Limits.MaxRequestHeadersTotalSize = HttpInputLimits.KestrelLineAndHeaderBytes;
});
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
builder.Services.AddGrpc(grpcOptions =>
{
    grpcOptions.MaxReceiveMessageSize = int.MaxValue;
    grpcOptions.MaxSendMessageSize = int.MaxValue;
});
builder.Services.AddHttpForwarder();
builder.Services.AddProblemDetails();
builder.Services.AddSingleton(app);
builder.Services.AddSingleton(settings);
builder.Services.AddSingleton(limits);
builder.Services.AddSingleton(grpc);
builder.Services.AddSingleton(new HostPort(port));
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<HostLoggers>();
builder.Services.AddSingleton<WorkerChannels>();
builder.Services.AddSingleton<FunctionRegistry>();
builder.Services.AddSingleton<WorkerHost>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<WorkerHost>());
builder.Services.AddSingleton<QueueOutputWriter>();
builder.Services.AddSingleton<FunctionInvoker>();
builder.Services.AddSingleton<HttpProxy>();
builder.Services.AddSingleton<HttpRoutes>();
builder.Services.AddSingleton<TriggerListeners>();
builder.Services.AddSingleton(sp => new ScheduleMonitor(settings.StorageConnectionString(null), app.HostId));
builder.Services.AddHostedService<ListenerHost>();

await using var web = builder.Build();
web.Use((context, next) => limits.CheckAsync(context, () => next(context)));
HttpRoutes.UseFunctionsRouting(web);
web.MapGrpcService<FunctionRpcService>().RequireHost($"*:{grpc.Port}");
AdminEndpoints.Map(web);
((IEndpointRouteBuilder)web).DataSources.Add(web.Services.GetRequiredService<HttpRoutes>());

try
{
    await web.RunAsync();
}
catch (IOException ex)
{
    Console.Error.WriteLine("error: " + ex.Message);
    return 1;
}

return Environment.ExitCode;

static int FreePort()
{
    using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

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
}
