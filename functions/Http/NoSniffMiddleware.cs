using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace DisclosurePipeline.Functions.Http;

/// <summary>
/// Every HTTP answer carries <c>X-Content-Type-Options: nosniff</c>, so a browser never reads a download (a plan's
/// PDF, a CSV export) or an error body as anything but its declared content type.
/// </summary>
internal sealed class NoSniffMiddleware : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.GetHttpContext() is { } http)
        {
            http.Response.Headers.XContentTypeOptions = "nosniff";
        }

        await next(context);
    }
}
