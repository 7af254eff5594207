using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DisclosurePipeline.Tests.Infrastructure;

namespace DisclosurePipeline.Tests.Infra;

/// <summary>A setting left out of some places on purpose: a row of infra/README.md's "left out" table.</summary>
internal sealed record LeftOutSetting(string Setting, IReadOnlySet<string> LeftOutOf, string Why);

/// <summary>
/// Where settings are written down: what the code reads, README.md's Settings table, local.settings.sample.json,
/// the app settings infra/ sets (from a snapshot with every optional part on), and infra/README.md's tables of the
/// app settings, of settings left out of some places (with the reason), and of Functions platform settings.
/// </summary>
internal sealed partial record SettingsInventory(
    IReadOnlyList<SettingRead> CodeReads,
    IReadOnlySet<string> Readme,
    IReadOnlySet<string> Sample,
    IReadOnlySet<string> Infra,
    IReadOnlySet<string> InfraReadmeAppSettings,
    IReadOnlyList<LeftOutSetting> LeftOut,
    IReadOnlyDictionary<string, string> Platform)
{
    public const string InfraPlace = "infra";
    public const string SamplePlace = "local.settings.sample.json";

    public static async Task<SettingsInventory> LoadAsync(CancellationToken cancellationToken)
    {
        var (reads, unreadable) = CodeSettings.Find();
        Assert.IsEmpty(unreadable, "settings read in a way this test cannot follow:\n" + string.Join("\n", unreadable));

        var readme = MarkdownTables.Section(await File.ReadAllTextAsync(RepoPaths.Combine("README.md"), cancellationToken), "## Settings");
        var readmeSettings = MarkdownTables.Find(readme, "README.md (Settings)", "setting", "meaning", "default")
            .SelectMany(r => MarkdownTables.SettingNames(r[0])).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var sample = JsonNode.Parse(await File.ReadAllTextAsync(RepoPaths.Combine("local.settings.sample.json"), cancellationToken))!["Values"]!
            .AsObject().Select(p => p.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var snapshot = await InfraSnapshots.GetAsync(InfraSnapshots.Full, cancellationToken);
        var infra = snapshot.AppSettings().Keys.ToHashSet(StringComparer.OrdinalIgnoreCase);

        const string InfraReadme = "infra/README.md";
        var infraReadme = await File.ReadAllTextAsync(RepoPaths.Combine("infra", "README.md"), cancellationToken);
        var appSettings = MarkdownTables.Find(infraReadme, InfraReadme, "app setting", "value")
            .SelectMany(r => MarkdownTables.SettingNames(r[0])).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var leftOut = MarkdownTables.Find(infraReadme, InfraReadme, "setting", "left out of", "why")
            .SelectMany(r => MarkdownTables.SettingNames(r[0]).Select(s => new LeftOutSetting(
                s,
                Places().Matches(r[1]).Select(m => m.Value).ToHashSet(StringComparer.Ordinal),
                r[2])))
            .ToList();
        var platform = MarkdownTables.Find(infraReadme, InfraReadme, "platform setting", "why")
            .SelectMany(r => MarkdownTables.SettingNames(r[0]).Select(s => (s, r[1])))
            .ToDictionary(p => p.s, p => p.Item2, StringComparer.OrdinalIgnoreCase);

        return new SettingsInventory(reads, readmeSettings, sample, infra, appSettings, leftOut, platform);
    }

    [GeneratedRegex(@"local\.settings\.sample\.json|\binfra\b|README\.md")]
    private static partial Regex Places();
}
