namespace DisclosurePipeline.Tests.Infra;

/// <summary>The source scan behind <see cref="SettingsParityTests"/> finds each way the code can read a setting.</summary>
[TestClass]
public sealed class CodeSettingsTests
{
    [TestMethod]
    public void Scan_ConfigurationIndexerAndEnvironmentVariable_AreExactReads()
    {
        var (reads, unreadable) = Scan("""
            var format = builder.Configuration["Alerts:Format"];
            var port = Environment.GetEnvironmentVariable("FUNCTIONS_WORKER_GRPC_PORT");
            var digest = configuration.GetValue<bool>("Alerts__Digest");
            """);

        Assert.IsEmpty(unreadable);
        CollectionAssert.AreEquivalent(new[] { "Alerts__Format", "FUNCTIONS_WORKER_GRPC_PORT", "Alerts__Digest" }, reads.Select(r => r.Key).ToList());
        Assert.IsTrue(reads.All(r => r.Shape == SettingShape.Exact));
    }

    [TestMethod]
    public void Scan_TriggerConnectionAndBindingExpression_AreReads()
    {
        var (reads, unreadable) = Scan("""
            public Task Run([QueueTrigger("sync-batches", Connection = "AzureWebJobsStorage")] string message) => Task.CompletedTask;
            public Task Tick([TimerTrigger("%SyncSchedule%")] TimerInfo timer) => Task.CompletedTask;
            """);

        Assert.IsEmpty(unreadable);
        Assert.IsTrue(reads.Any(r => r is { Key: "AzureWebJobsStorage", Shape: SettingShape.Section }));
        Assert.IsTrue(reads.Any(r => r is { Key: "SyncSchedule", Shape: SettingShape.Exact }));
    }

    [TestMethod]
    public void Scan_SectionFromOptionsConstant_IsLeftToReflection()
    {
        var (reads, unreadable) = Scan("services.AddOptions<PipelineOptions>().Bind(configuration.GetSection(PipelineOptions.Section));");

        Assert.IsEmpty(unreadable);
        Assert.IsEmpty(reads);
    }

    [TestMethod]
    public void Scan_KeyFromAStringConstantInTheSameFile_IsARead()
    {
        var (reads, unreadable) = Scan("""
            public const string DefaultSetting = "AzureWebJobsStorage";
            private const string Auth = @"APPLICATIONINSIGHTS_AUTHENTICATION_STRING";
            var children = configuration.GetSection(DefaultSetting).GetChildren();
            var value = configuration[DefaultSetting];
            var auth = configuration[Auth];
            """);

        Assert.IsEmpty(unreadable);
        Assert.IsTrue(reads.Any(r => r is { Key: "AzureWebJobsStorage", Shape: SettingShape.Section }));
        Assert.IsTrue(reads.Any(r => r is { Key: "AzureWebJobsStorage", Shape: SettingShape.Exact }));
        Assert.IsTrue(reads.Any(r => r is { Key: "APPLICATIONINSIGHTS_AUTHENTICATION_STRING", Shape: SettingShape.Exact }));
    }

    [TestMethod]
    public void Scan_ConstantFromAnotherFileOrTwoValues_IsReportedAsUnreadable()
    {
        var (reads, unreadable) = Scan("""
            private const string Name = "A";
            private const string Name = "B";
            private const string Computed = Prefix + "X";
            var a = configuration[Name];
            var b = configuration[Computed];
            var c = configuration[Other.Setting];
            """);

        Assert.IsEmpty(reads);
        Assert.HasCount(3, unreadable, string.Join("\n", unreadable));
    }

    [TestMethod]
    public void Scan_KeyFromAVariable_IsReportedAsUnreadable()
    {
        var (reads, unreadable) = Scan("""
            var section = configuration.GetSection(name);
            var value = configuration[key];
            """);

        Assert.IsEmpty(reads);
        Assert.HasCount(2, unreadable);
        StringAssert.StartsWith(unreadable[0], "x.cs:1:");
    }

    [TestMethod]
    public void Covers_ListRead_MatchesIndexedKeysOnly()
    {
        var read = new SettingRead("Auth__StaffKeys", SettingShape.List, "AuthOptions.StaffKeys");

        Assert.IsTrue(read.Covers("Auth__StaffKeys__0"));
        Assert.IsTrue(read.Covers("auth__staffkeys__12"));
        Assert.IsFalse(read.Covers("Auth__StaffKeys"));
        Assert.IsFalse(read.Covers("Auth__StaffKeys__first"));
    }

    [TestMethod]
    public void Covers_SectionRead_MatchesTheKeyAndEverythingUnderIt()
    {
        var read = new SettingRead("AzureWebJobsStorage", SettingShape.Section, "x.cs:1");

        Assert.IsTrue(read.Covers("AzureWebJobsStorage"));
        Assert.IsTrue(read.Covers("AzureWebJobsStorage__clientId"));
        Assert.IsFalse(read.Covers("AzureWebJobsStorageAccount"));
    }

    private static (List<SettingRead> Reads, List<string> Unreadable) Scan(string text)
    {
        var reads = new List<SettingRead>();
        var unreadable = new List<string>();
        CodeSettings.Scan(text, "x.cs", new HashSet<string>(StringComparer.Ordinal) { "PipelineOptions" }, reads, unreadable);
        return (reads, unreadable);
    }
}
