using DisclosurePipeline.Cases;
using DisclosurePipeline.Domain;

namespace DisclosurePipeline.Tests.Cases;

[TestClass]
public sealed class CaseQueryTests
{
    [TestMethod]
    public void Parse_NoParameters_FirstPageNewestFirstAtTheDefaultLimit()
    {
        var query = Parse([]);

        Assert.IsTrue(query.IsValid);
        Assert.AreEqual(CaseQuery.FirstPage(), query.Value);
        Assert.AreEqual(CaseQuery.DefaultLimit, query.Value!.Limit);
        Assert.AreEqual(CaseSort.PublishedNewestFirst, query.Value.Sort);
    }

    [TestMethod]
    public void Parse_EveryFilter_IsRead()
    {
        var query = Parse(new()
        {
            ["status"] = "overdue", ["supplierId"] = "9142010070EA8AU0AA", ["authority"] = " 武汉 ", ["dueFrom"] = "2026-11-01",
            ["dueTo"] = "2026-11-30", ["sort"] = "planDueOn", ["limit"] = "25",
        }).Value!;

        Assert.AreEqual(new CaseQuery(CaseStatus.Overdue, "9142010070EA8AU0AA", "武汉", new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 30), CaseSort.DueEarliestFirst, 25, null), query);
    }

    [TestMethod]
    public void Parse_EveryBadParameter_IsReportedAtOnce()
    {
        var query = Parse(new() { ["status"] = "closed", ["limit"] = "0", ["sort"] = "name", ["dueFrom"] = "2026-02-30", ["dueTo"] = "tomorrow" });

        Assert.IsFalse(query.IsValid);
        CollectionAssert.AreEquivalent(new[] { "status", "limit", "sort", "dueFrom", "dueTo" }, query.Errors.Keys.ToArray());
    }

    [TestMethod]
    [DataRow("-1")]
    [DataRow("1001")]
    [DataRow("+5")]
    [DataRow("5.0")]
    public void Parse_LimitOutOfRangeOrNotAWholeNumber_IsRefused(string limit) =>
        Assert.AreEqual("limit must be a whole number from 1 to 1000.", Parse(new() { ["limit"] = limit }).Errors["limit"].Single());

    [TestMethod]
    public void Parse_DueFromAfterDueTo_IsRefused() =>
        Assert.AreEqual("dueFrom must not be after dueTo.", Parse(new() { ["dueFrom"] = "2026-12-02", ["dueTo"] = "2026-12-01" }).Errors["dueFrom"].Single());

    [TestMethod]
    public void ContinuationToken_SameFilters_ResumesAfterTheLastCase()
    {
        var first = Parse(new() { ["status"] = "overdue", ["sort"] = "planDueOn", ["limit"] = "5" }).Value!;
        var last = View("91420100MF6RRNY6TG", "BM-7", new DateOnly(2026, 11, 20));
        var token = CaseCursor.After(last, first.Sort).Encode(first.Fingerprint());

        var next = Parse(new() { ["status"] = "overdue", ["sort"] = "planDueOn", ["limit"] = "50", ["continuationToken"] = token });

        Assert.IsTrue(next.IsValid, "the page size may change between pages");
        Assert.AreEqual(new CaseCursor(new DateOnly(2026, 11, 20).DayNumber, "91420100MF6RRNY6TG", "BM-7"), next.Value!.After);
    }

    [TestMethod]
    [DataRow("status", "open")]
    [DataRow("sort", "-planDueOn")]
    [DataRow("authority", "上海")]
    [DataRow("dueTo", "2026-12-31")]
    public void ContinuationToken_OtherFiltersOrSort_IsRefused(string parameter, string value)
    {
        var first = Parse(new() { ["status"] = "overdue", ["sort"] = "planDueOn" }).Value!;
        var token = CaseCursor.After(View("91420100MF6RRNY6TG", "BM-7", new DateOnly(2026, 11, 20)), first.Sort).Encode(first.Fingerprint());
        var changed = new Dictionary<string, string> { ["status"] = "overdue", ["sort"] = "planDueOn", ["continuationToken"] = token };
        changed[parameter] = value;

        Assert.IsTrue(Parse(changed).Errors.ContainsKey("continuationToken"));
    }

    [TestMethod]
    [DataRow("not-a-token")]
    [DataRow("e30")]
    [DataRow("!!!")]
    public void ContinuationToken_Malformed_IsRefused(string token) =>
        Assert.IsTrue(Parse(new() { ["continuationToken"] = token }).Errors.ContainsKey("continuationToken"));

    [TestMethod]
    public void Order_DueEarliestFirst_BreaksTiesBySupplierThenRecord()
    {
        var due = new DateOnly(2026, 11, 20);
        var views = new[] { View("B", "R2", due), View("A", "R9", due.AddDays(1)), View("B", "R1", due), View("A", "R5", due) };
        var order = CaseOrder.For(CaseSort.DueEarliestFirst);

        var sorted = views.Order(order).Select(v => v.SupplierId + "/" + v.RecordId).ToArray();

        CollectionAssert.AreEqual(new[] { "A/R5", "B/R1", "B/R2", "A/R9" }, sorted);
        Assert.IsTrue(order.IsAfter(views[0], CaseCursor.After(views[2], CaseSort.DueEarliestFirst)));
        Assert.IsFalse(order.IsAfter(views[2], CaseCursor.After(views[2], CaseSort.DueEarliestFirst)), "the cursor's own case is not after itself");
    }

    private static Validated<CaseQuery> Parse(Dictionary<string, string> parameters) =>
        CaseQuery.Parse(name => parameters.TryGetValue(name, out var v) ? v : null);

    private static CaseView View(string supplierId, string recordId, DateOnly due) =>
        new(supplierId, "", EntityKind.Supplier, recordId, "", "other", "", new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), due, CaseStatus.Overdue, null, []);
}
