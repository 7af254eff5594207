using System.Text.Json;
using System.Text.Json.Nodes;

// A minimal custom handler for the local Functions host's tests. Every invocation is appended as
// one JSON line to $FIXTURE_LOG_DIR/{Function}.jsonl (the payload exactly as received, plus the
// request's headers), so tests can assert what the host sent.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var port = Environment.GetEnvironmentVariable("FUNCTIONS_CUSTOMHANDLER_PORT") ?? "8080";
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
var app = builder.Build();
var log = new InvocationLog(Environment.GetEnvironmentVariable("FIXTURE_LOG_DIR"));

app.MapGet("/", () => "ready");

app.MapPost("/Tick", async (HttpRequest request) =>
{
    var payload = await JsonNode.ParseAsync(request.Body);
    log.Append("Tick", new JsonObject { ["headers"] = InvocationLog.Headers(request), ["payload"] = payload });
    return Results.Json(new JsonObject { ["Outputs"] = new JsonObject(), ["Logs"] = new JsonArray("tick ran"), ["ReturnValue"] = null });
});

app.MapPost("/Work", async (HttpRequest request) =>
{
    var payload = await JsonNode.ParseAsync(request.Body);
    log.Append("Work", new JsonObject { ["headers"] = InvocationLog.Headers(request), ["payload"] = payload?.DeepClone() });
    var message = payload?["Data"]?["msg"]?.GetValue<string>() ?? "";
    if (message.StartsWith('"'))
    {
        message = JsonSerializer.Deserialize<string>(message) ?? "";
    }

    return message.Contains("fail", StringComparison.Ordinal)
        ? Results.Json(new JsonObject { ["Logs"] = new JsonArray("asked to fail") }, statusCode: 500)
        : Results.Json(new JsonObject { ["Outputs"] = new JsonObject(), ["Logs"] = new JsonArray($"worked on {message.Length} chars") });
});

// Forwarded HTTP function: the host sends the original request to its public path.
app.MapMethods("/api/echo/{id}", ["GET", "POST"], async (string id, HttpRequest request, HttpResponse response) =>
{
    using var reader = new StreamReader(request.Body);
    var body = await reader.ReadToEndAsync();
    var record = new JsonObject
    {
        ["method"] = request.Method,
        ["path"] = request.Path.Value,
        ["query"] = request.QueryString.Value,
        ["headers"] = InvocationLog.Headers(request),
        ["body"] = body,
    };
    log.Append("Echo", record);
    if (request.Query["env"] is { Count: > 0 } env)
    {
        record["env"] = Environment.GetEnvironmentVariable(env[0]!);
    }

    if (request.Query.ContainsKey("exit"))
    {
        // Lets tests crash the handler: exit right after this answer went out.
        response.OnCompleted(() =>
        {
            _ = Task.Run(async () =>
            {
                await Task.Delay(50);
                Environment.Exit(3);
            });
            return Task.CompletedTask;
        });
    }

    response.Headers["X-Echo"] = id;
    if (request.Query["location"] is { Count: > 0 } location)
    {
        response.Headers.Location = location[0];
    }

    var status = int.TryParse(request.Query["status"], out var s) ? s : 200;
    return Results.Json(record, statusCode: status);
});

app.Run();

internal sealed class InvocationLog(string? directory)
{
    private readonly Lock gate = new();

    public void Append(string function, JsonObject record)
    {
        if (directory is null)
        {
            return;
        }

        lock (gate)
        {
            File.AppendAllText(Path.Combine(directory, function + ".jsonl"), record.ToJsonString() + "\n");
        }
    }

    public static JsonObject Headers(HttpRequest request)
    {
        var headers = new JsonObject();
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = string.Join(", ", values.ToArray());
        }

        return headers;
    }
}
