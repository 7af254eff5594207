using System.Text;
using FunctionsHost.Rpc;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionsHost;

/// <summary>
/// Serves an HTTP function in proxy mode, as the real host does with the ASP.NET Core integration:
/// a body is buffered (read for binding data, then rewound), <c>x-ms-invocation-id</c> is added,
/// the request is forwarded with YARP to the worker's <c>HttpUri</c> and, alongside, the
/// InvocationRequest (an empty <c>RpcHttp</c> input plus trigger metadata) goes over gRPC. The
/// worker's answer streams back (for a function without queue outputs the response is completed as
/// soon as it is copied); a failed invocation whose response has not started becomes 500.
/// While no worker is ready (it is restarting, or the host gave up) a request is not forwarded but
/// answered 503 with <c>Retry-After</c>, as is one whose worker went away during it.
/// </summary>
internal sealed class HttpProxy : IDisposable
{
    public const string InvocationIdHeader = "x-ms-invocation-id";
    private const string Reason = "This function was programmatically called via the host APIs.";
    /// <summary>The largest body whose JSON properties become binding data; a larger one is forwarded but not bound.</summary>
    private const long BindingDataBodyBytes = 1024 * 1024;

    private static readonly ForwarderRequestConfig RequestConfig = new() { ActivityTimeout = TimeSpan.FromSeconds(240) };

    /// <summary>What <c>Retry-After</c> says while the worker restarts (a start takes a few seconds).</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    private readonly FunctionInvoker invoker;
    private readonly IHttpForwarder forwarder;
    private readonly WorkerHost workers;
    private readonly HttpMessageInvoker client = new(new RetryingHandler(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
    }));

    private readonly HttpInputLimits limits;

    public HttpProxy(FunctionInvoker invoker, IHttpForwarder forwarder, WorkerHost workers, HttpInputLimits limits)
    {
        this.invoker = invoker;
        this.forwarder = forwarder;
        this.workers = workers;
        this.limits = limits;
    }

    public void Dispose() => client.Dispose();

    public async Task ServeAsync(HttpContext context, FunctionDefinition function)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(function);
        if (!workers.IsReady)
        {
            await UnavailableAsync(context);
            return;
        }

        var request = context.Request;
        request.EnableBuffering();
        string? body;
        try
        {
            body = await ReadBodyAsync(request, context.RequestAborted);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await limits.TooLargeAsync(context);
            return;
        }

        var bindingData = HttpBindingData.Build(request.RouteValues, request.Query, request.Headers, body);
        var trigger = (HttpTrigger)function.Trigger;
        var input = new ParameterBinding { Name = trigger.BindingName, Data = new TypedData { Http = new RpcHttp() } };
        var outcome = await invoker.InvokeAsync(function, Reason, [input], bindingData, context.RequestAborted, new Forwarded(this, context, function));
        if (!outcome.Succeeded && !context.Response.HasStarted)
        {
            context.Response.Clear();
            if (outcome.WorkerUnavailable)
            {
                await UnavailableAsync(context);
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            }
        }
    }

    /// <summary>503 with <c>Retry-After</c> and problem details: the app is not there right now, the request was not run.</summary>
    public static Task UnavailableAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Service Unavailable",
            detail: "The function app is starting or restarting; try again shortly.").ExecuteAsync(context);
    }

    /// <summary>
    /// Buffers the whole body before the invocation starts (so a chunked body over the limit is refused, 413, before any
    /// function runs) and returns it as text for binding data when it is small enough to be JSON worth binding.
    /// </summary>
    private static async Task<string?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is null && !request.Headers.TransferEncoding.Any(v => v?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true))
        {
            return null;
        }

        await request.Body.CopyToAsync(Stream.Null, cancellationToken);
        request.Body.Position = 0;
        if (request.ContentLength is not > 0 || request.ContentLength > BindingDataBodyBytes)
        {
            return null;
        }

        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true))
        {
            body = await reader.ReadToEndAsync(cancellationToken);
        }

        request.Body.Position = 0;
        return body;
    }

    private sealed class Forwarded(HttpProxy proxy, HttpContext context, FunctionDefinition function) : IForwardedRequest
    {
        public Task<string?> StartAsync(WorkerChannel channel, string invocationId)
        {
            if (channel.HttpUri is not { } destination)
            {
                return Task.FromResult<string?>("The worker reported no HttpUri capability: HTTP functions need the ASP.NET Core integration (ConfigureFunctionsWebApplication); the RpcHttp payload mode is not supported by this host.");
            }

            context.Request.Headers[InvocationIdHeader] = invocationId;
            return ForwardAsync(destination);
        }

        public void Abort() => context.Abort();

        private async Task<string?> ForwardAsync(Uri destination)
        {
            var error = await proxy.forwarder.SendAsync(context, destination.ToString(), proxy.client, RequestConfig, HttpTransformer.Default);
            if (error != ForwarderError.None)
            {
                return $"Forwarding the request to the worker failed ({error}): {context.GetForwarderErrorFeature()?.Exception?.Message}";
            }

            // The worker's whole answer has been copied. Without queue outputs nothing that follows the
            // InvocationResponse can change what the client sees, so it gets the end of the response now;
            // with queue outputs the response ends only once they are written.
            if (function.QueueOutputs.Count == 0 && context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                await context.Response.CompleteAsync();
            }

            return null;
        }
    }

    /// <summary>The real host's retry toward the worker: up to 10 tries on connection errors, 50 ms doubling to 250 ms.</summary>
    private sealed class RetryingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private const int MaxTries = 10;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var delay = TimeSpan.FromMilliseconds(50);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await base.SendAsync(request, cancellationToken);
                }
                catch (HttpRequestException) when (attempt < MaxTries && !cancellationToken.IsCancellationRequested)
                {
                    await Task.Delay(delay, cancellationToken);
                    delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
                }
            }
        }
    }
}
