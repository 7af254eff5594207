using System.Collections;
using System.Reflection;
using System.Text.RegularExpressions;
using DisclosurePipeline.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace DisclosurePipeline.Tests.Infra;

/// <summary>
/// The settings the application (functions/ and shared/) reads, found two ways that cover each other:
/// <list type="bullet">
/// <item>reflection over every options class with a <c>Section</c> constant in the app's assemblies: one setting per
/// bindable property (lists by index, nested classes recursively), so a new option property is a new setting;</item>
/// <item>a scan of the sources for direct reads: <c>configuration["X"]</c>, <c>GetSection("X")</c>,
/// <c>GetValue&lt;T&gt;("X")</c>, <c>GetConnectionString("X")</c>, <c>Environment.GetEnvironmentVariable("X")</c>,
/// <c>BindConfiguration("X")</c>, <c>%X%</c> binding expressions and a trigger's or binding's <c>Connection = "X"</c>; the key
/// may be a literal, a <c>const string</c> declared in the same file with a literal value, or an options class's <c>Section</c>.
/// Any other key (a parameter, a variable, a computed string) is reported, because nothing could check it.</item>
/// </list>
/// </summary>
internal static partial class CodeSettings
{
    private static readonly string[] AppAssemblies = ["DisclosurePipeline.Shared", "DisclosurePipeline.Functions"];
    private static readonly string[] SourceRoots = ["functions", "shared"];

    /// <summary>Every setting read, and every read that could not be understood.</summary>
    public static (IReadOnlyList<SettingRead> Reads, IReadOnlyList<string> Unreadable) Find()
    {
        var reads = new List<SettingRead>();
        var unreadable = new List<string>();
        var sectionTypes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in AppAssemblies.Select(Assembly.Load).SelectMany(a => a.GetTypes()))
        {
            if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
                && field.GetRawConstantValue() is string section)
            {
                sectionTypes.Add(type.Name);
                AddProperties(type, Normalize(section), $"{type.FullName}", reads, []);
            }
        }

        foreach (var file in SourceRoots.SelectMany(r => Directory.EnumerateFiles(RepoPaths.Combine(r), "*.cs", SearchOption.AllDirectories))
                     .Where(f => !IsBuildOutput(f)))
        {
            Scan(File.ReadAllText(file), Path.GetRelativePath(RepoPaths.Root, file), sectionTypes, reads, unreadable);
        }

        return (reads, unreadable);
    }

    /// <summary>The direct reads in one source file's text.</summary>
    internal static void Scan(string text, string where, IReadOnlySet<string> sectionTypes, List<SettingRead> reads, List<string> unreadable)
    {
        // A key may also be a string constant declared in the same file (const string Name = "Key";), named bare.
        var constants = StringConstant().Matches(text)
            .GroupBy(c => c.Groups["name"].Value, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(c => c.Groups["value"].Value).Distinct(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        foreach (Match m in DirectRead().Matches(text))
        {
            var kind = m.Groups["kind"].Value;
            var argument = m.Groups["arg"].Value.Trim();
            var line = where + ":" + LineOf(text, m.Index);
            var keyText = StringLiteral().Match(argument) is { Success: true } literal ? literal.Groups[1].Value
                : constants.TryGetValue(argument, out var constant) && constant.Count == 1 ? constant.Single()
                : null;
            if (keyText is not null)
            {
                var key = Normalize(keyText);
                reads.Add(kind switch
                {
                    "GetSection" or "BindConfiguration" => new SettingRead(key, SettingShape.Section, line),
                    "GetConnectionString" => new SettingRead("ConnectionStrings__" + key, SettingShape.Exact, line),
                    _ => new SettingRead(key, SettingShape.Exact, line),
                });
            }
            else if (SectionConstant().Match(argument) is { Success: true } section && sectionTypes.Contains(section.Groups[1].Value))
            {
                // Covered by the reflection over that options class.
            }
            else
            {
                unreadable.Add($"{line}: {m.Value.Trim()} (use a string literal, a string constant declared in the same file, or an options class with a Section constant)");
            }
        }

        foreach (Match m in BindingExpression().Matches(text))
        {
            reads.Add(new SettingRead(Normalize(m.Groups[1].Value), SettingShape.Exact, where + ":" + LineOf(text, m.Index)));
        }

        foreach (Match m in BindingConnection().Matches(text))
        {
            reads.Add(new SettingRead(Normalize(m.Groups[1].Value), SettingShape.Section, where + ":" + LineOf(text, m.Index)));
        }
    }

    private static void AddProperties(Type type, string prefix, string source, List<SettingRead> reads, HashSet<Type> seen)
    {
        if (!seen.Add(type))
        {
            return;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            var name = property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name;
            var key = prefix + "__" + Normalize(name);
            var where = source + "." + property.Name;
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (IsScalar(propertyType))
            {
                reads.Add(new SettingRead(key, SettingShape.Exact, where));
            }
            else if (typeof(IDictionary).IsAssignableFrom(propertyType) || propertyType.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>)))
            {
                reads.Add(new SettingRead(key, SettingShape.Section, where));
            }
            else if (typeof(IEnumerable).IsAssignableFrom(propertyType))
            {
                reads.Add(new SettingRead(key, SettingShape.List, where));
            }
            else if (property.SetMethod is { IsPublic: true } || propertyType.IsClass)
            {
                AddProperties(propertyType, key, where, reads, seen);
            }
        }

        seen.Remove(type);
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(Uri)
        || type == typeof(TimeSpan) || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(DateOnly)
        || type == typeof(TimeOnly) || type == typeof(Guid);

    private static string Normalize(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    private static bool IsBuildOutput(string file)
    {
        var parts = file.Split(Path.DirectorySeparatorChar);
        return parts.Contains("bin") || parts.Contains("obj");
    }

    private static int LineOf(string text, int index) => text.AsSpan(0, index).Count('\n') + 1;

    [GeneratedRegex("""(?:\b\w*[Cc]onfig\w*\s*\[(?<arg>[^\]]*)\])|(?:\b(?<kind>GetSection|GetValue(?:<[^>]+>)?|GetConnectionString|GetEnvironmentVariable|BindConfiguration)\s*\((?<arg>[^,)]*))""")]
    private static partial Regex DirectRead();

    [GeneratedRegex("""^@?"([^"{}]+)"$""")]
    private static partial Regex StringLiteral();

    [GeneratedRegex("""\bconst\s+string\s+(?<name>\w+)\s*=\s*@?"(?<value>[^"{}]+)"\s*;""")]
    private static partial Regex StringConstant();

    [GeneratedRegex(@"^(?:[\w.]+\.)?(\w+)\.Section$")]
    private static partial Regex SectionConstant();

    [GeneratedRegex("""["(]\s*%([A-Za-z0-9_:]+)%""")]
    private static partial Regex BindingExpression();

    [GeneratedRegex("""(?:Trigger|Input|Output)\([^)]*\bConnection\s*=\s*"([A-Za-z][A-Za-z0-9_:]*)"\s*""")]
    private static partial Regex BindingConnection();
}
