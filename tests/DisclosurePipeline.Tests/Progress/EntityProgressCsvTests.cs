using System.Text;
using DisclosurePipeline.Progress;

namespace DisclosurePipeline.Tests.Progress;

[TestClass]
public sealed class EntityProgressCsvTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task WriteCsvAsync_Rows_WritesBomHeaderAndRfc4180Records()
    {
        EntityProgressRow[] rows =
        [
            new("91310000000000001X", "上海某某化工有限公司", "supplier", 1, "completed", "in_progress", 2, 1,
                new DateTimeOffset(2026, 6, 1, 2, 3, 4, TimeSpan.Zero)),
            new("91310000000000002Y", "Acme, \"East\" Ltd\nPlant 2", "subsidiary", 2, "none", "none", 0, 0, null),
            new("91310000000000003Z", "苏州工厂", "supplier", 1, "none", "completed", 0, 0,
                new DateTimeOffset(2026, 6, 1, 10, 3, 4, 500, TimeSpan.FromHours(8))),
        ];
        using var stream = new MemoryStream();

        await EntityProgressCsv.WriteCsvAsync(stream, rows, TestContext.CancellationToken);

        var bytes = stream.ToArray();
        CollectionAssert.AreEqual(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3], "UTF-8 BOM for Excel");
        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 3, bytes.Length - 3);
        Assert.AreEqual(
            "id,name,kind,tier,prtrStatus,carbonStatus,activeRecords,overdueCases,lastSyncedAt\r\n"
            + "91310000000000001X,上海某某化工有限公司,supplier,1,completed,in_progress,2,1,2026-06-01T02:03:04+00:00\r\n"
            + "91310000000000002Y,\"Acme, \"\"East\"\" Ltd\nPlant 2\",subsidiary,2,none,none,0,0,\r\n"
            + "91310000000000003Z,苏州工厂,supplier,1,none,completed,0,0,2026-06-01T10:03:04.5+08:00\r\n",
            text);
        Assert.IsTrue(stream.CanWrite, "the destination stays open");
    }

    [TestMethod]
    public async Task WriteCsvAsync_NameLikeAFormula_IsWrittenAsText()
    {
        using var stream = new MemoryStream();

        await EntityProgressCsv.WriteCsvAsync(
            stream, [new("91310000000000001X", "=HYPERLINK(\"x\")", "supplier", 1, "none", "none", 0, 0, null)], TestContext.CancellationToken);

        var lines = Encoding.UTF8.GetString(stream.ToArray()).Split("\r\n");
        Assert.AreEqual("91310000000000001X,\"'=HYPERLINK(\"\"x\"\")\",supplier,1,none,none,0,0,", lines[1]);
    }

    [TestMethod]
    public async Task WriteCsvAsync_NoRows_WritesOnlyTheHeader()
    {
        using var stream = new MemoryStream();

        await EntityProgressCsv.WriteCsvAsync(stream, [], TestContext.CancellationToken);

        Assert.AreEqual(
            "\uFEFFid,name,kind,tier,prtrStatus,carbonStatus,activeRecords,overdueCases,lastSyncedAt\r\n",
            new UTF8Encoding(false).GetString(stream.ToArray()));
    }
}
