using System.Buffers.Text;
using DisclosurePipeline.Auth;
using DisclosurePipeline.Configuration;
using static DisclosurePipeline.Tests.Cases.CaseSamples;
using Microsoft.Extensions.Time.Testing;

namespace DisclosurePipeline.Tests.Cases;

[TestClass]
public sealed class KeyTests
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2024, 5, 1, 8, 0, 0, TimeSpan.Zero));

    [TestMethod]
    public void Issue_GivesAUrlSafePrefixedKeyWith32RandomBytes()
    {
        var issued = SupplierKeys.Issue(SupplierId, Clock);

        Assert.StartsWith("sk_", issued.Key);
        Assert.IsTrue(issued.Key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'), issued.Key);
        Assert.AreEqual(Uri.EscapeDataString(issued.Key), issued.Key);
        var secret = issued.Key[("sk_".Length + 24 + 1)..];
        Assert.AreEqual(32, Base64Url.DecodeFromChars(secret).Length);
        Assert.AreEqual(issued.Key[3..27], issued.Stored.KeyId);
        Assert.AreEqual(SupplierId, issued.Stored.SupplierId);
        Assert.AreEqual(Clock.GetUtcNow(), issued.Stored.IssuedAt);
        Assert.HasCount(16, issued.Stored.Salt);
        Assert.HasCount(32, issued.Stored.Hash);
    }

    [TestMethod]
    public void Verify_TheIssuedKey_Succeeds()
    {
        var issued = SupplierKeys.Issue(SupplierId, Clock);

        Assert.IsTrue(SupplierKeys.Verify(issued.Key, issued.Stored));
    }

    [TestMethod]
    public void Verify_StoredRowRoundTrippedThroughCopies_Succeeds()
    {
        var issued = SupplierKeys.Issue(SupplierId, Clock);
        var copy = new StoredKey(new string(issued.Stored.KeyId.ToCharArray()), SupplierId, [.. issued.Stored.Salt], [.. issued.Stored.Hash], issued.Stored.IssuedAt);

        Assert.IsTrue(SupplierKeys.Verify(issued.Key, copy));
    }

    [TestMethod]
    public void Verify_WrongSecret_Fails()
    {
        var issued = SupplierKeys.Issue(SupplierId, Clock);
        var last = issued.Key[^1];
        var tampered = issued.Key[..^1] + (last == 'A' ? 'B' : 'A');
        var otherSecret = issued.Key[..28] + SupplierKeys.Issue(SupplierId, Clock).Key[28..];

        Assert.IsFalse(SupplierKeys.Verify(tampered, issued.Stored));
        Assert.IsFalse(SupplierKeys.Verify(otherSecret, issued.Stored));
    }

    [TestMethod]
    public void Verify_TamperedKeyId_Fails()
    {
        var issued = SupplierKeys.Issue(SupplierId, Clock);
        var idChar = issued.Key[3];
        var tampered = "sk_" + (idChar == '0' ? '1' : '0') + issued.Key[4..];
        Assert.IsTrue(SupplierKeys.TryGetKeyId(tampered, out _));

        Assert.IsFalse(SupplierKeys.Verify(tampered, issued.Stored));
        Assert.IsFalse(SupplierKeys.Verify(issued.Key, issued.Stored with { KeyId = tampered[3..27] }));
    }

    [TestMethod]
    public void Verify_StoredRowPointedAtAnotherSupplier_Fails()
    {
        var issued = SupplierKeys.Issue(SupplierId, Clock);

        Assert.IsFalse(SupplierKeys.Verify(issued.Key, issued.Stored with { SupplierId = "91110000600037341L" }));
    }

    [TestMethod]
    public void Verify_AnotherKeysRow_Fails()
    {
        var a = SupplierKeys.Issue(SupplierId, Clock);
        var b = SupplierKeys.Issue(SupplierId, Clock);

        Assert.IsFalse(SupplierKeys.Verify(a.Key, b.Stored));
        Assert.IsFalse(SupplierKeys.Verify(b.Key, a.Stored));
    }

    [TestMethod]
    [DataRow(null)]
    [DataRow("")]
    [DataRow("sk_")]
    [DataRow("staff-key-1")]
    [DataRow("Bearer sk_0123")]
    public void Verify_Garbage_FailsWithoutThrowing(string? presented)
    {
        var issued = SupplierKeys.Issue(SupplierId, Clock);

        Assert.IsFalse(SupplierKeys.Verify(presented, issued.Stored));
        Assert.IsFalse(SupplierKeys.TryGetKeyId(presented, out var keyId));
        Assert.AreEqual("", keyId);
    }

    [TestMethod]
    public void Verify_KeyWithWrongShape_Fails()
    {
        var issued = SupplierKeys.Issue(SupplierId, Clock);
        string[] variants =
        [
            issued.Key + "x",
            issued.Key[..^1],
            "SK_" + issued.Key[3..],
            "sk_" + issued.Key[3..27].ToUpperInvariant() + issued.Key[27..],
            issued.Key[..27] + "-" + issued.Key[28..],
            issued.Key[..^1] + "=",
            " " + issued.Key[1..],
        ];

        foreach (var variant in variants)
        {
            Assert.IsFalse(SupplierKeys.Verify(variant, issued.Stored), variant);
        }
    }

    [TestMethod]
    public void Issue_ManyKeys_HaveDistinctIdsSecretsSaltsAndHashes()
    {
        var keys = Enumerable.Range(0, 20).Select(_ => SupplierKeys.Issue(SupplierId, Clock)).ToList();

        Assert.HasCount(20, keys.Select(k => k.Key).Distinct());
        Assert.HasCount(20, keys.Select(k => k.Stored.KeyId).Distinct());
        Assert.HasCount(20, keys.Select(k => Convert.ToHexString(k.Stored.Salt)).Distinct());
        Assert.HasCount(20, keys.Select(k => Convert.ToHexString(k.Stored.Hash)).Distinct());
    }

    [TestMethod]
    public void Issue_StoredRow_NeverHoldsThePlainKeyOrSecret()
    {
        var issued = SupplierKeys.Issue(SupplierId, Clock);
        var secret = issued.Key[28..];
        string[] storedForms =
        [
            Convert.ToBase64String(issued.Stored.Hash),
            Convert.ToHexString(issued.Stored.Hash),
            Convert.ToHexStringLower(issued.Stored.Hash),
            Base64Url.EncodeToString(issued.Stored.Hash),
            System.Text.Encoding.UTF8.GetString(issued.Stored.Hash),
        ];

        foreach (var form in storedForms)
        {
            Assert.AreNotEqual(issued.Key, form);
            Assert.DoesNotContain(secret, form);
        }

        CollectionAssert.AreNotEqual(Base64Url.DecodeFromChars(secret), issued.Stored.Hash);
        Assert.DoesNotContain(secret, issued.Stored.ToString());
        Assert.DoesNotContain(secret, issued.ToString());
    }

    [TestMethod]
    public void TryGetKeyId_IssuedKey_GivesTheStoredKeyId()
    {
        var issued = SupplierKeys.Issue(SupplierId, Clock);

        Assert.IsTrue(SupplierKeys.TryGetKeyId(issued.Key, out var keyId));
        Assert.AreEqual(issued.Stored.KeyId, keyId);
        Assert.AreEqual(24, keyId.Length);
    }

    [TestMethod]
    public void Issue_BadArguments_Throw()
    {
        Assert.ThrowsExactly<ArgumentException>(() => SupplierKeys.Issue("", Clock));
        Assert.ThrowsExactly<ArgumentNullException>(() => SupplierKeys.Issue(null!, Clock));
        Assert.ThrowsExactly<ArgumentNullException>(() => SupplierKeys.Issue(SupplierId, null!));
    }

    [TestMethod]
    [DataRow("staff-secret-1", "staff-secret-1", true)]
    [DataRow("staff-secret-1", "staff-secret-2", false)]
    [DataRow("staff-secret-1", "staff-secret-1 ", false)]
    [DataRow("short", "a-much-longer-configured-key", false)]
    [DataRow("Staff-Secret-1", "staff-secret-1", false)]
    [DataRow("", "", false)]
    [DataRow(null, "x", false)]
    [DataRow("x", null, false)]
    public void FixedTimeEquals_ComparesExactly(string? presented, string? expected, bool equal)
    {
        Assert.AreEqual(equal, SettingsKeys.FixedTimeEquals(presented, expected));
    }

    [TestMethod]
    public void MatchesAny_UnresolvedKeyVaultReference_NeverMatchesItsOwnText()
    {
        const string Reference = "@Microsoft.KeyVault(SecretUri=https://kv-disclosure.vault.azure.net/secrets/auth-staff-key-0/)";
        string[] keys = [Reference, "  @microsoft.keyvault(VaultName=kv;SecretName=s)", "a-real-staff-key-0123"];

        Assert.IsFalse(SettingsKeys.MatchesAny(Reference, keys));
        Assert.IsFalse(SettingsKeys.MatchesAny(keys[1], keys));
        Assert.IsTrue(SettingsKeys.MatchesAny("a-real-staff-key-0123", keys));
        Assert.IsTrue(SettingsKeys.IsUnresolvedReference(keys[1]));
        Assert.IsFalse(SettingsKeys.IsUnresolvedReference("Microsoft.KeyVault-looking-but-not-a-reference"));
    }

    [TestMethod]
    public void MatchesAny_ChecksEveryKeyAndIgnoresBlanks()
    {
        string[] keys = ["", "  ", "alpha", "beta"];

        Assert.IsTrue(SettingsKeys.MatchesAny("alpha", keys));
        Assert.IsTrue(SettingsKeys.MatchesAny("beta", keys));
        Assert.IsFalse(SettingsKeys.MatchesAny("gamma", keys));
        Assert.IsFalse(SettingsKeys.MatchesAny("", keys));
        Assert.IsFalse(SettingsKeys.MatchesAny("  ", keys));
        Assert.IsFalse(SettingsKeys.MatchesAny("alpha", []));
    }

    [TestMethod]
    public void RoleOf_SettingsKeys_GivesStaffAnalystOrNothing()
    {
        var options = new AuthOptions();
        options.StaffKeys.Add("staff-1");
        options.StaffKeys.Add("both");
        options.AnalystKeys.Add("analyst-1");
        options.AnalystKeys.Add("both");
        var supplierKey = SupplierKeys.Issue(SupplierId, Clock).Key;

        Assert.AreEqual(CallerRole.Staff, SettingsKeys.RoleOf("staff-1", options));
        Assert.AreEqual(CallerRole.Analyst, SettingsKeys.RoleOf("analyst-1", options));
        Assert.AreEqual(CallerRole.Staff, SettingsKeys.RoleOf("both", options));
        Assert.IsNull(SettingsKeys.RoleOf("unknown", options));
        Assert.IsNull(SettingsKeys.RoleOf(supplierKey, options));
        Assert.IsNull(SettingsKeys.RoleOf(null, options));
        Assert.IsNull(SettingsKeys.RoleOf("anything", new AuthOptions()));
    }
}
