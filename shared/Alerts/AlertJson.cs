using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace DisclosurePipeline.Alerts;

/// <summary>How alert bodies are serialised: web defaults, UTF-8 with Chinese text as is (not <c>\u</c>-escaped).</summary>
internal static class AlertJson
{
    /// <summary>The contract's alert object, exactly as it has always been sent.</summary>
    public static readonly JsonSerializerOptions Contract = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    };

    /// <summary>
    /// Chat messages, digests and reminders: also leaves <c>&amp; &lt; &gt; + `</c> unescaped, so Slack's mrkdwn entities and
    /// links read as sent. These bodies are posted as JSON, never embedded in HTML.
    /// </summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The UTF-8 size of a node as it will be sent.</summary>
    public static int Bytes(JsonNode node) => Encoding.UTF8.GetByteCount(node.ToJsonString(Options));

    public static JsonObject Bilingual(string zh, string en) => new() { ["zh"] = zh, ["en"] = en };
}
