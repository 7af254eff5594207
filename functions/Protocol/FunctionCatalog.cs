using System.Text.Json.Nodes;

namespace DisclosurePipeline.Functions.Protocol;

/// <summary>
/// A non-HTTP function (timer or queue trigger): the host POSTs its payload to <c>/{Name}</c>.
/// Implementations are thin adapters: decode the trigger, call a service in shared/, map the result.
/// </summary>
internal interface ITriggeredFunction
{
    /// <summary>Runs the function. Throwing fails the invocation (the host retries a queue message).</summary>
    Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken);
}

/// <summary>The functions this handler serves by name; the folder name of each <c>function.json</c>.</summary>
internal static class FunctionCatalog
{
    /// <summary>Registers a triggered function under its folder name.</summary>
    public static IServiceCollection AddTriggeredFunction<T>(this IServiceCollection services, string name)
        where T : class, ITriggeredFunction =>
        services.AddKeyedScoped<ITriggeredFunction, T>(name).AddSingleton(new TriggeredFunctionName(name));

    /// <summary>Maps <c>POST /{FunctionName}</c> for every registered triggered function.</summary>
    public static IEndpointRouteBuilder MapTriggeredFunctions(this IEndpointRouteBuilder app)
    {
        foreach (var name in app.ServiceProvider.GetServices<TriggeredFunctionName>())
        {
            app.MapPost("/" + name.Value, (HttpContext context, CancellationToken cancellationToken) =>
                    InvokeAsync(name.Value, context, cancellationToken))
                .WithName(name.Value)
                .WithMetadata(name);
        }

        return app;
    }

    private static async Task<IResult> InvokeAsync(string name, HttpContext context, CancellationToken cancellationToken)
    {
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("DisclosurePipeline.Functions.Invocation");
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: cancellationToken);
        }
        catch (System.Text.Json.JsonException ex)
        {
            InvocationLog.BadPayload(logger, name, ex.Message);
            return Results.Json(new JsonObject { ["Logs"] = new JsonArray($"invalid payload: {ex.Message}") }, statusCode: 400);
        }

        var function = context.RequestServices.GetRequiredKeyedService<ITriggeredFunction>(name);
        try
        {
            var response = await function.InvokeAsync(InvocationRequest.Parse(body), cancellationToken);
            return Results.Json(response.ToJson());
        }
        catch (InvalidInvocationException ex)
        {
            InvocationLog.BadPayload(logger, name, ex.Message);
            return Results.Json(new JsonObject { ["Logs"] = new JsonArray(ex.Message) }, statusCode: 400);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A non-2xx answer fails the invocation: the host redelivers a queue message and, after
            // maxDequeueCount tries, moves it to the poison queue. The body still says why.
            InvocationLog.Failed(logger, name, ex);
            return Results.Json(new JsonObject { ["Logs"] = new JsonArray($"{name} failed: {ex.GetType().Name}: {ex.Message}") }, statusCode: 500);
        }
    }
}

/// <summary>Marks a registered triggered function's name (endpoint metadata and DI).</summary>
internal sealed record TriggeredFunctionName(string Value);

internal static partial class InvocationLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Invocation of {FunctionName} had an unreadable payload: {Reason}")]
    public static partial void BadPayload(ILogger logger, string functionName, string reason);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Invocation of {FunctionName} failed")]
    public static partial void Failed(ILogger logger, string functionName, Exception exception);
}
