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
        endpoints.MapGet("/admin/host/status", (AppDefinition app, HandlerProcess handler) => Results.Json(new
        {
            id = app.HostId,
            state = handler.WhenReadyAsync(CancellationToken.None).IsCompletedSuccessfully ? "Running" : "Error",
            version = InvocationClient.HostVersion,
        }));

        endpoints.MapGet("/admin/functions", (AppDefinition app, HttpRequest request) => Results.Json(app.Functions.Select(f => new
        {
            name = f.Name,
            trigger = f.Trigger.TypeName,
            invoke_url_template = f.Trigger is HttpTrigger http
                ? $"{request.Scheme}://{request.Host}/{HttpForwarder.RouteTemplate(app.RoutePrefix, http)}"
                : null,
        })));

        endpoints.MapPost("/admin/functions/{name}", InvokeAsync);
    }

    private static async Task<IResult> InvokeAsync(
        string name, HttpRequest request, IEnumerable<ITriggerListener> listeners, IHostApplicationLifetime lifetime, HostLoggers logs)
    {
        var listener = listeners.FirstOrDefault(l => string.Equals(l.Function.Name, name, StringComparison.OrdinalIgnoreCase));
        if (listener is null)
        {
            var app = request.HttpContext.RequestServices.GetRequiredService<AppDefinition>();
            return app.Find(name) is { Trigger: HttpTrigger }
                ? Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "HTTP functions are invoked over their route.")
                : Results.NotFound();
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

/// <summary>Runs every trigger listener once the handler is up; stops them before the handler stops.</summary>
internal sealed class ListenerHost(IEnumerable<ITriggerListener> listeners, HandlerProcess handler, HostLoggers logs) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await handler.WhenReadyAsync(stoppingToken);
        await Task.WhenAll(listeners.Select(l => RunAsync(l, stoppingToken)));
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
