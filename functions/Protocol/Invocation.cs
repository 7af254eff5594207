using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DisclosurePipeline.Functions.Protocol;

/// <summary>
/// The host's invocation payload, <c>{"Data": {...}, "Metadata": {...}}</c>, read tolerantly:
/// the real host (source) double-encodes strings and sends numbers as strings, the docs show
/// single-encoded values; both decode to the same thing here.
/// </summary>
internal sealed class InvocationRequest
{
    private readonly JsonObject data;
    private readonly JsonObject metadata;

    private InvocationRequest(JsonObject data, JsonObject metadata)
    {
        this.data = data;
        this.metadata = metadata;
    }

    /// <summary>Parses a payload; property names are matched case-insensitively, as the host does.</summary>
    public static InvocationRequest Parse(JsonNode? body)
    {
        var root = body as JsonObject ?? throw new InvalidInvocationException("the invocation payload is not a JSON object");
        return new InvocationRequest(
            Find(root, "Data") as JsonObject ?? [],
            Find(root, "Metadata") as JsonObject ?? []);
    }

    /// <summary>A trigger or input binding's value, unwrapped (see <see cref="Unwrap"/>), or null when absent.</summary>
    public JsonNode? Data(string bindingName) => Unwrap(Find(data, bindingName));

    /// <summary>A trigger binding's value as text (a queue message), or null when absent.</summary>
    public string? DataText(string bindingName) => AsText(Find(data, bindingName));

    /// <summary>A metadata value as text, or null when absent.</summary>
    public string? MetadataText(string key) => AsText(Find(metadata, key));

    /// <summary>A metadata value as an integer (the host may send <c>"1"</c> or <c>1</c>).</summary>
    public int? MetadataInt(string key) =>
        int.TryParse(MetadataText(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>A metadata value as a timestamp, parsed leniently; null when absent or unreadable.</summary>
    public DateTimeOffset? MetadataTime(string key) => ParseTime(MetadataText(key));

    /// <summary>Parses a host timestamp leniently (<c>Z</c>, <c>+00:00</c> or no offset, which means UTC).</summary>
    public static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind | DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : null;

    /// <summary>
    /// Undoes the host's encodings: a string whose content is a quoted JSON string literal is decoded
    /// once more; a string that holds a JSON object or array is parsed. Anything else is returned as is.
    /// </summary>
    public static JsonNode? Unwrap(JsonNode? node)
    {
        if (node is JsonValue value && value.TryGetValue<string>(out var text))
        {
            text = StripQuotes(text);
            var trimmed = text.TrimStart();
            if (trimmed.StartsWith('{') || trimmed.StartsWith('['))
            {
                try
                {
                    return JsonNode.Parse(text);
                }
                catch (JsonException)
                {
                    return JsonValue.Create(text);
                }
            }

            return JsonValue.Create(text);
        }

        return node;
    }

    private static string? AsText(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => StripQuotes(s),
        JsonValue v => v.ToJsonString(),
        _ => node.ToJsonString(),
    };

    /// <summary>Removes one layer of JSON string encoding, if the text is a JSON string literal.</summary>
    private static string StripQuotes(string text)
    {
        if (text.Length >= 2 && text[0] == '"' && text[^1] == '"')
        {
            try
            {
                return JsonSerializer.Deserialize<string>(text) ?? text;
            }
            catch (JsonException)
            {
                return text;
            }
        }

        return text;
    }

    private static JsonNode? Find(JsonObject obj, string name)
    {
        if (obj.TryGetPropertyValue(name, out var exact))
        {
            return exact;
        }

        foreach (var (key, value) in obj)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }
}

/// <summary>The handler's answer: <c>{"Outputs": {...}, "Logs": [...], "ReturnValue": ...}</c>, never an empty body.</summary>
internal sealed class InvocationResponse
{
    /// <summary>Output bindings by their exact binding name.</summary>
    public Dictionary<string, JsonNode?> Outputs { get; } = new(StringComparer.Ordinal);

    /// <summary>Lines the host logs against the invocation.</summary>
    public List<string> Logs { get; } = [];

    /// <summary>The <c>$return</c> binding's value.</summary>
    public JsonNode? ReturnValue { get; set; }

    public JsonObject ToJson()
    {
        var outputs = new JsonObject();
        foreach (var (name, value) in Outputs)
        {
            outputs[name] = value?.DeepClone();
        }

        var logs = new JsonArray();
        foreach (var line in Logs)
        {
            logs.Add(line);
        }

        return new JsonObject
        {
            ["Outputs"] = outputs,
            ["Logs"] = logs,
            ["ReturnValue"] = ReturnValue?.DeepClone(),
        };
    }
}

/// <summary>The payload could not be read: the invocation fails (non-2xx), so the host retries or poisons it.</summary>
internal sealed class InvalidInvocationException(string message) : Exception(message);
