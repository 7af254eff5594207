using DisclosurePipeline.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace DisclosurePipeline.Functions.Http;

/// <summary>
/// The outermost worker middleware of every HTTP function: when storage cannot be reached (see
/// <see cref="StorageFaults.IsOutage"/>) — while authenticating a supplier key or inside the function — the caller
/// gets <c>503</c> with <c>Retry-After</c> and a problem+json body that names no internals, instead of a 500. The
/// invocation still fails, so the host records it. Other exceptions, and timer and queue functions, pass through.
/// </summary>
internal sealed partial class StorageOutageMiddleware(ILogger<StorageOutageMiddleware> logger) : IFunctionsWorkerMiddleware
{
    /// <summary>What <c>Retry-After</c> says: the storage client has already retried for several seconds.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(10);

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

        try
        {
            await next(context);
        }
        catch (Exception ex) when (!http.Response.HasStarted && StorageFaults.IsOutage(ex, CallerGaveUp(context, http)))
        {
            Log.StorageUnavailable(logger, context.FunctionDefinition.Name, ex);
            await Problems.Unavailable(http.Response, RetryAfter).ExecuteAsync(http);
            throw;
        }
    }

    /// <summary>True when storage failures are what <see cref="BearerKeyMiddleware"/> leaves to this middleware.</summary>
    public static bool Handles(Exception exception, FunctionContext context, HttpContext http) =>
        StorageFaults.IsOutage(exception, CallerGaveUp(context, http));

    private static bool CallerGaveUp(FunctionContext context, HttpContext http) =>
        context.CancellationToken.IsCancellationRequested || http.RequestAborted.IsCancellationRequested;

    private static partial class Log
    {
        [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "HTTP function {FunctionName}: storage is unavailable; answered 503")]
        public static partial void StorageUnavailable(ILogger logger, string functionName, Exception exception);
    }
}
