using System.Text;
using System.Text.Json.Nodes;

namespace DisclosurePipeline.Tests.Alerts;

/// <summary>
/// The message shapes the chat services document, checked field by field: Teams Workflows / incoming webhooks take
/// <c>{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":{AdaptiveCard}}]}</c>
/// up to 28 KB; Slack incoming webhooks take <c>{"text","blocks"}</c> with at most 50 blocks, section text at most 3000
/// characters, at most 10 fields of at most 2000, header plain text at most 150.
/// </summary>
internal static class ChatShapes
{
    private static readonly HashSet<string> CardElements = ["TextBlock", "FactSet", "Container", "ColumnSet", "Column", "Image"];
    private static readonly HashSet<string> SlackBlocks = ["header", "section", "divider", "context"];

    /// <summary>Checks a Teams message and returns every text it shows, in order (TextBlock text, fact titles and values, action titles and URLs).</summary>
    public static List<string> AssertTeamsMessage(string raw)
    {
        Assert.IsLessThanOrEqualTo(28_000, Encoding.UTF8.GetByteCount(raw), "Teams refuses messages over 28 KB");
        var message = (JsonObject)JsonNode.Parse(raw)!;
        Assert.AreEqual("message", (string?)message["type"]);
        var attachments = message["attachments"]!.AsArray();
        Assert.HasCount(1, attachments);
        var attachment = attachments[0]!.AsObject();
        Assert.AreEqual("application/vnd.microsoft.card.adaptive", (string?)attachment["contentType"]);
        var card = attachment["content"]!.AsObject();
        Assert.AreEqual("AdaptiveCard", (string?)card["type"]);
        Assert.AreEqual("1.4", (string?)card["version"]);
        Assert.AreEqual("http://adaptivecards.io/schemas/adaptive-card.json", (string?)card["$schema"]);
        var texts = new List<string>();
        var body = card["body"]!.AsArray();
        Assert.IsNotEmpty(body);
        foreach (var element in body)
        {
            CheckElement(element!.AsObject(), texts);
        }

        if (card["actions"] is JsonArray actions)
        {
            foreach (var action in actions.Select(a => a!.AsObject()))
            {
                Assert.AreEqual("Action.OpenUrl", (string?)action["type"], "webhooks support Action.OpenUrl, not Action.Submit");
                var title = (string?)action["title"];
                Assert.IsFalse(string.IsNullOrWhiteSpace(title));
                Assert.IsTrue(Uri.TryCreate((string?)action["url"], UriKind.Absolute, out var url));
                texts.Add(title!);
                texts.Add(url!.AbsoluteUri);
            }
        }

        return texts;
    }

    private static void CheckElement(JsonObject element, List<string> texts)
    {
        var type = (string?)element["type"];
        Assert.IsTrue(type is not null && CardElements.Contains(type), $"'{type}' is an Adaptive Card 1.4 element");
        switch (type)
        {
            case "TextBlock":
                var text = (string?)element["text"];
                Assert.IsFalse(string.IsNullOrWhiteSpace(text), "a TextBlock has text");
                texts.Add(text!);
                break;
            case "FactSet":
                var facts = element["facts"]!.AsArray();
                Assert.IsNotEmpty(facts);
                foreach (var fact in facts.Select(f => f!.AsObject()))
                {
                    Assert.IsNotNull((string?)fact["title"]);
                    Assert.IsNotNull((string?)fact["value"]);
                    texts.Add($"{fact["title"]}: {fact["value"]}");
                }

                break;
            case "Container":
                var items = element["items"]!.AsArray();
                Assert.IsNotEmpty(items, "a Container has items");
                foreach (var item in items)
                {
                    CheckElement(item!.AsObject(), texts);
                }

                break;
        }
    }

    /// <summary>Checks a Slack message within Block Kit's limits and returns its fallback text and every block's text, in order.</summary>
    public static (string Text, List<string> Blocks) AssertSlackMessage(string raw)
    {
        var message = (JsonObject)JsonNode.Parse(raw)!;
        var text = (string?)message["text"];
        Assert.IsFalse(string.IsNullOrWhiteSpace(text), "a message with blocks carries a text fallback for notifications");
        var blocks = message["blocks"]!.AsArray();
        Assert.IsNotEmpty(blocks);
        Assert.IsLessThanOrEqualTo(50, blocks.Count, "at most 50 blocks per message");
        var texts = new List<string>();
        foreach (var block in blocks.Select(b => b!.AsObject()))
        {
            var type = (string?)block["type"];
            Assert.IsTrue(type is not null && SlackBlocks.Contains(type), $"'{type}' is a Block Kit layout block");
            switch (type)
            {
                case "header":
                    Assert.AreEqual("plain_text", (string?)block["text"]!["type"]);
                    var header = (string)block["text"]!["text"]!;
                    Assert.IsLessThanOrEqualTo(150, header.Length, "header text at most 150 characters");
                    texts.Add(header);
                    break;
                case "section":
                    Assert.IsTrue(block["text"] is not null || block["fields"] is not null, "a section has text or fields");
                    if (block["text"] is JsonObject sectionText)
                    {
                        Assert.AreEqual("mrkdwn", (string?)sectionText["type"]);
                        var value = (string)sectionText["text"]!;
                        Assert.IsLessThanOrEqualTo(3000, value.Length, "section text at most 3000 characters");
                        Assert.IsFalse(string.IsNullOrWhiteSpace(value));
                        texts.Add(value);
                    }

                    if (block["fields"] is JsonArray fields)
                    {
                        Assert.IsLessThanOrEqualTo(10, fields.Count, "at most 10 fields");
                        foreach (var field in fields.Select(f => f!.AsObject()))
                        {
                            Assert.AreEqual("mrkdwn", (string?)field["type"]);
                            var value = (string)field["text"]!;
                            Assert.IsLessThanOrEqualTo(2000, value.Length, "field text at most 2000 characters");
                            texts.Add(value);
                        }
                    }

                    break;
            }
        }

        return (text!, texts);
    }
}
