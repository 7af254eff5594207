using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DisclosurePipeline.Domain;

namespace DisclosurePipeline.Tests.Cases;

[TestClass]
public sealed class PlanSubmissionTests
{
    private static JsonObject ValidBody() => new()
    {
        ["summary"] = "更换排污阀门并加装在线监测",
        ["rootCause"] = "Valve failure not detected",
        ["actions"] = new JsonArray(
            new JsonObject { ["description"] = "Replace the valve", ["owner"] = "Plant manager", ["dueOn"] = "2024-06-01" },
            new JsonObject { ["description"] = "Install monitoring" }),
        ["expectedCompletionOn"] = "2024-07-01",
        ["contact"] = new JsonObject { ["name"] = "Li Lei", ["email"] = "li.lei@example.com", ["phone"] = "+86 592 000 0000" },
    };

    private static Validated<PlanContent> Check(JsonObject body) => PlanSubmission.Parse(body.ToJsonString());

    private static Validated<PlanContent> CheckWith(Action<JsonObject> change)
    {
        var body = ValidBody();
        change(body);
        return Check(body);
    }

    private static void AssertOnlyErrorsFor(Validated<PlanContent> result, params string[] fields)
    {
        Assert.IsFalse(result.IsValid);
        Assert.IsNull(result.Value);
        CollectionAssert.AreEquivalent(fields, result.Errors.Keys.ToArray(), string.Join("; ", result.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
        foreach (var field in fields)
        {
            Assert.IsNotEmpty(result.Errors[field]);
            Assert.IsTrue(result.Errors[field].All(m => !string.IsNullOrWhiteSpace(m)));
        }
    }

    [TestMethod]
    public void Parse_FullBody_GivesTheContentAsWritten()
    {
        var result = Check(ValidBody());

        Assert.IsTrue(result.IsValid);
        Assert.IsEmpty(result.Errors);
        var content = result.Value!;
        Assert.AreEqual("更换排污阀门并加装在线监测", content.Summary);
        Assert.AreEqual("Valve failure not detected", content.RootCause);
        Assert.HasCount(2, content.Actions);
        Assert.AreEqual(new PlanAction("Replace the valve", "Plant manager", new DateOnly(2024, 6, 1)), content.Actions[0]);
        Assert.AreEqual(new PlanAction("Install monitoring", null, null), content.Actions[1]);
        var completion = content.ExpectedCompletionOn;
        Assert.AreEqual(new DateOnly(2024, 7, 1), completion);
        Assert.AreEqual(new PlanContact("Li Lei", "li.lei@example.com", "+86 592 000 0000"), content.Contact);
    }

    [TestMethod]
    public void Parse_MinimalBody_DefaultsTheOptionalFields()
    {
        var result = CheckWith(b =>
        {
            b.Remove("contact");
            b["actions"] = new JsonArray(new JsonObject { ["description"] = "Fix", ["owner"] = null, ["dueOn"] = null });
        });

        Assert.IsTrue(result.IsValid);
        Assert.AreSame(PlanContact.None, result.Value!.Contact);
        Assert.AreEqual(new PlanAction("Fix", null, null), Assert.ContainsSingle(result.Value.Actions));
    }

    [TestMethod]
    public void Parse_NullContactAndEmptyContactFields_AreNone()
    {
        Assert.AreSame(PlanContact.None, CheckWith(b => b["contact"] = null).Value!.Contact);
        Assert.AreEqual(PlanContact.None, CheckWith(b => b["contact"] = new JsonObject { ["email"] = "", ["name"] = " " }).Value!.Contact);
    }

    [TestMethod]
    public void Parse_PascalCaseNamesAndUnknownProperties_AreAccepted()
    {
        var body = new JsonObject
        {
            ["Summary"] = "s",
            ["ROOTCAUSE"] = "r",
            ["Actions"] = new JsonArray(new JsonObject { ["Description"] = "d", ["DueOn"] = "2024-01-31" }),
            ["ExpectedCompletionOn"] = "2024-02-29",
            ["extra"] = 42,
        };

        var result = Check(body);

        Assert.IsTrue(result.IsValid, string.Join(",", result.Errors.Keys));
        var completion = result.Value!.ExpectedCompletionOn;
        Assert.AreEqual(new DateOnly(2024, 2, 29), completion);
        Assert.AreEqual(new DateOnly(2024, 1, 31), result.Value.Actions[0].DueOn);
    }

    [TestMethod]
    [DataRow("summary")]
    [DataRow("rootCause")]
    public void Parse_RequiredTextMissingOrBlank_IsAFieldError(string field)
    {
        AssertOnlyErrorsFor(CheckWith(b => b.Remove(field)), field);
        AssertOnlyErrorsFor(CheckWith(b => b[field] = null), field);
        AssertOnlyErrorsFor(CheckWith(b => b[field] = ""), field);
        AssertOnlyErrorsFor(CheckWith(b => b[field] = " \t\n"), field);
    }

    [TestMethod]
    [DataRow("summary")]
    [DataRow("rootCause")]
    public void Parse_RequiredTextOfWrongType_IsAFieldError(string field)
    {
        AssertOnlyErrorsFor(CheckWith(b => b[field] = 123), field);
        AssertOnlyErrorsFor(CheckWith(b => b[field] = true), field);
        AssertOnlyErrorsFor(CheckWith(b => b[field] = new JsonArray("a")), field);
        AssertOnlyErrorsFor(CheckWith(b => b[field] = new JsonObject()), field);
    }

    [TestMethod]
    [DataRow("summary")]
    [DataRow("rootCause")]
    public void Parse_TextLength_AllowsExactly4000Characters(string field)
    {
        Assert.IsTrue(CheckWith(b => b[field] = new string('字', 4000)).IsValid);
        AssertOnlyErrorsFor(CheckWith(b => b[field] = new string('a', 4001)), field);

        // Characters outside the BMP are two UTF-16 units but one character each.
        var emoji = string.Concat(Enumerable.Repeat("😀", 4000));
        Assert.AreEqual(8000, emoji.Length);
        Assert.IsTrue(CheckWith(b => b[field] = emoji).IsValid);
        AssertOnlyErrorsFor(CheckWith(b => b[field] = emoji + "😀"), field);
    }

    [TestMethod]
    public void Parse_ActionsMissingNullOrNotAnArray_IsAFieldError()
    {
        AssertOnlyErrorsFor(CheckWith(b => b.Remove("actions")), "actions");
        AssertOnlyErrorsFor(CheckWith(b => b["actions"] = null), "actions");
        AssertOnlyErrorsFor(CheckWith(b => b["actions"] = "fix it"), "actions");
        AssertOnlyErrorsFor(CheckWith(b => b["actions"] = new JsonObject { ["description"] = "d" }), "actions");
    }

    [TestMethod]
    [DataRow(0, false)]
    [DataRow(1, true)]
    [DataRow(50, true)]
    [DataRow(51, false)]
    public void Parse_ActionCount_MustBe1To50(int count, bool valid)
    {
        var result = CheckWith(b => b["actions"] = new JsonArray([.. Enumerable.Range(0, count).Select(i => (JsonNode)new JsonObject { ["description"] = $"step {i}" })]));

        if (valid)
        {
            Assert.IsTrue(result.IsValid);
            Assert.HasCount(count, result.Value!.Actions);
            Assert.AreEqual($"step {count - 1}", result.Value.Actions[^1].Description);
        }
        else
        {
            AssertOnlyErrorsFor(result, "actions");
        }
    }

    [TestMethod]
    public void Parse_ActionItemsWithBadFields_AreKeyedByIndex()
    {
        var result = CheckWith(b => b["actions"] = new JsonArray(
            new JsonObject { ["description"] = "ok", ["owner"] = "o", ["dueOn"] = "2024-06-01" },
            "not an object",
            new JsonObject { ["owner"] = "nobody" },
            new JsonObject { ["description"] = 5, ["owner"] = 7, ["dueOn"] = "June" },
            new JsonObject { ["description"] = "  " },
            null));

        AssertOnlyErrorsFor(result, "actions[1]", "actions[2].description", "actions[3].description", "actions[3].owner", "actions[3].dueOn", "actions[4].description", "actions[5]");
    }

    [TestMethod]
    [DataRow("2024-5-3")]
    [DataRow("2024-05-3")]
    [DataRow("2024-02-30")]
    [DataRow("2023-02-29")]
    [DataRow("2024-13-01")]
    [DataRow("20240503")]
    [DataRow("2024/05/03")]
    [DataRow("2024-05-03T00:00:00")]
    [DataRow(" 2024-05-03")]
    [DataRow("２０２４-05-03")]
    [DataRow("")]
    [DataRow("tomorrow")]
    public void Parse_BadDates_AreFieldErrors(string date)
    {
        AssertOnlyErrorsFor(CheckWith(b => b["expectedCompletionOn"] = date), "expectedCompletionOn");
        AssertOnlyErrorsFor(CheckWith(b => b["actions"]![0]!["dueOn"] = date), "actions[0].dueOn");
    }

    [TestMethod]
    public void Parse_DatesOfWrongType_AreFieldErrors()
    {
        AssertOnlyErrorsFor(CheckWith(b => b["expectedCompletionOn"] = 20240503), "expectedCompletionOn");
        AssertOnlyErrorsFor(CheckWith(b => b["expectedCompletionOn"] = new JsonObject()), "expectedCompletionOn");
        AssertOnlyErrorsFor(CheckWith(b => b["actions"]![0]!["dueOn"] = false), "actions[0].dueOn");
    }

    [TestMethod]
    public void Parse_ExpectedCompletionMissingOrNull_IsRequired()
    {
        AssertOnlyErrorsFor(CheckWith(b => b.Remove("expectedCompletionOn")), "expectedCompletionOn");
        AssertOnlyErrorsFor(CheckWith(b => b["expectedCompletionOn"] = null), "expectedCompletionOn");
    }

    [TestMethod]
    [DataRow("li.lei@example.com", true)]
    [DataRow("a+tag@sub.example.cn", true)]
    [DataRow("李雷@例子.中国", true)]
    [DataRow("not-an-address", false)]
    [DataRow("@example.com", false)]
    [DataRow("li@", false)]
    [DataRow("li@example", false)]
    [DataRow("li@@example.com", false)]
    [DataRow("li@exa mple.com", false)]
    [DataRow("li@example.com.", false)]
    [DataRow("li@.example.com", false)]
    [DataRow("li@example..com", false)]
    [DataRow("Li <li@example.com>", false)]
    public void Parse_ContactEmail_IsValidatedWhenGiven(string email, bool valid)
    {
        var result = CheckWith(b => b["contact"]!["email"] = email);

        if (valid)
        {
            Assert.IsTrue(result.IsValid);
            Assert.AreEqual(email, result.Value!.Contact.Email);
        }
        else
        {
            AssertOnlyErrorsFor(result, "contact.email");
        }
    }

    [TestMethod]
    public void Parse_EmailLength_AllowsExactly254Characters()
    {
        var domain = string.Join(".", Enumerable.Repeat(new string('b', 60), 3)) + ".com"; // 186 characters
        var longest = new string('a', 254 - 1 - domain.Length) + "@" + domain;
        Assert.AreEqual(EmailAddress.MaxLength, longest.Length);

        Assert.IsTrue(CheckWith(b => b["contact"]!["email"] = longest).IsValid);
        AssertOnlyErrorsFor(CheckWith(b => b["contact"]!["email"] = "a" + longest), "contact.email");
    }

    [TestMethod]
    public void Parse_ContactOfWrongShape_IsAFieldError()
    {
        AssertOnlyErrorsFor(CheckWith(b => b["contact"] = "Li Lei"), "contact");
        AssertOnlyErrorsFor(CheckWith(b => b["contact"] = new JsonArray()), "contact");
        AssertOnlyErrorsFor(CheckWith(b => b["contact"]!["name"] = 1), "contact.name");
        AssertOnlyErrorsFor(CheckWith(b => b["contact"]!["phone"] = 5925550000), "contact.phone");
        AssertOnlyErrorsFor(CheckWith(b => b["contact"]!["email"] = new JsonObject()), "contact.email");
    }

    [TestMethod]
    public void Parse_EverythingWrong_ReportsEveryField()
    {
        var body = new JsonObject
        {
            ["summary"] = 1,
            ["actions"] = new JsonArray(new JsonObject { ["dueOn"] = "x" }),
            ["expectedCompletionOn"] = "2024-02-31",
            ["contact"] = new JsonObject { ["email"] = "nope" },
        };

        AssertOnlyErrorsFor(Check(body), "summary", "rootCause", "actions[0].description", "actions[0].dueOn", "expectedCompletionOn", "contact.email");
    }

    [TestMethod]
    [DataRow("[]")]
    [DataRow("[{\"summary\":\"s\"}]")]
    [DataRow("\"summary\"")]
    [DataRow("42")]
    [DataRow("true")]
    [DataRow("null")]
    public void Parse_BodyNotAnObject_IsOneBodyError(string json)
    {
        AssertOnlyErrorsFor(PlanSubmission.Parse(json), "body");
        AssertOnlyErrorsFor(PlanSubmission.Parse(Encoding.UTF8.GetBytes(json)), "body");
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("{")]
    [DataRow("{\"summary\": \"s\",}")]
    [DataRow("summary=s&rootCause=r")]
    [DataRow("{\"summary\": 'single quotes'}")]
    public void Parse_BodyNotJson_IsOneBodyError(string text)
    {
        AssertOnlyErrorsFor(PlanSubmission.Parse(text), "body");
        AssertOnlyErrorsFor(PlanSubmission.Parse(Encoding.UTF8.GetBytes(text)), "body");
    }

    [TestMethod]
    public void Validate_DefaultElement_IsOneBodyError()
    {
        AssertOnlyErrorsFor(PlanSubmission.Validate(default), "body");
    }

    [TestMethod]
    public void Validate_ParsedElement_MatchesParse()
    {
        using var document = JsonDocument.Parse(ValidBody().ToJsonString());

        var result = PlanSubmission.Validate(document.RootElement);

        Assert.IsTrue(result.IsValid);
        Assert.AreEqual("Valve failure not detected", result.Value!.RootCause);
    }

    [TestMethod]
    public void Parse_Utf8Bytes_GivesTheSameContent()
    {
        var result = PlanSubmission.Parse(Encoding.UTF8.GetBytes(ValidBody().ToJsonString()));

        Assert.IsTrue(result.IsValid);
        Assert.AreEqual("更换排污阀门并加装在线监测", result.Value!.Summary);
    }

    [TestMethod]
    [DataRow("{\"decision\":\"approve\"}", ReviewDecision.Approve, null)]
    [DataRow("{\"decision\":\"approve\",\"comment\":\"fine\"}", ReviewDecision.Approve, "fine")]
    [DataRow("{\"decision\":\"reject\",\"comment\":\"too vague\"}", ReviewDecision.Reject, "too vague")]
    public void ReviewValidate_GoodBodies_AreAccepted(string json, ReviewDecision decision, string? comment)
    {
        var result = PlanReviewRequest.Parse(json);

        Assert.IsTrue(result.IsValid);
        Assert.AreEqual(new PlanReviewRequest(decision, comment), result.Value);
    }

    [TestMethod]
    [DataRow("{\"decision\":\"reject\"}", "comment")]
    [DataRow("{\"decision\":\"reject\",\"comment\":\"  \"}", "comment")]
    [DataRow("{\"decision\":\"reject\",\"comment\":null}", "comment")]
    [DataRow("{\"decision\":\"approve\",\"comment\":3}", "comment")]
    [DataRow("{\"decision\":\"Approve\"}", "decision")]
    [DataRow("{\"decision\":\"maybe\",\"comment\":\"x\"}", "decision")]
    [DataRow("{\"decision\":1}", "decision")]
    [DataRow("{\"decision\":null}", "decision")]
    [DataRow("{\"comment\":\"x\"}", "decision")]
    [DataRow("[]", "body")]
    [DataRow("{", "body")]
    public void ReviewValidate_BadBodies_AreFieldErrors(string json, string field)
    {
        var result = PlanReviewRequest.Parse(json);

        Assert.IsFalse(result.IsValid);
        CollectionAssert.AreEqual(new[] { field }, result.Errors.Keys.ToArray());
    }

    [TestMethod]
    public void ReviewValidate_CommentOver4000_IsAFieldError()
    {
        var json = new JsonObject { ["decision"] = "reject", ["comment"] = new string('x', 4001) }.ToJsonString();

        Assert.AreEqual("comment", Assert.ContainsSingle(PlanReviewRequest.Parse(json).Errors.Keys));
    }
}
