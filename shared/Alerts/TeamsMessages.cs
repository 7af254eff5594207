using System.Text.Json.Nodes;
using DisclosurePipeline.Domain;

namespace DisclosurePipeline.Alerts;

/// <summary>
/// Bodies for a Teams Workflows or incoming webhook: <c>{"type":"message","attachments":[{"contentType":
/// "application/vnd.microsoft.card.adaptive","contentUrl":null,"content":{AdaptiveCard 1.4}}]}</c>, using only
/// <c>TextBlock</c>, <c>FactSet</c>, <c>Container</c> and <c>Action.OpenUrl</c>. Teams refuses a message over 28 KB,
/// so a digest lists cases until <see cref="DigestBudgetBytes"/> and summarises the rest.
/// </summary>
internal static class TeamsMessages
{
    /// <summary>Teams' documented message size limit, read as 28,000 bytes.</summary>
    public const int MaxBytes = 28_000;

    /// <summary>How many bytes a digest card's listed cases may take, leaving room for the envelope and the summary.</summary>
    public const int DigestBudgetBytes = 22_000;

    /// <summary>Most cases listed per supplier in a digest; the rest are counted.</summary>
    public const int CasesPerSupplier = 10;

    public static JsonObject ForAlert(AlertCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var title = AlertTexts.Title(c.Type);
        var body = new JsonArray
        {
            Text(AlertTexts.Bilingual(title), size: "Large", bold: true, color: c.Type == AlertTypes.PlanDueSoon ? "Warning" : "Attention"),
            new JsonObject
            {
                ["type"] = "FactSet",
                ["facts"] = new JsonArray
                {
                    Fact(AlertTexts.Label(AlertTexts.SupplierZh, AlertTexts.SupplierEn), $"{c.SupplierLabel} ({c.SupplierId})"),
                    Fact(AlertTexts.Label(AlertTexts.RecordZh, AlertTexts.RecordEn), c.RecordId),
                    Fact(AlertTexts.Label(AlertTexts.AuthorityZh, AlertTexts.AuthorityEn), c.AuthorityLabel),
                    Fact(AlertTexts.Label(AlertTexts.DueZh, AlertTexts.DueEn), c.DueText),
                    Fact(AlertTexts.Label(AlertTexts.OverdueZh, AlertTexts.OverdueEn), c.DaysOverdue.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                },
            },
        };
        return Envelope(body, c.CaseUrl);
    }

    public static JsonObject ForDigest(DigestContent digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var body = new JsonArray
        {
            Text($"{AlertTexts.DigestZh} / {AlertTexts.DigestEn} · {digest.DayText}", size: "Large", bold: true),
            Text(AlertTexts.Totals(digest.TotalCases, digest.Suppliers.Count), bold: true),
            Text(AlertTexts.Window(digest), subtle: true),
        };

        var used = 0;
        var listedCases = 0;
        var fullyListedSuppliers = 0;
        foreach (var supplier in digest.Suppliers)
        {
            var items = new JsonArray
            {
                Text($"**{supplier.SupplierLabel}** ({supplier.SupplierId}) · {AlertTexts.CaseCount(supplier.Cases.Count)}"),
            };
            var shown = supplier.Cases.Take(CasesPerSupplier).ToList();
            foreach (var c in shown)
            {
                items.Add(Text(CaseLine(c)));
            }

            if (supplier.Cases.Count > shown.Count)
            {
                items.Add(Text(AlertTexts.MoreOfSupplier(supplier.Cases.Count - shown.Count), subtle: true));
            }

            var container = new JsonObject { ["type"] = "Container", ["separator"] = true, ["items"] = items };
            var size = AlertJson.Bytes(container);
            if (used + size > DigestBudgetBytes)
            {
                break;
            }

            used += size;
            body.Add(container);
            listedCases += shown.Count;
            fullyListedSuppliers += shown.Count == supplier.Cases.Count ? 1 : 0;
        }

        if (listedCases < digest.TotalCases)
        {
            body.Add(Text(AlertTexts.More(digest.TotalCases - listedCases, digest.Suppliers.Count - fullyListedSuppliers), bold: true));
        }

        return Envelope(body, digest.WorkbenchUrl);
    }

    private static string CaseLine(AlertCase c)
    {
        var record = c.CaseUrl is { } url ? $"[{c.RecordId}]({url.AbsoluteUri})" : c.RecordId;
        return $"{record} · {c.AuthorityLabel} · {AlertTexts.DueZh} {AlertTexts.DueEn} {c.DueText} · {AlertTexts.DaysOverdue(c.DaysOverdue)}";
    }

    private static JsonObject Envelope(JsonArray body, Uri? link)
    {
        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.4",
            ["msteams"] = new JsonObject { ["width"] = "Full" },
            ["body"] = body,
        };
        if (link is not null)
        {
            card["actions"] = new JsonArray
            {
                new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = $"{AlertTexts.OpenZh} / {AlertTexts.OpenEn}", ["url"] = link.AbsoluteUri },
            };
        }

        return new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray
            {
                new JsonObject
                {
                    ["contentType"] = "application/vnd.microsoft.card.adaptive",
                    ["contentUrl"] = null,
                    ["content"] = card,
                },
            },
        };
    }

    private static JsonObject Text(string text, string? size = null, bool bold = false, bool subtle = false, string? color = null)
    {
        var block = new JsonObject { ["type"] = "TextBlock", ["text"] = text, ["wrap"] = true };
        if (size is not null)
        {
            block["size"] = size;
        }

        if (bold)
        {
            block["weight"] = "Bolder";
        }

        if (subtle)
        {
            block["isSubtle"] = true;
        }

        if (color is not null)
        {
            block["color"] = color;
        }

        return block;
    }

    private static JsonObject Fact(string title, string value) => new() { ["title"] = title, ["value"] = value };
}
