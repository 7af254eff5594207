using System.Text.RegularExpressions;

namespace DisclosurePipeline.Tests.Infra;

/// <summary>The pipe tables of a Markdown text, and the setting names written in backticks in their cells.</summary>
internal static partial class MarkdownTables
{
    /// <summary>Every table: its header cells (lower case) and its body rows' cells.</summary>
    public static IEnumerable<(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows)> Parse(string markdown)
    {
        var block = new List<string>();
        foreach (var line in markdown.Split('\n').Select(l => l.TrimEnd('\r')).Append(""))
        {
            if (line.TrimStart().StartsWith('|'))
            {
                block.Add(line.Trim());
                continue;
            }

            if (block.Count >= 2)
            {
                var header = Cells(block[0]).Select(c => c.ToLowerInvariant()).ToList();
                var rows = block.Skip(2).Select(r => (IReadOnlyList<string>)Cells(r)).ToList();
                yield return (header, rows);
            }

            block.Clear();
        }
    }

    /// <summary>The one table with exactly this header.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Find(string markdown, string file, params string[] header)
    {
        var found = Parse(markdown).Where(t => t.Header.SequenceEqual(header)).ToList();
        Assert.HasCount(1, found, $"{file} must have one table with the header | {string.Join(" | ", header)} |");
        return found[0].Rows;
    }

    /// <summary>The setting names in a cell, each in backticks; a continuation such as <c>`__1`</c> after <c>`Auth__StaffKeys__0`</c> is skipped.</summary>
    public static IEnumerable<string> SettingNames(string cell) =>
        Backticked().Matches(cell).Select(m => m.Groups[1].Value).Where(n => SettingName().IsMatch(n));

    /// <summary>The text of a Markdown section: from its heading line to the next heading of the same or a higher level.</summary>
    public static string Section(string markdown, string heading)
    {
        var lines = markdown.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var start = Array.IndexOf(lines, heading);
        Assert.IsGreaterThanOrEqualTo(0, start, $"no heading '{heading}'");
        var level = heading.TakeWhile(c => c == '#').Count();
        var inFence = false;
        var end = start + 1;
        for (; end < lines.Length; end++)
        {
            if (lines[end].StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }
            else if (!inFence && lines[end].StartsWith('#'))
            {
                var hashes = lines[end].TakeWhile(c => c == '#').Count();
                if (hashes <= level && lines[end].Length > hashes && lines[end][hashes] == ' ')
                {
                    break;
                }
            }
        }

        return string.Join('\n', lines[start..end]);
    }

    private static List<string> Cells(string row) =>
        [.. row.Trim('|').Split('|').Select(c => c.Trim())];

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticked();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]*$")]
    private static partial Regex SettingName();
}
