using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace FunctionsHost;

/// <summary>
/// Invokes a non-HTTP function the way the host does: <c>POST /{FunctionName}</c> with
/// <c>{"Data","Metadata"}</c>. The invocation succeeds only on a 2xx answer whose body is a JSON
/// object; anything else, a transport error or running past <c>functionTimeout</c> fails it.
/// Logs <c>Executing</c>/<c>Executed</c> lines and the handler's returned <c>Logs</c>.
/// </summary>
internal sealed class InvocationClient : IDisposable
{
    /// <summary>The version this host reports; shaped like the real host's.</summary>
    public const string HostVersion = "4.1037.1.1";

    private readonly HandlerProcess handler;
    private readonly TimeSpan functionTimeout;
    private readonly HostLoggers logs;
    private readonly TimeProvider clock;
    private readonly HttpClient http = CreateHandlerClient();

    public InvocationClient(HandlerProcess handler, AppDefinition app, HostLoggers logs, TimeProvider clock)
    {
        this.handler = handler;
        functionTimeout = app.FunctionTimeout;
        this.logs = logs;
        this.clock = clock;
    }

    /// <summary>An HttpClient toward the handler: no proxy, no redirects, no cookies, no client-side timeout.</summary>
    public static HttpClient CreateHandlerClient() =>
        new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

    /// <summary>Adds the host's headers to a request toward the handler.</summary>
    public static void AddHostHeaders(HttpRequestMessage request, Guid invocationId)
    {
        request.Headers.Add("X-Azure-Functions-HostVersion", HostVersion);
        request.Headers.Add("X-Azure-Functions-InvocationId", invocationId.ToString());
        request.Headers.UserAgent.ParseAdd("Azure-Functions-Host/" + HostVersion);
    }

    /// <summary>Runs one invocation; true when it succeeded.</summary>
    public async Task<bool> InvokeAsync(string functionName, string reason, JObject data, JObject metadata, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid();
        var logger = logs.Function(functionName);
        HostLog.Executing(logger, functionName, reason, id);
        var started = clock.GetTimestamp();
        var error = await SendAsync(functionName, id, new JObject { ["Data"] = data, ["Metadata"] = metadata }, logger, cancellationToken);
        var elapsed = (long)clock.GetElapsedTime(started).TotalMilliseconds;
        if (error is null)
        {
            HostLog.Succeeded(logger, functionName, id, elapsed);
            return true;
        }

        HostLog.Failed(logger, functionName, id, elapsed, error);
        return false;
    }

    public void Dispose() => http.Dispose();

    /// <summary>Null when the invocation succeeded, else why it failed.</summary>
    private async Task<string?> SendAsync(string functionName, Guid id, JObject payload, ILogger logger, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(functionTimeout);
        try
        {
            var address = await handler.WhenReadyAsync(timeout.Token);
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, functionName))
            {
                Content = new StringContent(payload.ToString(Formatting.None), Encoding.UTF8, "application/json"),
            };
            AddHostHeaders(request, id);
            using var response = await http.SendAsync(request, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                return $"The handler answered {(int)response.StatusCode} ({response.ReasonPhrase}). {Snippet(body)}".TrimEnd();
            }

            if (!IsJsonMediaType(response.Content.Headers.ContentType))
            {
                return $"The handler's answer is not JSON (Content-Type '{response.Content.Headers.ContentType}'); return 200 with application/json and at least {{}}.";
            }

            if (!TryReadLogs(body, out var lines, out var problem))
            {
                return problem;
            }

            foreach (var line in lines)
            {
                HostLog.FunctionLog(logger, line);
            }

