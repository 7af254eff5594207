using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using DisclosurePipeline.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DisclosurePipeline.Tests.Violations;

/// <summary>A real webhook receiver (Kestrel on a free loopback port) that records every POST it gets.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private int failuresLeft;

    private WebhookReceiver(WebApplication app, Uri url)
    {
        this.app = app;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>Every request, in arrival order: the Idempotency-Key header and the JSON body.</summary>
    public ConcurrentQueue<(string? Key, JsonObject Body)> Received { get; } = new();

    /// <summary>Every request's raw body text and Content-Length header, in arrival order.</summary>
    public ConcurrentQueue<(string Text, long? ContentLength)> Raw { get; } = new();

    /// <summary>Answers the next <paramref name="count"/> requests with 503 (they are still recorded).</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref failuresLeft, count);

    public static async Task<WebhookReceiver> StartAsync(CancellationToken cancellationToken)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, new Uri($"http://127.0.0.1:{port}/hooks/alerts"));
        app.MapPost("/hooks/alerts", async (HttpRequest request) =>
        {
            var text = await new StreamReader(request.Body, System.Text.Encoding.UTF8).ReadToEndAsync();
            receiver.Raw.Enqueue((text, request.ContentLength));
            var body = (JsonObject)JsonNode.Parse(text)!;
            receiver.Received.Enqueue((request.Headers["Idempotency-Key"].ToString(), body));
            return Interlocked.Decrement(ref receiver.failuresLeft) >= 0 ? Results.StatusCode(503) : Results.Ok();
        });
        await app.StartAsync(cancellationToken);
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
