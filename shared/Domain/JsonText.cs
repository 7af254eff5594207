using System.Globalization;
using System.Text.Json;

namespace DisclosurePipeline.Domain;

/// <summary>
/// Finds JSON strings that cannot be read as text: raw bytes that are not UTF-8, or escapes that leave a surrogate
/// unpaired (<c>"\ud800"</c>). <see cref="JsonDocument"/> parses such bodies and only fails when a string is read, so
/// a body is checked with this before any of its fields is.
/// </summary>
public static class JsonText
{
    /// <summary>The message for a field whose string is not text.</summary>
    public const string NotText = "is not valid text: it holds bytes that are not UTF-8 or an unpaired surrogate escape (such as \\ud800).";

    /// <summary>
    /// The field of the first string or property name under <paramref name="root"/> that is not valid text, or null
    /// when every one is. Fields are named as validation errors name them (<c>summary</c>, <c>actions[0].owner</c>);
    /// a property name that is not text is reported under the object holding it (<c>body</c> at the top).
    /// </summary>
    public static string? FindUnreadable(JsonElement root) => Find(root, "");

    private static string? Find(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return Readable(() => element.GetString()) ? null : Named(path);
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (Find(item, string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]")) is { } bad)
                    {
                        return bad;
                    }

                    index++;
                }

                return null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return Named(path);
                    }

                    if (Find(property.Value, path.Length == 0 ? name : path + "." + name) is { } bad)
                    {
                        return bad;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static string Named(string path) => path.Length == 0 ? Validated<object>.BodyKey : path;

    private static bool Readable(Func<string?> read)
    {
        try
        {
            read();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
