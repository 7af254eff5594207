using DisclosurePipeline.Configuration;
using DisclosurePipeline.Functions.Http;
using DisclosurePipeline.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DisclosurePipeline.Tests.Protocol;

/// <summary>A staff or analyst key that is still a Key Vault reference is named in the log at start-up (and refused: KeyTests).</summary>
[TestClass]
public sealed class SettingsKeyCheckTests
{
    [TestMethod]
    public async Task Start_UnresolvedReferences_EachNamedByItsSettingWithoutItsValue()
    {
        var options = new AuthOptions();
        options.StaffKeys.Add("a-real-staff-key-0123");
        options.StaffKeys.Add("@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/auth-staff-key-1/)");
        options.AnalystKeys.Add("@Microsoft.KeyVault(VaultName=kv;SecretName=auth-analyst-key-0)");
        using var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));

        await new SettingsKeyCheck(Options.Create(options), factory.CreateLogger<SettingsKeyCheck>()).StartAsync(CancellationToken.None);

        var errors = logs.Lines.Where(l => l.Contains("unresolved Key Vault reference", StringComparison.Ordinal)).ToList();
        Assert.HasCount(2, errors, string.Join("\n", logs.Lines));
        Assert.IsTrue(errors.Any(l => l.Contains("Auth__StaffKeys__1", StringComparison.Ordinal)));
        Assert.IsTrue(errors.Any(l => l.Contains("Auth__AnalystKeys__0", StringComparison.Ordinal)));
        Assert.IsFalse(logs.Lines.Any(l => l.Contains("a-real-staff-key", StringComparison.Ordinal) || l.Contains("vault.azure.net", StringComparison.Ordinal)));
    }
}
