using System.Globalization;
using System.Text.Json;

namespace DisclosurePipeline.Domain;

/// <summary>
/// A request body checked against its contract: either the value or the field errors, never both.
/// <see cref="Errors"/> is keyed by JSON path-ish field names (<c>summary</c>, <c>actions[0].description</c>,
/// <c>contact.email</c>; <c>body</c> when the body is not a JSON object at all), ready for
/// <c>ValidationProblemDetails</c>.
/// </summary>
/// <typeparam name="T">The validated value's type.</typeparam>
public sealed class Validated<T>
    where T : class
{
    private Validated(T? value, Dictionary<string, string[]> errors)
    {
        Value = value;
        Errors = errors;
    }

    /// <summary>The key of errors about the body as a whole.</summary>
    public const string BodyKey = "body";

    /// <summary>The validated value; null when there are errors.</summary>
    public T? Value { get; }

    /// <summary>Field errors; empty when <see cref="Value"/> is set.</summary>
    public Dictionary<string, string[]> Errors { get; }

    /// <summary>True when the body passed every rule.</summary>
    public bool IsValid => Value is not null;

    /// <summary>A valid result.</summary>
    public static Validated<T> Valid(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(value, new Dictionary<string, string[]>(StringComparer.Ordinal));
    }

    /// <summary>An invalid result; <paramref name="errors"/> must not be empty.</summary>
    public static Validated<T> Invalid(Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0)
        {
            throw new ArgumentException("An invalid result needs at least one error.", nameof(errors));
        }

        return new(null, errors);
    }
}

/// <summary>Reads fields of a JSON object leniently: wrong types become field errors, never exceptions.</summary>
internal sealed class JsonFieldReader
{
    private readonly Dictionary<string, List<string>> errors = new(StringComparer.Ordinal);

    public bool HasErrors => errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!errors.TryGetValue(field, out var list))
        {
            list = [];
            errors[field] = list;
        }

        list.Add(message);
    }

    public Dictionary<string, string[]> ToDictionary()
    {
        var result = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (key, list) in errors)
        {
            result[key] = [.. list];
        }

        return result;
    }

    /// <summary>The property <paramref name="name"/> of <paramref name="obj"/>: the exact name first, else a case-insensitive match (as ASP.NET Core's web JSON defaults bind).</summary>
    public static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        if (obj.TryGetProperty(name, out value))
        {
            return true;
        }

        foreach (var property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>A string field; null when absent, null or blank (an error when <paramref name="required"/>).</summary>
    public string? Text(JsonElement obj, string name, string field, bool required, int? maxLength)
    {
        if (!TryGet(obj, name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Add(field, $"{field} is required.");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Add(field, $"{field} must be a string.");
            return null;
        }

        var text = value.GetString()!;
        if (FirstControlCharacter(text) is { } control)
        {
            Add(field, string.Create(CultureInfo.InvariantCulture, $"{field} holds the control character U+{(int)control:X4}; only tab, line feed and carriage return are allowed in text."));
            return null;
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            if (required)
            {
                Add(field, $"{field} is required.");
            }

            return null;
        }

        if (maxLength is { } max)
        {
            var length = TextLength(text);
            if (length > max)
            {
                Add(field, string.Create(CultureInfo.InvariantCulture, $"{field} must be at most {max} characters (it has {length})."));
                return null;
            }
        }

        return text;
    }

    /// <summary>A date field written <c>YYYY-MM-DD</c>; null when absent or null (an error when <paramref name="required"/>).</summary>
    public DateOnly? Date(JsonElement obj, string name, string field, bool required)
    {
        if (!TryGet(obj, name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Add(field, $"{field} is required.");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Add(field, $"{field} must be a date written YYYY-MM-DD.");
            return null;
        }

        var text = value.GetString()!;
        if (!IsIsoDateShape(text)
            || !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            Add(field, $"{field} must be a date written YYYY-MM-DD.");
            return null;
        }

        return date;
    }

    /// <summary>The first control character of <paramref name="text"/> other than tab, line feed and carriage return, or null.</summary>
    public static char? FirstControlCharacter(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
            {
                return c;
            }
        }

        return null;
    }

    /// <summary>Characters as people count them: Unicode code points (a surrogate pair is one).</summary>
    public static int TextLength(string text)
    {
        var length = text.Length;
        for (var i = 0; i < text.Length - 1; i++)
        {
            if (char.IsHighSurrogate(text[i]) && char.IsLowSurrogate(text[i + 1]))
            {
                length--;
                i++;
            }
        }

        return length;
    }

    private static bool IsIsoDateShape(string text)
    {
        if (text.Length != 10 || text[4] != '-' || text[7] != '-')
        {
            return false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            if (i is 4 or 7)
            {
                continue;
            }

            if (text[i] is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>A pragmatic e-mail address check shared by the plan contact and anything else that takes an address.</summary>
public static class EmailAddress
{
    /// <summary>The longest address accepted (RFC 5321's path limit less the brackets).</summary>
    public const int MaxLength = 254;

    /// <summary>
    /// True for <c>local@domain.tld</c>: exactly one <c>@</c>, a non-empty local part, a domain with a dot that
    /// neither starts nor ends it, no whitespace or control characters, at most <see cref="MaxLength"/> characters.
    /// </summary>
    public static bool IsValid(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c is '<' or '>' or ',' or ';')
            {
                return false;
            }
        }

        var at = value.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != value.LastIndexOf('@') || at == value.Length - 1)
        {
            return false;
        }

        var domain = value.AsSpan(at + 1);
        var dot = domain.IndexOf('.');
        return dot > 0 && domain[^1] != '.' && !domain.Contains("..", StringComparison.Ordinal);
    }
}
