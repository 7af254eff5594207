using System.Text;
using FunctionsHost.Rpc;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionsHost;

/// <summary>
/// Serves an HTTP function in proxy mode, as the real host does with the ASP.NET Core integration:
/// the body is buffered (read for binding data, then rewound), <c>x-ms-invocation-id</c> is added,
/// the request is forwarded with YARP to the worker's <c>HttpUri</c> and, alongside, the
/// InvocationRequest (an empty <c>RpcHttp</c> input plus trigger metadata) goes over gRPC. The
/// worker's answer streams back; a failed invocation whose response has not started becomes 500.
/// </summary>
internal sealed class HttpProxy : IDisposable
{
    public const string InvocationIdHeader = "x-ms-invocation-id";
    private const string Reason = "This function was programmatically called via the host APIs.";
    /// <summary>The largest body whose JSON properties become binding data; a larger one is forwarded but not bound.</summary>
    private const long BindingDataBodyBytes = 1024 * 1024;

    private static readonly ForwarderRequestConfig RequestConfig = new() { ActivityTimeout = TimeSpan.FromSeconds(240) };

    private readonly FunctionInvoker invoker;
    private readonly IHttpForwarder forwarder;
    private readonly HttpMessageInvoker client = new(new RetryingHandler(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
    }));

    private readonly HttpInputLimits limits;

    public HttpProxy(FunctionInvoker invoker, IHttpForwarder forwarder, HttpInputLimits limits)
    {
        this.invoker = invoker;
        this.forwarder = forwarder;
        this.limits = limits;
    }

    public void Dispose() => client.Dispose();

    public async Task ServeAsync(HttpContext context, FunctionDefinition function)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(function);
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
        var outcome = await invoker.InvokeAsync(function, Reason, [input], bindingData, context.RequestAborted, new Forwarded(this, context));
        if (!outcome.Succeeded && !context.Response.HasStarted)
        {
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        }
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

    private sealed class Forwarded(HttpProxy proxy, HttpContext context) : IForwardedRequest
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
            return error == ForwarderError.None
                ? null
                : $"Forwarding the request to the worker failed ({error}): {context.GetForwarderErrorFeature()?.Exception?.Message}";
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
