using System.Text.Json;

namespace FunctionsHost;

/// <summary>
/// The admin API subset useful locally: <c>POST /admin/functions/{name}</c> (run a non-HTTP function
/// now, 202), <c>GET /admin/functions</c> and <c>GET /admin/host/status</c>. No master key locally,
/// as under Core Tools.
/// </summary>
internal static class AdminEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/admin/host/status", (AppDefinition app, WorkerHost worker, TriggerListeners listeners) => Results.Json(new
        {
            id = app.HostId,
            state = (worker.State == HostState.Running && !listeners.Started ? HostState.Starting : worker.State).ToString(),
            version = HostInfo.Version,
            workerProcessId = worker.WorkerProcessId,
        }));

        endpoints.MapGet("/admin/functions", (AppDefinition app, FunctionRegistry registry, HttpRequest request) => Results.Json(registry.Functions.Select(f => new
        {
            name = f.Name,
            trigger = f.Trigger.TypeName,
            invoke_url_template = f.Trigger is HttpTrigger http
                ? $"{request.Scheme}://{request.Host}/{HttpRoutes.RouteTemplate(app.RoutePrefix, http)}"
                : null,
        })));

        endpoints.MapPost("/admin/functions/{name}", InvokeAsync);
    }

    private static async Task<IResult> InvokeAsync(
        string name, HttpRequest request, TriggerListeners listeners, FunctionRegistry registry, IHostApplicationLifetime lifetime, HostLoggers logs)
    {
        var listener = listeners.Find(name);
        if (listener is null)
        {
            return registry.Find(name) is { Trigger: HttpTrigger }
                ? Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "HTTP functions are invoked over their route.")
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: $"No function named '{name}' is loaded.");
        }

        var input = await ReadInputAsync(request);
        _ = Task.Run(async () =>
        {
            try
            {
                await listener.RunNowAsync(input, lifetime.ApplicationStopping);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                HostLog.ListenerFailed(logs.Host, listener.Function.Name, ex.Message);
            }
        });
        return Results.Accepted();
    }

    /// <summary>The <c>input</c> of <c>{"input": ...}</c>: a string as is, anything else as JSON text; null without one.</summary>
    private static async Task<string?> ReadInputAsync(HttpRequest request)
    {
        try
        {
            using var doc = await JsonDocument.ParseAsync(request.Body, default, request.HttpContext.RequestAborted);
            return JsonFiles.Property(doc.RootElement, "input") switch
            {
                { ValueKind: JsonValueKind.String } s => s.GetString(),
                { ValueKind: JsonValueKind.Null } or null => null,
                { } other => other.GetRawText(),
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>The trigger listeners, created once the worker has indexed its functions.</summary>
internal sealed class TriggerListeners
{
    private volatile IReadOnlyList<ITriggerListener> listeners = [];
    private volatile bool started;

    public IReadOnlyList<ITriggerListener> All => listeners;

    /// <summary>Whether the routes are served and every listener is prepared (the host is Running only then).</summary>
    public bool Started => started;

    public void MarkStarted() => started = true;

    public void Set(IReadOnlyList<ITriggerListener> value) => listeners = value;

    public ITriggerListener? Find(string name) =>
        listeners.FirstOrDefault(l => string.Equals(l.Function.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// Once the worker has loaded its functions for the first time: prints the function list, serves
/// the HTTP routes and runs every timer and queue listener until the host stops.
/// </summary>
internal sealed class ListenerHost(
    IServiceProvider services, FunctionRegistry registry, TriggerListeners listeners, HttpRoutes routes, HttpProxy proxy,
    AppDefinition app, HostPort port, HostLoggers logs, AppSettings settings) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await registry.Loaded.WaitAsync(stoppingToken);
        var created = new List<ITriggerListener>();
        foreach (var function in registry.Functions)
        {
            switch (function.Trigger)
            {
                case TimerTrigger:
                    created.Add(ActivatorUtilities.CreateInstance<TimerListener>(services, function));
                    break;
                case QueueTrigger:
                    created.Add(ActivatorUtilities.CreateInstance<QueueListener>(services, function, app.Queues));
                    break;
            }
        }

        listeners.Set(created);
        routes.Set(app.RoutePrefix, registry.Functions, proxy.ServeAsync);
        await Task.WhenAll(created.Select(l => l.StartAsync(stoppingToken)));
        Console.Write(Summary(app, registry, port.Value));
        listeners.MarkStarted();
        await Task.WhenAll(created.Where(l => !IsDisabled(settings, l.Function.Name)).Select(l => RunAsync(l, stoppingToken)));
    }

    /// <summary>
    /// The host's <c>AzureWebJobs.{FunctionName}.Disabled</c> setting (<c>true</c> or <c>1</c>; <c>__</c> may stand for the
    /// dots in environment variables): the function's timer or queue trigger does not fire; it can still be run through
    /// <c>POST /admin/functions/{name}</c>.
    /// </summary>
    public static bool IsDisabled(AppSettings settings, string functionName)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var value = settings.Get($"AzureWebJobs.{functionName}.Disabled") ?? settings.Get($"AzureWebJobs__{functionName}__Disabled");
        return value is not null && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Core Tools' start-up listing: each function with its trigger, HTTP ones with methods and URL.</summary>
    public static string Summary(AppDefinition app, FunctionRegistry registry, int port)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(registry);
        var text = new System.Text.StringBuilder();
        foreach (var error in registry.Errors)
        {
            text.AppendLine(error);
        }

        text.AppendLine().AppendLine("Functions:").AppendLine();
        foreach (var function in registry.Functions)
        {
            var line = function.Trigger is HttpTrigger http
                ? $"[{(http.Methods.Count == 0 ? "GET,POST,PUT,PATCH,DELETE,HEAD,OPTIONS" : string.Join(',', http.Methods))}] http://localhost:{port}/{HttpRoutes.RouteTemplate(app.RoutePrefix, http)}"
                : function.Trigger.TypeName;
            text.AppendLine($"\t{function.Name}: {line}").AppendLine();
            foreach (var binding in function.UnsupportedBindings)
            {
                text.AppendLine($"\t  (binding {binding} is not run by the local host; it is ignored)").AppendLine();
            }
        }

        return text.ToString();
    }

    private async Task RunAsync(ITriggerListener listener, CancellationToken stoppingToken)
    {
        try
        {
            await listener.RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception ex)
        {
            HostLog.ListenerFailed(logs.Host, listener.Function.Name, ex.ToString());
        }
    }
}

/// <summary>The public HTTP port.</summary>
internal sealed record HostPort(int Value);
