using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.WebUtilities;

namespace FunctionsHost;

/// <summary>
/// Serves HTTP functions on their declared routes (<c>/{routePrefix}/{route}</c>, ASP.NET Core route
/// templates, declared methods only) and, with <c>enableForwardingHttpRequest</c>, forwards each
/// request to the handler as the host does: same method, full path, query rebuilt from the parsed
/// query, all headers, the body when Content-Length &gt; 0; the handler's answer goes back unchanged.
/// </summary>
internal sealed class HttpForwarder : IDisposable
{
    private const string Reason = "This function was programmatically called via the host APIs.";
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection",
    };

    private readonly AppDefinition app;
    private readonly HandlerProcess handler;
    private readonly HostLoggers logs;
    private readonly TimeProvider clock;
    private readonly HttpClient http = InvocationClient.CreateHandlerClient();

    public HttpForwarder(AppDefinition app, HandlerProcess handler, HostLoggers logs, TimeProvider clock)
    {
        this.app = app;
        this.handler = handler;
        this.logs = logs;
        this.clock = clock;
    }

    /// <summary>The route template a function is served on.</summary>
    public static string RouteTemplate(string routePrefix, HttpTrigger trigger) =>
        routePrefix.Length == 0 ? trigger.Route : routePrefix + "/" + trigger.Route;

    /// <summary>Whether a template parses as an ASP.NET Core route template.</summary>
    public static string? TemplateError(string template)
    {
        try
        {
            RoutePatternFactory.Parse(template);
            return null;
        }
        catch (RoutePatternException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>Maps every HTTP function's route to <paramref name="serve"/> (the forwarder, or a test's stand-in).</summary>
    public static void MapRoutes(IEndpointRouteBuilder endpoints, AppDefinition app, Func<HttpContext, FunctionDefinition, Task> serve)
    {
        foreach (var function in app.Functions)
        {
            if (function.Trigger is not HttpTrigger trigger)
            {
                continue;
            }

            var template = RouteTemplate(app.RoutePrefix, trigger);
            Task Serve(HttpContext context) => serve(context, function);
            var endpoint = trigger.Methods.Count == 0 ? endpoints.Map(template, Serve) : endpoints.MapMethods(template, trigger.Methods, Serve);
            endpoint.WithDisplayName("Functions." + function.Name);
        }
    }

    public void Map(IEndpointRouteBuilder endpoints) => MapRoutes(endpoints, app, ForwardAsync);

    /// <summary>
    /// Routing as the host answers it: a path that matches a route but none of its methods is a 404
    /// (ASP.NET Core would answer 405 through a rejection endpoint, which is not a route endpoint).
    /// </summary>
    public static void UseFunctionsRouting(IApplicationBuilder app)
    {
        app.UseRouting();
        app.Use((context, next) =>
        {
            if (context.GetEndpoint() is { } endpoint and not RouteEndpoint)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });
    }

    public void Dispose() => http.Dispose();

    /// <summary>The query string the host sends on: the parsed query, repeated keys joined with commas.</summary>
    internal static string RebuildQuery(string baseUri, IQueryCollection query) =>
        QueryHelpers.AddQueryString(baseUri, query.Select(q => KeyValuePair.Create(q.Key, (string?)string.Join(',', q.Value.ToArray()))));

    private async Task ForwardAsync(HttpContext context, FunctionDefinition function)
    {
        var trigger = (HttpTrigger)function.Trigger;
        if (!app.Handler.EnableForwardingHttpRequest || !trigger.IsHttpInAndOut)
        {
            await Results.Problem(
                title: "Not supported by the local host",
                detail: $"'{function.Name}' would be invoked with the JSON payload protocol (enableForwardingHttpRequest is off, or the function has bindings besides httpTrigger and http). The local Functions host only forwards HTTP requests.",
                statusCode: StatusCodes.Status501NotImplemented).ExecuteAsync(context);
            return;
        }

        var logger = logs.Function(function.Name);
        var id = Guid.NewGuid();
        HostLog.Executing(logger, function.Name, Reason, id);
        var started = clock.GetTimestamp();
        var aborted = context.RequestAborted;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        timeout.CancelAfter(app.FunctionTimeout);
        try
        {
            var address = await handler.WhenReadyAsync(timeout.Token);
            using var request = BuildRequest(context.Request, address, id, logger);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var header in response.Headers.Concat(response.Content.Headers))
            {
                if (!HopByHop.Contains(header.Key))
                {
                    context.Response.Headers[header.Key] = header.Value.ToArray();
                }
            }

            await response.Content.CopyToAsync(context.Response.Body, timeout.Token);
            HostLog.Succeeded(logger, function.Name, id, (long)clock.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !aborted.IsCancellationRequested))
        {
            var error = ex is OperationCanceledException
                ? $"Timeout value of {app.FunctionTimeout} was exceeded by function: Functions.{function.Name}"
                : $"The handler could not be reached: {ex.Message}";
            HostLog.Failed(logger, function.Name, id, (long)clock.GetElapsedTime(started).TotalMilliseconds, error);
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            }
        }
    }

    private static HttpRequestMessage BuildRequest(HttpRequest incoming, Uri handlerAddress, Guid invocationId, ILogger logger)
    {
        var path = (incoming.PathBase + incoming.Path).ToUriComponent();
        var uri = RebuildQuery(new Uri(handlerAddress, path).ToString(), incoming.Query);
        var request = new HttpRequestMessage(new HttpMethod(incoming.Method), uri);
        foreach (var header in incoming.Headers)
        {
            if (!HopByHop.Contains(header.Key))
            {
                // Content headers are refused here and set on the content below, as the host does.
                request.Headers.TryAddWithoutValidation(header.Key, header.Value.AsEnumerable());
            }
        }

        if (incoming.ContentLength > 0)
        {
            request.Content = new StreamContent(incoming.Body);
            request.Content.Headers.ContentLength = incoming.ContentLength;
            if (!string.IsNullOrEmpty(incoming.ContentType))
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", incoming.ContentType);
            }
        }
        else if (incoming.ContentLength is null && incoming.Headers.TransferEncoding.Count > 0)
        {
            HostLog.ChunkedBodyDropped(logger);
        }

        InvocationClient.AddHostHeaders(request, invocationId);
        return request;
    }
}
