using System.Text.Json;

namespace DisclosurePipeline.PublicData;

/// <summary>The platform's JSON: web defaults (camelCase), for requests Refit sends and answers the port reads.</summary>
internal static class PublicDataJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
