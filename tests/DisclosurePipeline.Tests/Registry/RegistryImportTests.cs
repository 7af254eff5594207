using System.Text;
using DisclosurePipeline.Domain;
using DisclosurePipeline.Registry;
using DisclosurePipeline.Storage;
using DisclosurePipeline.Tests.Storage;

namespace DisclosurePipeline.Tests.Registry;

[TestClass]
public sealed class RegistryImportTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Import_ValidFile_CreatesEntitiesByteExact()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var (a, b, c) = (TestIds.Uscc(1), TestIds.Uscc(2), TestIds.Uscc(3));
        var csv = $"""
            id,name,kind,tier,region,contactEmail
            {a},深圳市某某电子有限公司,supplier,1,广东省深圳市,ehs@example.com
            {b},"上海某某化工有限公司, 二厂",subsidiary,,,
            {c}, 名字前后有空格 ,supplier,2,"江苏省
            苏州市",
            """;

        var result = await Import(storage, csv, ct);

        Assert.AreEqual(new RegistryImportResult(3, 0, 0, []), result with { Rejected = [], SyncNeeded = [] });
        Assert.IsEmpty(result.Rejected);
        CollectionAssert.AreEquivalent(new[] { a, b, c }, result.SyncNeeded.ToList(), "created entities need a sync");
        var first = await storage.Entities.GetAsync(a, ct);
        Assert.AreEqual(new RegisteredEntity(a, "深圳市某某电子有限公司", EntityKind.Supplier, 1, "广东省深圳市", "ehs@example.com") { ETag = first!.ETag }, first);
        var second = await storage.Entities.GetAsync(b, ct);
        Assert.AreEqual(new RegisteredEntity(b, "上海某某化工有限公司, 二厂", EntityKind.Subsidiary, 1, null, null) { ETag = second!.ETag }, second);
        var third = await storage.Entities.GetAsync(c, ct);
        Assert.AreEqual(" 名字前后有空格 ", third!.Name, "names are kept as written");
        Assert.AreEqual(2, third.Tier);
        Assert.AreEqual("江苏省\n苏州市", third.Region);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Import_OptionalColumnLeftOut_KeepsStoredValueButAnEmptyCellClearsIt()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var (a, b) = (TestIds.Uscc(11), TestIds.Uscc(12));
        await Import(storage, $"id,name,kind,tier,region,contactEmail\n{a},甲公司,supplier,2,苏州,a@example.com\n{b},乙公司,supplier,2,无锡,b@example.com\n", ct);

        var namesOnly = await Import(storage, $"id,name,kind\n{a},甲公司,supplier\n{b},乙公司（新名）,supplier\n", ct);

        Assert.AreEqual(1, namesOnly.Unchanged, "columns not in the file are not changes");
        Assert.AreEqual(1, namesOnly.Updated);
        var kept = await storage.Entities.GetAsync(b, ct);
        Assert.AreEqual("乙公司（新名）", kept!.Name);
        Assert.AreEqual(2, kept.Tier);
        Assert.AreEqual("无锡", kept.Region);
        Assert.AreEqual("b@example.com", kept.ContactEmail);

        await Import(storage, $"id,name,kind,contactEmail\n{a},甲公司,supplier,\n", ct);
        var cleared = await storage.Entities.GetAsync(a, ct);
        Assert.IsNull(cleared!.ContactEmail, "a present column with an empty cell clears the value");
        Assert.AreEqual("苏州", cleared.Region);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Import_SameFileTwice_SecondReportsAllUnchangedAndWritesNothing()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var csv = "id,name,kind,region\n" + string.Join("\n", TestIds.Many(150).Select((id, i) => $"{id},企业{i},supplier,地区{i % 7}"));
        Assert.AreEqual(150, (await Import(storage, csv, ct)).Created);
        var before = (await storage.RawRowsAsync(StorageNames.EntitiesTable, ct)).ToDictionary(r => r.RowKey, r => (r.ETag, r.Timestamp));

        var again = await Import(storage, csv, ct);

        Assert.AreEqual(0, again.Created);
        Assert.AreEqual(0, again.Updated);
        Assert.AreEqual(150, again.Unchanged);
        var after = (await storage.RawRowsAsync(StorageNames.EntitiesTable, ct)).ToDictionary(r => r.RowKey, r => (r.ETag, r.Timestamp));
        CollectionAssert.AreEquivalent(before.ToList(), after.ToList(), "no row was written again");
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Import_ChangedRows_UpdatesOnlyThoseAndKeepsSyncFields()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var (a, b, c) = (TestIds.Uscc(1), TestIds.Uscc(2), TestIds.Uscc(3));
        await Import(storage, $"id,name,kind\n{a},甲,supplier\n{b},乙,supplier\n", ct);
        var synced = (await storage.Entities.GetAsync(a, ct))! with { DisclosureYear = 2024, NotOnPlatform = true };
        await storage.Entities.SaveSyncFieldsAsync([synced], ct);
        var untouched = await storage.Entities.GetAsync(b, ct);

        var result = await Import(storage, $"id,name,kind,tier\n{a},甲（新）,subsidiary,2\n{b},乙,supplier,1\n{c},丙,supplier,\n", ct);

        Assert.AreEqual((1, 1, 1), (result.Created, result.Updated, result.Unchanged));
        var updated = await storage.Entities.GetAsync(a, ct);
        Assert.AreEqual("甲（新）", updated!.Name);
        Assert.AreEqual(EntityKind.Subsidiary, updated.Kind);
        Assert.AreEqual(2, updated.Tier);
        Assert.AreEqual(2024, updated.DisclosureYear);
        Assert.IsTrue(updated.NotOnPlatform);
        Assert.AreEqual(untouched!.ETag, (await storage.Entities.GetAsync(b, ct))!.ETag);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Import_BadRows_RejectedWithRecordNumbersAndGoodRowsKept()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var ids = TestIds.Many(12);
        var lower = ids[3].ToLowerInvariant();
        Assert.AreNotEqual(ids[3], lower, "the test needs an id with letters");
        var wrongCheck = ids[4][..17] + (ids[4][17] == '0' ? '1' : '0');
        var csv =
            "id,name,kind,tier,region,contactEmail\n" +                      // 1
            $"{ids[0]},\"两行\n的名字\",supplier,1,,\n" +                      // 2 (one record over two lines)
            $"{ids[1]},,supplier,1,,\n" +                                     // 3 name missing
            $"{ids[2]},甲,vendor,1,,\n" +                                     // 4 bad kind
            $"{lower},乙,supplier,1,,\n" +                                    // 5 lower case
            $"{wrongCheck},丙,supplier,1,,\n" +                               // 6 check character
            $"{ids[0]},丁,supplier,1,,\n" +                                   // 7 duplicate of line 2
            $"{ids[5]},戊,supplier,3,,\n" +                                   // 8 bad tier
            $"{ids[6]},己,supplier,1,,Someone <x@example.com>\n" +           // 9 not a bare address
            $"{ids[7]},庚\"辛,supplier,1,,\n" +                                // 10 stray quote
            $",壬,supplier,1,,\n" +                                           // 11 id missing
            $" {ids[8]},癸,supplier,1,,\n" +                                  // 12 id with a space
            $"{ids[9]},子,supplier,1,,,extra\n" +                             // 13 too many fields
            $"{ids[10]},丑,subsidiary,2,华东,ok@example.com\n";                // 14 good

        var result = await Import(storage, csv, ct);

        Assert.AreEqual(2, result.Created);
        var byLine = result.Rejected.ToDictionary(r => r.Line);
        CollectionAssert.AreEqual(new[] { 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 }, result.Rejected.Select(r => r.Line).ToArray());
        Assert.Contains("name is required", byLine[3].Error);
        Assert.Contains("kind must be 'subsidiary' or 'supplier'", byLine[4].Error);
        Assert.AreEqual(lower, byLine[5].Id);
        Assert.Contains("upper case", byLine[5].Error);
        Assert.Contains("check character", byLine[6].Error);
        Assert.Contains("first on line 2", byLine[7].Error);
        Assert.Contains("tier must be 1 or 2", byLine[8].Error);
        Assert.Contains("contactEmail", byLine[9].Error);
        Assert.Contains("quote", byLine[10].Error);
        Assert.IsNull(byLine[11].Id);
        Assert.Contains("id is required", byLine[11].Error);
        Assert.Contains("spaces", byLine[12].Error);
        Assert.Contains("7 fields", byLine[13].Error);
        Assert.AreEqual("两行\n的名字", (await storage.Entities.GetAsync(ids[0], ct))!.Name);
        Assert.IsNotNull(await storage.Entities.GetAsync(ids[10], ct));
        Assert.HasCount(2, await storage.Entities.ListAsync(ct));
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Import_UnterminatedQuote_RejectsThatRecordAndSaysWhy()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var ids = TestIds.Many(3);
        var csv = $"id,name,kind\n{ids[0]},好,supplier\n{ids[1]},\"未闭合,supplier\n{ids[2]},后面,supplier\n";

        var result = await Import(storage, csv, ct);

        Assert.AreEqual(1, result.Created);
        var rejected = result.Rejected.Single();
        Assert.AreEqual(3, rejected.Line);
        Assert.AreEqual(ids[1], rejected.Id);
        Assert.Contains("never closed", rejected.Error);
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    public async Task Import_ColumnsInAnyOrderWithBomAndCrLf_AreMappedByName()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var id = TestIds.Uscc(5);
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes($"contactEmail,Region,kind,notes,name,id\r\nq@example.com,华南,subsidiary,ignored,某某,{id}\r\n")).ToArray();

        var result = await new RegistryImport(storage.Entities).ImportAsync(new MemoryStream(bytes), ct);

        Assert.AreEqual(1, result.Created, string.Join("; ", result.Rejected));
        Assert.AreEqual(new RegisteredEntity(id, "某某", EntityKind.Subsidiary, 1, "华南", "q@example.com"), (await storage.Entities.GetAsync(id, ct))! with { ETag = null });
    }

    [TestMethod]
    [Timeout(30000, CooperativeCancellation = true)]
    [DataRow("id,name,tier\n", "'kind'")]
    [DataRow("name,region\n", "'id', 'kind'")]
    [DataRow("", "header row is required")]
    [DataRow("id,name,kind,ID\n", "'id' 2 times")]
    public async Task Import_FileWithoutRequiredColumns_ThrowsNamingThem(string csv, string expected)
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);

        var error = await Assert.ThrowsExactlyAsync<RegistryFormatException>(() => Import(storage, csv, ct));

        Assert.Contains(expected, error.Message);
        Assert.IsEmpty(await storage.Entities.ListAsync(ct));
    }

    [TestMethod]
    [Timeout(60000, CooperativeCancellation = true)]
    public async Task Import_ThousandsOfRows_StreamedAndWrittenOnce()
    {
        var ct = TestContext.CancellationToken;
        await using var storage = await TestStorage.CreateAsync(ct);
        var ids = TestIds.Many(3000);
        var csv = new StringBuilder("id,name,kind,tier,region,contactEmail\n");
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            csv.Append(id).Append(",\"供应商 ").Append(i).Append(", 有限公司\",supplier,").Append(1 + (i % 2)).Append(",区域,s").Append(i).Append("@example.com\n");
        }

        var first = await Import(storage, csv.ToString(), ct);
        var second = await Import(storage, csv.ToString(), ct);

        Assert.AreEqual((3000, 0, 0, 0), (first.Created, first.Updated, first.Unchanged, first.Rejected.Count));
        Assert.AreEqual((0, 0, 3000, 0), (second.Created, second.Updated, second.Unchanged, second.Rejected.Count));
        Assert.HasCount(3000, await storage.Entities.ListAsync(ct));
    }

    private static Task<RegistryImportResult> Import(TestStorage storage, string csv, CancellationToken ct) =>
        new RegistryImport(storage.Entities).ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), ct);
}
