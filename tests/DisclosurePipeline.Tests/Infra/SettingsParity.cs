using System.Text.RegularExpressions;

namespace DisclosurePipeline.Tests.Infra;

/// <summary>
/// The rules that keep the settings in step, each failure saying which file to edit:
/// every setting the code reads is in README.md's Settings table, in local.settings.sample.json and among the app
/// settings infra/ sets, unless infra/README.md's "left out" table says why not (or it is a Functions platform
/// setting there); every setting written anywhere is read by the code or listed as a platform setting; and the
/// tables of infra/README.md say what the template does.
/// </summary>
internal static partial class SettingsParity
{
    public static IReadOnlyList<string> Check(SettingsInventory s)
    {
        var failures = new List<string>();
        bool IsPlatform(string key) => s.Platform.ContainsKey(key);
        bool IsRead(string key) => s.CodeReads.Any(r => r.Covers(key));
        bool LeftOutOf(SettingRead read, string place) => s.LeftOut.Any(l => read.Covers(l.Setting) && l.LeftOutOf.Contains(place));

        foreach (var read in s.CodeReads.DistinctBy(r => (r.Key.ToUpperInvariant(), r.Shape)).OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            if (IsPlatform(read.Key))
            {
                continue;
            }

            if (!s.Readme.Any(read.Covers))
            {
                failures.Add($"{read} (read at {read.Source}) is not in README.md's Settings table: add a row.");
            }

            if (!s.Sample.Any(read.Covers) && !LeftOutOf(read, SettingsInventory.SamplePlace))
            {
                failures.Add($"{read} (read at {read.Source}) is not in local.settings.sample.json: add it there, or to infra/README.md's \"left out\" table with the reason.");
            }

            if (!s.Infra.Any(read.Covers) && !LeftOutOf(read, SettingsInventory.InfraPlace))
            {
                failures.Add($"{read} (read at {read.Source}) is not set by infra/: add it to the app settings in infra/resources.bicep, or to infra/README.md's \"left out\" table with the reason.");
            }
        }

        foreach (var key in s.Infra.Where(k => !IsRead(k) && !IsPlatform(k)).Order())
        {
            failures.Add($"infra/ sets {key}, which the code does not read: remove it, or list it in infra/README.md's platform settings table if the Functions platform reads it.");
        }

        foreach (var key in s.Sample.Where(k => !IsRead(k) && !IsPlatform(k)).Order())
        {
            failures.Add($"local.settings.sample.json has {key}, which the code does not read: remove it, or list it in infra/README.md's platform settings table.");
        }

        foreach (var key in s.Readme.Where(k => !IsRead(k) && !IsPlatform(k)).Order())
        {
            failures.Add($"README.md's Settings table has {key}, which the code does not read: remove the row.");
        }

        foreach (var key in s.Infra.Except(s.InfraReadmeAppSettings, StringComparer.OrdinalIgnoreCase).Order())
        {
            failures.Add($"infra/ sets {key}, but infra/README.md's app settings table does not list it.");
        }

        foreach (var key in s.InfraReadmeAppSettings.Except(s.Infra, StringComparer.OrdinalIgnoreCase).Order())
        {
            failures.Add($"infra/README.md's app settings table lists {key}, which infra/ does not set.");
        }

        foreach (var left in s.LeftOut)
        {
            var reads = s.CodeReads.Where(r => r.Covers(left.Setting)).ToList();
            if (reads.Count == 0)
            {
                failures.Add($"infra/README.md's \"left out\" table has {left.Setting}, which the code does not read: remove the row.");
            }

            if (string.IsNullOrWhiteSpace(left.Why))
            {
                failures.Add($"infra/README.md's \"left out\" table gives no reason for {left.Setting}.");
            }

            if (left.LeftOutOf.Count == 0 || left.LeftOutOf.Contains("README.md"))
            {
                failures.Add($"infra/README.md's \"left out\" row for {left.Setting} must name `{SettingsInventory.InfraPlace}` and/or `{SettingsInventory.SamplePlace}` (README.md documents every setting).");
            }

            // Stale when every read the row stands for is already there.
            if (left.LeftOutOf.Contains(SettingsInventory.InfraPlace) && reads.Count > 0 && reads.All(r => s.Infra.Any(r.Covers)))
            {
                failures.Add($"infra/README.md says {left.Setting} is left out of infra, but infra/ sets it: remove `infra` from the row.");
            }

            if (left.LeftOutOf.Contains(SettingsInventory.SamplePlace) && reads.Count > 0 && reads.All(r => s.Sample.Any(r.Covers)))
            {
                failures.Add($"infra/README.md says {left.Setting} is left out of local.settings.sample.json, but the sample has it: remove it from the row.");
            }
        }

        foreach (var (key, why) in s.Platform)
        {
            if (!PlatformName().IsMatch(key))
            {
                failures.Add($"infra/README.md lists {key} as a platform setting, but it is not named like one (AzureWebJobs*, AzureFunctionsJobHost__*, FUNCTIONS_*, WEBSITE_*, APPLICATIONINSIGHTS_*).");
            }

            if (string.IsNullOrWhiteSpace(why))
            {
                failures.Add($"infra/README.md's platform settings table gives no reason for {key}.");
            }

            if (!s.Infra.Contains(key) && !s.Sample.Contains(key) && !IsRead(key))
            {
                failures.Add($"infra/README.md lists the platform setting {key}, which neither infra/, the sample nor the code uses: remove the row.");
            }
        }

        return failures;
    }

    [GeneratedRegex("^(AzureWebJobs|AzureFunctionsJobHost__|FUNCTIONS_|WEBSITE_|APPLICATIONINSIGHTS_)")]
    private static partial Regex PlatformName();
}
