using System.Text.Json;
using System.Text.RegularExpressions;

namespace FunctionsHost;

/// <summary>
/// App settings, as Core Tools sees them: the process environment, after <c>local.settings.json</c>'s
/// <c>Values</c> were copied into it for every variable the environment does not already set.
/// </summary>
internal sealed partial class AppSettings
{
    public const string StorageSetting = "AzureWebJobsStorage";
    public const string DevelopmentStorage = "UseDevelopmentStorage=true";

    private readonly Func<string, string?> lookup;

    public AppSettings(Func<string, string?> lookup) => this.lookup = lookup;

    /// <summary>Settings read from the process environment.</summary>
    public static AppSettings FromEnvironment { get; } = new(Environment.GetEnvironmentVariable);

    /// <summary>The port from <c>local.settings.json</c>'s <c>Host.LocalHttpPort</c>, when set.</summary>
    public int? LocalHttpPort { get; private init; }

    /// <summary>
    /// Copies <c>Values</c> from a <c>local.settings.json</c> into the process environment for every
    /// variable that is unset or empty (func's rule: the environment wins). A missing file is fine.
    /// </summary>
    /// <returns>The settings, plus the names that were skipped because the environment already set them.</returns>
    public static (AppSettings Settings, IReadOnlyList<string> Skipped) Load(string? localSettingsPath)
    {
        var skipped = new List<string>();
        int? localPort = null;
        if (localSettingsPath is not null && File.Exists(localSettingsPath))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(localSettingsPath), JsonFiles.Options);
            if (JsonFiles.Property(doc.RootElement, "Values") is { ValueKind: JsonValueKind.Object } values)
            {
                foreach (var setting in values.EnumerateObject())
                {
                    var value = setting.Value.ValueKind == JsonValueKind.String ? setting.Value.GetString() : setting.Value.GetRawText();
                    if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(setting.Name)))
                    {
                        Environment.SetEnvironmentVariable(setting.Name, value);
                    }
                    else
                    {
                        skipped.Add(setting.Name);
                    }
                }
            }

            if (JsonFiles.Property(doc.RootElement, "Host") is { ValueKind: JsonValueKind.Object } host
                && JsonFiles.Property(host, "LocalHttpPort") is { ValueKind: JsonValueKind.Number } port)
            {
                localPort = port.GetInt32();
            }
        }

        return (new AppSettings(Environment.GetEnvironmentVariable) { LocalHttpPort = localPort }, skipped);
    }

    /// <summary>A setting's value, or null when it is unset or empty.</summary>
    public string? Get(string name) => lookup(name) is { Length: > 0 } value ? value : null;

    /// <summary>
    /// Resolves a binding value as the host's name resolver does: every <c>%Name%</c> in it is
    /// replaced by that setting, and an unset setting is an error.
    /// </summary>
    public string Resolve(string value) =>
        SettingReference().Replace(value, match =>
        {
            var name = match.Groups[1].Value;
            return Get(name) ?? throw new InvalidOperationException($"'%{name}%' does not resolve to a value (set '{name}' in the environment or local.settings.json).");
        });

    /// <summary>
    /// The storage connection string for a binding's <c>connection</c>: the setting it names (empty or
    /// missing means <c>AzureWebJobsStorage</c>), also tried with the <c>AzureWebJobs</c> prefix;
    /// <c>UseDevelopmentStorage=true</c> when nothing is set.
    /// </summary>
    public string StorageConnectionString(string? connection)
    {
        var name = string.IsNullOrWhiteSpace(connection) ? StorageSetting : connection;
        return Get(name) ?? Get("AzureWebJobs" + name) ?? DevelopmentStorage;
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingReference();

}

/// <summary>How host.json, function.json and local.settings.json are read: comments and trailing commas allowed.</summary>
internal static class JsonFiles
{
    public static JsonDocumentOptions Options { get; } = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>A property by name, case-insensitively (the host binds configuration that way).</summary>
    public static JsonElement? Property(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    public static string? String(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public static bool? Bool(JsonElement element, string name) => Property(element, name) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { ValueKind: JsonValueKind.String } s when bool.TryParse(s.GetString(), out var b) => b,
        _ => null,
    };

    public static int? Int(JsonElement element, string name) => Property(element, name) switch
    {
        { ValueKind: JsonValueKind.Number } n when n.TryGetInt32(out var i) => i,
        { ValueKind: JsonValueKind.String } s when int.TryParse(s.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var i) => i,
        _ => null,
    };

    /// <summary>A TimeSpan setting (<c>[d.]hh:mm:ss</c>); <c>-1</c> means infinite.</summary>
    public static TimeSpan? TimeSpan(JsonElement element, string name)
    {
        var text = String(element, name);
        if (text is null)
        {
            return null;
        }

        if (text.Trim() == "-1")
        {
            return Timeout.InfiniteTimeSpan;
        }

        return System.TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidOperationException($"'{name}' is not a valid timespan: '{text}'.");
    }
}
