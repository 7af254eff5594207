using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Primitives;

namespace FunctionsHost;

/// <summary>
/// The HTTP functions' routes, known once the worker has indexed its functions: one endpoint per
/// function on <c>/{routePrefix}/{route}</c> (ASP.NET Core route templates, constraints such as
/// <c>{id:int}</c> included) with its declared methods, the same table the worker builds for itself.
/// </summary>
internal sealed class HttpRoutes : EndpointDataSource
{
    private readonly Lock gate = new();
    private IReadOnlyList<Endpoint> endpoints = [];
    private CancellationTokenSource changed = new();

    public override IReadOnlyList<Endpoint> Endpoints => endpoints;

    /// <summary>The route template a function is served on.</summary>
    public static string RouteTemplate(string routePrefix, HttpTrigger trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        return routePrefix.Length == 0 ? trigger.Route : routePrefix + "/" + trigger.Route;
    }

    /// <summary>Why a template does not parse as an ASP.NET Core route template, or null.</summary>
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

    public override IChangeToken GetChangeToken() => new CancellationChangeToken(changed.Token);

    /// <summary>Serves every HTTP function through <paramref name="serve"/> (the proxy, or a test's stand-in).</summary>
    public void Set(string routePrefix, IEnumerable<FunctionDefinition> functions, Func<HttpContext, FunctionDefinition, Task> serve)
    {
        ArgumentNullException.ThrowIfNull(functions);
        ArgumentNullException.ThrowIfNull(serve);
        var list = new List<Endpoint>();
        foreach (var function in functions)
        {
            if (function.Trigger is not HttpTrigger trigger)
            {
                continue;
            }

            var builder = new RouteEndpointBuilder(context => serve(context, function), RoutePatternFactory.Parse(RouteTemplate(routePrefix, trigger)), order: 0)
            {
                DisplayName = "Functions." + function.Name,
            };
            if (trigger.Methods.Count > 0)
            {
                builder.Metadata.Add(new HttpMethodMetadata(trigger.Methods));
            }

            builder.Metadata.Add(function);
            list.Add(builder.Build());
        }

        CancellationTokenSource previous;
        lock (gate)
        {
            endpoints = list;
            previous = changed;
            changed = new CancellationTokenSource();
        }

        previous.Cancel();
        previous.Dispose();
    }

    /// <summary>
    /// Routing as the host answers it: a path that matches a route but none of its methods, or no
    /// route at all, is a 404 with problem details (ASP.NET Core would answer 405 for the first).
    /// Before the worker has first reported its functions, a path under the route prefix is a 503
    /// with <c>Retry-After</c> instead: the routes are not known yet.
    /// </summary>
    public static void UseFunctionsRouting(IApplicationBuilder app)
    {
        app.UseRouting();
        app.Use((context, next) =>
            context.GetEndpoint() is RouteEndpoint ? next(context)
            : NotYetIndexed(context) ? HttpProxy.UnavailableAsync(context)
            : NotFoundAsync(context));
    }

    private static bool NotYetIndexed(HttpContext context) =>
        context.RequestServices.GetService<FunctionRegistry>() is { Loaded.IsCompleted: false }
        && context.RequestServices.GetService<AppDefinition>() is { } app
        && (app.RoutePrefix.Length == 0 || context.Request.Path.StartsWithSegments("/" + app.RoutePrefix, StringComparison.OrdinalIgnoreCase))
        && !context.Request.Path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase);

    public static Task NotFoundAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Results.Problem(
            statusCode: StatusCodes.Status404NotFound,
            title: "Not Found",
            detail: $"No function is served on {context.Request.Method} {context.Request.Path}.").ExecuteAsync(context);
    }
}

/// <summary>
/// The trigger metadata of an HTTP invocation in proxy mode, as the real host builds it: the
/// top-level properties of a JSON body (when the request has a body), each query value (the last
/// one of a repeated key; <c>code</c> left out), each route value, <c>Query</c> (every key, the last
/// value) and <c>Headers</c> (as received).
/// </summary>
internal static class HttpBindingData
{
    public static Dictionary<string, object?> Build(RouteValueDictionary routeValues, IQueryCollection query, IHeaderDictionary headers, string? body)
    {
        ArgumentNullException.ThrowIfNull(routeValues);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(headers);
        var data = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        if (!string.IsNullOrEmpty(body))
        {
            RpcValues.ApplyBindingData(body, data);
        }

        var allQuery = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, values) in query)
        {
            var last = values.Count > 0 ? values[^1] ?? "" : "";
            allQuery[key] = last;
            if (!key.Equals("code", StringComparison.OrdinalIgnoreCase))
            {
                data[key] = last;
            }
        }

        foreach (var (key, value) in routeValues)
        {
            if (value is not null)
            {
                data[key] = value.ToString();
            }
        }

        data["Query"] = allQuery;
        data["Headers"] = headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        return data;
    }
}