            return null;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return $"Timeout value of {functionTimeout} was exceeded by function: Functions.{functionName}";
        }
        catch (HttpRequestException ex)
        {
            return $"The handler could not be reached: {ex.Message}";
        }
    }

    /// <summary>Reads the answer's <c>Logs</c> (names match case-insensitively); false when the body is not a JSON object.</summary>
    internal static bool TryReadLogs(string body, out IReadOnlyList<string> lines, [NotNullWhen(false)] out string? problem)
    {
        lines = [];
        problem = null;
        if (string.IsNullOrWhiteSpace(body))
        {
            problem = "The handler answered with an empty body; always return at least {} (the real host would wait until functionTimeout).";
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = $"The handler's answer is not a JSON object: {Snippet(body)}";
                return false;
            }

            if (JsonFiles.Property(doc.RootElement, "Logs") is { ValueKind: JsonValueKind.Array } logs)
            {
                lines = [.. logs.EnumerateArray().Select(l => l.ValueKind == JsonValueKind.String ? l.GetString()! : l.GetRawText())];
            }

            return true;
        }
        catch (System.Text.Json.JsonException ex)
        {
            problem = $"The handler's answer is not valid JSON ({ex.Message}): {Snippet(body)}";
            return false;
        }
    }

    private static bool IsJsonMediaType(MediaTypeHeaderValue? contentType) =>
        contentType?.MediaType is { } media
        && (media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.Equals("text/json", StringComparison.OrdinalIgnoreCase)
            || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    private static string Snippet(string body) => body.Length <= 500 ? body : body[..500] + "...";
}

/// <summary>
/// How the host puts values into an invocation payload (<c>GetHttpScriptInvocationContextValue</c>):
/// strings are JSON-serialized once more (so they arrive double-encoded), numbers and bools become
/// strings, objects stay objects, timestamps lose their fractional seconds.
/// </summary>
internal static class InvocationPayload
{
    public static JToken Encode(object value) => value switch
    {
        JObject obj => obj,
        DateTimeOffset time => new JValue(TruncateToSeconds(time)),
        DateTime time => new JValue(new DateTime(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), time.Kind)),
        _ => new JValue(JsonConvert.SerializeObject(value)),
    };

    /// <summary><c>Metadata.sys</c>: the method name, the invocation's UTC time and a random guid.</summary>
    public static JObject Sys(string functionName, DateTimeOffset utcNow) => new()
    {
        ["MethodName"] = functionName,
        ["UtcNow"] = utcNow.UtcDateTime,
        ["RandGuid"] = Guid.NewGuid().ToString(),
    };

    /// <summary>
    /// Binding data into Metadata: keys ending in "trigger" are left out (as the host does), null values
    /// are skipped, everything else is encoded.
    /// </summary>
    public static JObject Metadata(IReadOnlyDictionary<string, object?> bindingData, string functionName, DateTimeOffset utcNow)
    {
        var metadata = new JObject();
        foreach (var (key, value) in bindingData)
        {
            if (value is not null && !key.EndsWith("trigger", StringComparison.OrdinalIgnoreCase))
            {
                metadata[key] = Encode(value);
            }
        }

        metadata["sys"] = Sys(functionName, utcNow);
        return metadata;
    }

    /// <summary>
    /// The host's <c>ApplyBindingData</c>: a message that is a JSON object adds its top-level
    /// non-array properties to the binding data (objects as objects, the rest as their string form),
    /// overriding built-in keys case-insensitively.
    /// </summary>
    public static void ApplyBindingData(string text, IDictionary<string, object?> bindingData)
    {
        var trimmed = text.Trim();
        if (!(trimmed.StartsWith('{') && trimmed.EndsWith('}')))
        {
            return;
        }

        try
        {
            var parsed = JObject.Parse(trimmed);
            foreach (var property in parsed.Properties())
            {
                if (property.Value.Type == JTokenType.Array)
                {
                    continue;
                }

                object? value = property.Value.Type == JTokenType.Object ? (JObject)property.Value : (string?)property.Value;
                if (value is not null)
                {
                    bindingData[property.Name] = value;
                }
            }
        }
        catch (JsonReaderException)
        {
            // Not JSON after all: no extra binding data, as in the host.
        }
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time) =>
        new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), time.Offset);

    /// <summary>Formats a time the way the payload carries it (for logs and tests).</summary>
    public static string Iso(DateTimeOffset time) => time.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);
}
