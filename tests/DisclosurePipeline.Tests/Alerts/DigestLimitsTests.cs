using System.Globalization;
using System.Text.RegularExpressions;
using DisclosurePipeline.Alerts;
using DisclosurePipeline.Domain;

namespace DisclosurePipeline.Tests.Alerts;

/// <summary>A digest with hundreds of cases keeps Slack's Block Kit limits and Teams' 28 KB, and accounts for every case it does not list.</summary>
[TestClass]
public sealed partial class DigestLimitsTests
{
    private const int Suppliers = 80;

    [TestMethod]
    public void Slack_FourHundredCases_WithinBlockKitLimitsAndTheRestCounted()
    {
        var digest = LargeDigest();

        var raw = SlackMessages.ForDigest(digest).ToJsonString(AlertJson.Options);

        var (text, blocks) = ChatShapes.AssertSlackMessage(raw);
        Assert.Contains("400 个案件逾期，涉及 80 家供应商 / 400 cases overdue at 80 suppliers", text);
        Assert.IsLessThanOrEqualTo(SlackMessages.DigestBudgetChars + 1000, blocks.Sum(b => b.Length), "the blocks' text stays well below where Slack refuses a message");
        var listed = blocks.Sum(b => b.Split('\n').Count(line => line.StartsWith("• ", StringComparison.Ordinal)));
        var tail = blocks.Last();
        var notListed = int.Parse(NotListed().Match(tail).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.IsGreaterThan(0, listed);
        Assert.AreEqual(400, listed + notListed, "every case is either listed or counted in the closing line");
        Assert.Contains("<https://pipeline.example.cn/api/workbench|在工作台中查看 / Open in the workbench>", tail);
        StringAssert.StartsWith(blocks[2], "*厦门供应商 0 化工有限公司*", "after the header and totals (and a divider), the supplier with the oldest case");
        Assert.Contains("另有", blocks[2], "a supplier with more cases than a section holds says how many are left out");
    }

    [TestMethod]
    public void Teams_FourHundredCases_Within28KbAndTheRestCounted()
    {
        var digest = LargeDigest();

        var raw = TeamsMessages.ForDigest(digest).ToJsonString(AlertJson.Options);

        var texts = ChatShapes.AssertTeamsMessage(raw);
        Assert.AreEqual("400 个案件逾期，涉及 80 家供应商 / 400 cases overdue at 80 suppliers", texts[1]);
        var listed = texts.Count(t => t.Contains("整改计划截止 Plan due", StringComparison.Ordinal));
        var notListed = int.Parse(NotListed().Match(texts.Single(t => NotListed().IsMatch(t))).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.IsGreaterThan(0, listed);
        Assert.AreEqual(400, listed + notListed);
        Assert.AreEqual("https://pipeline.example.cn/api/workbench", texts[^1]);
    }

    [TestMethod]
    public void Slack_SmallDigest_ListsEveryCaseWithoutAClosingCount()
    {
        var cases = Enumerable.Range(0, 3).Select(i => Case(i % 2, i, new DateOnly(2024, 5, 10 + i))).ToList();
        var digest = new DigestContent("digest-2024-05-14", new DateOnly(2024, 5, 14), null, new DateTimeOffset(2024, 5, 14, 9, 0, 0, TimeSpan.FromHours(8)), DigestContent.Group(cases), null);

        var (_, blocks) = ChatShapes.AssertSlackMessage(SlackMessages.ForDigest(digest).ToJsonString(AlertJson.Options));

        Assert.HasCount(4, blocks, "header, totals, two suppliers (the divider has no text)");
        Assert.IsFalse(blocks.Any(b => NotListed().IsMatch(b)));
        Assert.AreEqual(3, blocks.Sum(b => b.Split('\n').Count(line => line.StartsWith("• ", StringComparison.Ordinal))));
    }

    /// <summary>400 cases at 80 suppliers: supplier 0 has 120 cases (the oldest), the others 3 or 4 each.</summary>
    private static DigestContent LargeDigest()
    {
        var cases = new List<AlertCase>();
        for (var i = 0; i < 120; i++)
        {
            cases.Add(Case(0, i, new DateOnly(2024, 4, 1).AddDays(i % 30)));
        }

        for (var i = 0; cases.Count < 400; i++)
        {
            cases.Add(Case(1 + (i % (Suppliers - 1)), i, new DateOnly(2024, 5, 1).AddDays(i % 10)));
        }

        return new DigestContent(
            "digest-2024-05-14",
            new DateOnly(2024, 5, 14),
            new DateTimeOffset(2024, 5, 13, 9, 0, 0, TimeSpan.FromHours(8)),
            new DateTimeOffset(2024, 5, 14, 9, 0, 0, TimeSpan.FromHours(8)),
            DigestContent.Group(cases),
            new Uri("https://pipeline.example.cn/api/workbench"));
    }

    private static AlertCase Case(int supplier, int record, DateOnly due)
    {
        var id = Storage.TestIds.Uscc(500 + supplier);
        var recordId = string.Create(CultureInfo.InvariantCulture, $"BM-2024-{supplier:D3}{record:D4}");
        return new AlertCase(
            AlertId.For(AlertTypes.PlanOverdue, id, recordId, due), AlertTypes.PlanOverdue, id, $"厦门供应商 {supplier} 化工有限公司", EntityKind.Supplier, recordId,
            "厦门市生态环境局", due, CaseRules.DaysOverdue(due, new DateOnly(2024, 5, 14)), null,
            new Uri($"https://pipeline.example.cn/api/workbench#case/{id}/{recordId}"));
    }

    [GeneratedRegex(@"另有 (\d+) 个案件（\d+ 家供应商）未列出")]
    private static partial Regex NotListed();
}
