using System.Text;
using FunctionsHost.Rpc;
using Google.Protobuf;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace FunctionsHost;

/// <summary>
/// Values to and from <see cref="TypedData"/> as the real host converts them: strings as
/// <c>string</c>, <c>byte[]</c> as <c>bytes</c>, doubles as <c>double</c>, a JObject as compact
/// <c>json</c>, and everything else (numbers, dates, dictionaries, POCOs) as Newtonsoft JSON.
/// Worker outputs come back as string, <c>byte[]</c>, arrays, or Newtonsoft values (dates left as text).
/// </summary>
internal static class RpcValues
{
    private static readonly JsonSerializerSettings ReadSettings = new() { DateParseHandling = DateParseHandling.None };

    /// <summary>A binding-data value as trigger metadata; null values are left out (null returned).</summary>
    public static TypedData? ToRpc(object? value) => value switch
    {
        null => null,
        string s => new TypedData { String = s },
        byte[] b => new TypedData { Bytes = ByteString.CopyFrom(b) },
        double d => new TypedData { Double = d },
        JObject o => new TypedData { Json = o.ToString(Formatting.None) },
        _ => new TypedData { Json = JsonConvert.SerializeObject(value) },
    };

    /// <summary>An output value from the worker as the host sees it (null for none, and for HTTP results).</summary>
    public static object? ToObject(TypedData? data) => data?.DataCase switch
    {
        TypedData.DataOneofCase.String => data.String,
        TypedData.DataOneofCase.Json => JsonConvert.DeserializeObject(data.Json, ReadSettings),
        TypedData.DataOneofCase.Bytes => data.Bytes.ToByteArray(),
        TypedData.DataOneofCase.Stream => data.Stream.ToByteArray(),
        TypedData.DataOneofCase.Int => data.Int,
        TypedData.DataOneofCase.Double => data.Double,
        TypedData.DataOneofCase.CollectionString => data.CollectionString.String.ToArray(),
        TypedData.DataOneofCase.CollectionBytes => data.CollectionBytes.Bytes.Select(b => b.ToByteArray()).ToArray(),
        TypedData.DataOneofCase.CollectionDouble => data.CollectionDouble.Double.ToArray(),
        TypedData.DataOneofCase.CollectionSint64 => data.CollectionSint64.Sint64.ToArray(),
        _ => null,
    };

    /// <summary>
    /// Copies the top-level properties of a JSON-object text into binding data, as the host's
    /// <c>Utility.ApplyBindingData</c>: objects as JObjects, arrays skipped, other values as their
    /// text (<c>42</c>, <c>True</c>); same-named keys are overwritten. Anything else is ignored.
    /// </summary>
    public static void ApplyBindingData(string text, IDictionary<string, object?> bindingData)
    {
        ArgumentNullException.ThrowIfNull(bindingData);
        var trimmed = text.Trim();
        if (!trimmed.StartsWith('{') || !trimmed.EndsWith('}'))
        {
            return;
        }

        JObject json;
        try
        {
            json = JObject.Parse(text, new JsonLoadSettings());
        }
        catch (JsonReaderException)
        {
            return;
        }

        foreach (var property in json.Properties())
        {
            switch (property.Value.Type)
            {
                case JTokenType.Array:
                    break;
                case JTokenType.Object:
                    bindingData[property.Name] = property.Value;
                    break;
                default:
                    bindingData[property.Name] = property.Value.ToString();
                    break;
            }
        }
    }

    /// <summary>Binding data as trigger metadata: null values and <c>sys</c> left out.</summary>
    public static void AddTriggerMetadata(InvocationRequest request, IEnumerable<KeyValuePair<string, object?>> bindingData)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (var (key, value) in bindingData)
        {
            if (!key.Equals("sys", StringComparison.OrdinalIgnoreCase) && ToRpc(value) is { } data)
            {
                request.TriggerMetadata[key] = data;
            }
        }
    }

    /// <summary>
    /// The messages a queue output value becomes (the host's <c>IAsyncCollector&lt;byte[]&gt;</c> path):
    /// a JSON array (or a string holding one) gives one message per element, a string holding other
    /// JSON gives one message, other arrays one per element, anything else one message. An element
    /// becomes its <c>ToString()</c> in UTF-8 (a JSON string without quotes, a JSON object indented),
    /// bytes stay bytes.
    /// </summary>
    public static IReadOnlyList<byte[]> QueueMessages(object? value)
    {
        if (value is null)
        {
            return [];
        }

        System.Collections.IEnumerable values;
        if (value is JArray array)
        {
            values = array;
        }
        else if (value is string s && LooksLikeJson(s))
        {
            var token = JToken.Parse(s);
            values = token is JArray parsed ? parsed : new JArray { token };
        }
        else if (value is Array other && value is not byte[])
        {
            values = other;
        }
        else
        {
            values = new[] { value };
        }

        var messages = new List<byte[]>();
        foreach (var item in values)
        {
            messages.Add(item as byte[] ?? Encoding.UTF8.GetBytes(item?.ToString() ?? ""));
        }

        return messages;
    }

    /// <summary>The host's <c>Utility.IsJson</c>: trimmed text in braces or brackets.</summary>
    private static bool LooksLikeJson(string text)
    {
        var t = text.Trim();
        return (t.StartsWith('{') && t.EndsWith('}')) || (t.StartsWith('[') && t.EndsWith(']'));
    }
}
