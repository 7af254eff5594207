using DisclosurePipeline.Domain;

namespace DisclosurePipeline.Tests.Domain;

[TestClass]
public sealed class UsccTests
{
    [TestMethod]
    [DataRow("91350100M000100Y43")]
    [DataRow("91110000600037341L")]
    public void TryValidate_PublishedCodes_AreValid(string code)
    {
        Assert.IsTrue(Uscc.TryValidate(code, out var error), error);
        Assert.IsNull(error);
    }

    [TestMethod]
    [DataRow("91350100M000100Y44", "check character")]
    [DataRow("91350100M000100Y4", "18 characters")]
    [DataRow("91350100m000100Y43", "invalid character")]
    [DataRow("91350100I000100Y43", "invalid character")]
    [DataRow("", "required")]
    public void TryValidate_MalformedCodes_SayWhy(string code, string reason)
    {
        Assert.IsFalse(Uscc.TryValidate(code, out var error));
        Assert.Contains(reason, error!);
    }

    [TestMethod]
    public void CheckCharacter_CompletesAnyPrefixToAValidCode()
    {
        var prefix = "91440300MA5FXXX1X".Replace('X', 'A');
        var code = prefix + Uscc.CheckCharacter(prefix);
        Assert.IsTrue(Uscc.IsValid(code));
    }

    [TestMethod]
    public void Shard_IsStableAndInRange()
    {
        var shard = Uscc.Shard("91350100M000100Y43");
        Assert.AreEqual(shard, Uscc.Shard("91350100M000100Y43"));
        Assert.IsTrue(int.Parse(shard, System.Globalization.CultureInfo.InvariantCulture) is >= 0 and < Uscc.ShardCount);
    }
}
