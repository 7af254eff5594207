using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace DisclosurePipeline.Functions.Http;

/// <summary>
/// In front of <see cref="BearerKeyMiddleware"/>: a client (see <see cref="ClientAddress"/>) whose bearer keys failed
/// <see cref="FailedAuthLimiter.PermitLimit"/> times in the current window gets <c>429</c> with <c>Retry-After</c>
/// (problem+json) for every call that needs a key until the window ends, before its key is even looked at — so
/// guessing keys is slow, and a right guess is not told apart from a wrong one while blocked. Every <c>401</c> the
/// bearer-key middleware answers counts one failure. Anonymous functions (the dashboard page) are never limited.
/// </summary>
internal sealed partial class FailedAuthLimitMiddleware(
    FunctionAccess access,
    FailedAuthLimiter limiter,
    ILogger<FailedAuthLimitMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.GetHttpContext();
        if (http is null || access.Find(context.FunctionDefinition.Name) is { Anonymous: true })
        {
            await next(context);
            return;
        }

        var client = ClientAddress.Of(http);
        if (limiter.IsBlocked(client, out var retryAfter))
        {
            context.GetInvocationResult().Value = Problems.TooManyRequests(
                http.Response,
                retryAfter,
                "Too many requests with a missing or wrong key from this address; try again later.");
            return;
        }

        await next(context);
        if (context.GetInvocationResult().Value is IStatusCodeHttpResult { StatusCode: StatusCodes.Status401Unauthorized }
            && limiter.RecordFailure(client))
        {
            Log.ClientBlocked(logger, FailedAuthLimiter.PermitLimit, (int)FailedAuthLimiter.Window.TotalSeconds);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "A client failed authentication {Limit} times within {WindowSeconds} s; its calls get 429 until the window ends")]
        public static partial void ClientBlocked(ILogger logger, int limit, int windowSeconds);
    }
}
