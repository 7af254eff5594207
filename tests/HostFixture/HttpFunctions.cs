using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace HostFixture;

/// <summary>
/// HTTP functions through the ASP.NET Core integration: <c>Echo</c> (route parameter, query, body,
/// headers, binding data), <c>Number</c> (an int-constrained route), <c>Boom</c> (throws),
/// <c>Problem</c> (returns problem details), <c>Slow</c> (waits on the cancellation token),
/// <c>MultiOut</c> (queue outputs and an HTTP result) and <c>Ping</c> (benchmark).
/// </summary>
public sealed class HttpFunctions(InvocationLog log)
{
    [Function("Echo")]
    public async Task<IActionResult> Echo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "items/{id}")] HttpRequest req, string id, FunctionContext context)
    {
        using var reader = new StreamReader(req.Body);
        var body = await reader.ReadToEndAsync(context.CancellationToken);
        var headers = new JsonObject();
        foreach (var (name, values) in req.Headers)
        {
            headers[name] = values.ToString();
        }

        var record = new JsonObject
        {
            ["id"] = id,
            ["method"] = req.Method,
            ["path"] = req.Path.Value,
            ["query"] = req.QueryString.Value,
            ["tags"] = req.Query["tag"].ToString(),
            ["body"] = body,
            ["headers"] = headers,
            ["bindingData"] = InvocationLog.BindingData(context),
        };
        log.Append("Echo", record);
        return new OkObjectResult(record);
    }

    [Function("Number")]
    public IActionResult Number([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "numbers/{n:int}")] HttpRequest req, int n) =>
        new OkObjectResult(new { n, twice = n * 2 });

    [Function("Boom")]
    public IActionResult Boom([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post")] HttpRequest req) =>
        throw new InvalidOperationException("boom was asked to throw");

    [Function("Problem")]
    public IActionResult Problem([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequest req) =>
        new ObjectResult(new ProblemDetails { Status = 422, Title = "Not acceptable input", Detail = "the fixture always refuses" })
        {
            StatusCode = 422,
            ContentTypes = { "application/problem+json" },
        };

    [Function("Slow")]
    public async Task<IActionResult> Slow([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequest req, FunctionContext context)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMinutes(1), context.CancellationToken);
            return new OkResult();
        }
        catch (OperationCanceledException)
        {
            log.Append("Slow", new JsonObject { ["cancelled"] = true });
            throw;
        }
    }

    [Function("MultiOut")]
    public async Task<MultiOutput> MultiOut([HttpTrigger(AuthorizationLevel.Anonymous, "post")] HttpRequest req, FunctionContext context)
    {
        var items = await req.ReadFromJsonAsync<string[]>(context.CancellationToken) ?? [];
        return new MultiOutput
        {
            Messages = items,
            Audit = new AuditRecord { Source = "multi", Count = items.Length },
            Result = new OkObjectResult(new { queued = items.Length }),
        };
    }

    [Function("Ping")]
    public IActionResult Ping([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequest req) => new OkObjectResult(new { ok = true });
}

/// <summary>MultiOut's outputs: messages (one per element) and an audit record on two queues, and the HTTP answer.</summary>
public sealed class MultiOutput
{
    [QueueOutput("%MultiOutQueue%")]
    public string[] Messages { get; set; } = [];

    [QueueOutput("%AuditQueue%")]
    public AuditRecord? Audit { get; set; }

    [HttpResult]
    public IActionResult? Result { get; set; }
}

/// <summary>A POCO queue output.</summary>
public sealed class AuditRecord
{
    public string? Source { get; set; }

    public int Count { get; set; }
}
