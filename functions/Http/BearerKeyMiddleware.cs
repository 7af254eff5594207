using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace DisclosurePipeline.Functions.Http;

/// <summary>
/// The worker middleware in front of every HTTP function: authenticates the bearer key, checks it against the
/// function's declared <see cref="AccessRule"/> and answers 401/403 (problem+json) instead of running the function;
/// sets <see cref="HttpContext.User"/> for the function. A function that throws answers a 500 problem and the
/// invocation still fails, so the host records it. Timer and queue functions pass straight through.
/// </summary>
internal sealed partial class BearerKeyMiddleware(
    FunctionAccess access,
    BearerKeyAuthenticator authenticator,
    ILogger<BearerKeyMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.GetHttpContext();
        if (http is null)
        {
            await next(context);
            return;
        }

        var name = context.FunctionDefinition.Name;
        var rule = access.Find(name);
        var caller = rule is { Anonymous: false }
            ? await authenticator.AuthenticateAsync(http.Request.Headers.Authorization, context.CancellationToken)
            : null;
        var refusal = AccessRule.Decide(rule, caller) switch
        {
            AccessDecision.Allowed => null,
            AccessDecision.Unauthenticated => Problems.Unauthorized(http.Response),
            AccessDecision.Forbidden => Problems.Forbidden(),
            _ => Undeclared(name),
        };
        if (refusal is not null)
        {
            context.GetInvocationResult().Value = refusal;
            return;
        }

        if (caller is not null)
        {
            http.User = caller;
        }

        try
        {
            await next(context);
        }
        catch (BadHttpRequestException ex) when (!http.Response.HasStarted)
        {
            // The request itself is broken (a body cut short, or longer than the server takes): the client's fault, a 4xx.
            Log.BadRequest(logger, name, ex.StatusCode);
            await Problems.Result(ex.StatusCode, ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Payload too large" : "Bad request", "The request could not be read: " + ex.Message).ExecuteAsync(http);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !http.Response.HasStarted && !StorageOutageMiddleware.Handles(ex, context, http))
        {
            Log.FunctionFailed(logger, name, ex);
            await Problems.ServerError().ExecuteAsync(http);
            throw;
        }
    }

    private IResult Undeclared(string name)
    {
        Log.NoAccessRule(logger, name);
        return Problems.Forbidden("This endpoint declares no role; it is refused to every caller.");
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5101, Level = LogLevel.Error, Message = "HTTP function {FunctionName} declares no access rule; the call is refused")]
        public static partial void NoAccessRule(ILogger logger, string functionName);

        [LoggerMessage(EventId = 5103, Level = LogLevel.Information, Message = "HTTP function {FunctionName}: the request could not be read ({StatusCode})")]
        public static partial void BadRequest(ILogger logger, string functionName, int statusCode);

        [LoggerMessage(EventId = 5102, Level = LogLevel.Error, Message = "HTTP function {FunctionName} failed")]
        public static partial void FunctionFailed(ILogger logger, string functionName, Exception exception);
    }
}
