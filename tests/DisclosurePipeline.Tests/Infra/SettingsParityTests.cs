namespace DisclosurePipeline.Tests.Infra;

/// <summary>
/// The settings the code reads, the ones README.md and local.settings.sample.json document and the ones infra/ sets
/// agree (see <see cref="SettingsParity"/>). A gap is fixed by editing those files or infra/README.md's tables,
/// never this test.
/// </summary>
[TestClass]
public sealed class SettingsParityTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void CodeSettings_OptionsAndDirectReads_AreFound()
    {
        var (reads, unreadable) = CodeSettings.Find();

        Assert.IsEmpty(unreadable, string.Join("\n", unreadable));
        Assert.IsTrue(reads.Any(r => r is { Key: "Pipeline__TimeZone", Shape: SettingShape.Exact }), "options class properties");
        Assert.IsTrue(reads.Any(r => r is { Key: "Auth__StaffKeys", Shape: SettingShape.List }), "list options");
        Assert.IsTrue(reads.Any(r => r.Key.StartsWith("AzureWebJobsStorage", StringComparison.Ordinal)), "the storage connection");
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Settings_CodeDocsSampleAndInfra_Agree()
    {
        var inventory = await SettingsInventory.LoadAsync(TestContext.CancellationToken);

        var failures = SettingsParity.Check(inventory);

        Assert.IsEmpty(failures, "settings out of step:\n" + string.Join("\n", failures));
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Check_NewOptionNotWrittenDown_FailsNamingEveryPlace()
    {
        var inventory = await SettingsInventory.LoadAsync(TestContext.CancellationToken);
        var added = inventory with { CodeReads = [.. inventory.CodeReads, new SettingRead("Alerts__Channel", SettingShape.Exact, "AlertsOptions.Channel")] };

        var failures = SettingsParity.Check(added);

        Assert.HasCount(3, failures, string.Join("\n", failures));
        Assert.IsTrue(failures.All(f => f.StartsWith("Alerts__Channel ", StringComparison.Ordinal)));
        Assert.IsTrue(failures.Any(f => f.Contains("README.md", StringComparison.Ordinal)));
        Assert.IsTrue(failures.Any(f => f.Contains("local.settings.sample.json", StringComparison.Ordinal)));
        Assert.IsTrue(failures.Any(f => f.Contains("infra/resources.bicep", StringComparison.Ordinal)));
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Check_InfraSettingNobodyReads_Fails()
    {
        var inventory = await SettingsInventory.LoadAsync(TestContext.CancellationToken);
        var added = inventory with
        {
            Infra = new HashSet<string>([.. inventory.Infra, "Alerts__Channel"], StringComparer.OrdinalIgnoreCase),
            InfraReadmeAppSettings = new HashSet<string>([.. inventory.InfraReadmeAppSettings, "Alerts__Channel"], StringComparer.OrdinalIgnoreCase),
        };

        var failures = SettingsParity.Check(added);

        Assert.HasCount(1, failures, string.Join("\n", failures));
        StringAssert.StartsWith(failures[0], "infra/ sets Alerts__Channel, which the code does not read");
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Check_StaleLeftOutRow_Fails()
    {
        var inventory = await SettingsInventory.LoadAsync(TestContext.CancellationToken);
        var stale = inventory with { LeftOut = [.. inventory.LeftOut, new LeftOutSetting("Pipeline__TimeZone", new HashSet<string> { SettingsInventory.InfraPlace }, "no reason")] };

        var failures = SettingsParity.Check(stale);

        Assert.HasCount(1, failures, string.Join("\n", failures));
        StringAssert.Contains(failures[0], "Pipeline__TimeZone is left out of infra, but infra/ sets it");
    }
}
