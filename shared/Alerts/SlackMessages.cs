using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace DisclosurePipeline.Alerts;

/// <summary>
/// Bodies for a Slack incoming webhook: <c>{"text": fallback, "blocks": [...]}</c> with <c>header</c>, <c>section</c>
/// (mrkdwn, <c>&amp; &lt; &gt;</c> escaped) and <c>divider</c> blocks. Block Kit limits are kept: at most
/// <see cref="MaxBlocks"/> blocks, section text at most <see cref="MaxSectionChars"/> characters, header text at most
/// <see cref="MaxHeaderChars"/>, at most 10 section fields; a digest also keeps its blocks' text under
/// <see cref="DigestBudgetChars"/> and summarises the cases it does not list.
/// </summary>
internal static class SlackMessages
{
    public const int MaxBlocks = 50;
    public const int MaxSectionChars = 3000;
    public const int MaxHeaderChars = 150;

    /// <summary>The text all of a digest's blocks may hold together: well below where Slack starts refusing long messages.</summary>
    public const int DigestBudgetChars = 11_000;

    public static JsonObject ForAlert(AlertCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var title = AlertTexts.Title(c.Type);
        var blocks = new JsonArray
        {
            Header(AlertTexts.Bilingual(title)),
            new JsonObject
            {
                ["type"] = "section",
                ["fields"] = new JsonArray
                {
                    Field(AlertTexts.SupplierZh, AlertTexts.SupplierEn, $"{Escape(c.SupplierLabel)} (`{Escape(c.SupplierId)}`)"),
                    Field(AlertTexts.RecordZh, AlertTexts.RecordEn, Escape(c.RecordId)),
                    Field(AlertTexts.AuthorityZh, AlertTexts.AuthorityEn, Escape(c.AuthorityLabel)),
                    Field(AlertTexts.DueZh, AlertTexts.DueEn, c.DueText),
                    Field(AlertTexts.OverdueZh, AlertTexts.OverdueEn, c.DaysOverdue.ToString(CultureInfo.InvariantCulture)),
                },
            },
        };
        if (c.CaseUrl is { } url)
        {
            blocks.Add(Section($"<{url.AbsoluteUri}|{AlertTexts.OpenZh} / {AlertTexts.OpenEn}>"));
        }

        var text = $"{AlertTexts.Bilingual(title)}: {c.SupplierLabel} ({c.SupplierId}) · {c.RecordId} · {c.AuthorityLabel} · {AlertTexts.DueZh} {AlertTexts.DueEn} {c.DueText} · {AlertTexts.DaysOverdue(c.DaysOverdue)}";
        return new JsonObject { ["text"] = Escape(text), ["blocks"] = blocks };
    }

    public static JsonObject ForDigest(DigestContent digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var title = $"{AlertTexts.DigestZh} / {AlertTexts.DigestEn} · {digest.DayText}";
        var totals = AlertTexts.Totals(digest.TotalCases, digest.Suppliers.Count);
        var blocks = new JsonArray
        {
            Header(title),
            Section($"*{Escape(totals)}*\n{Escape(AlertTexts.Window(digest))}"),
            new JsonObject { ["type"] = "divider" },
        };

        // Room for the closing summary block.
        var maxSupplierBlocks = MaxBlocks - blocks.Count - 1;
        var used = title.Length + totals.Length + 200;
        var listedCases = 0;
        var fullyListedSuppliers = 0;
        foreach (var supplier in digest.Suppliers)
        {
            if (maxSupplierBlocks == 0)
            {
                break;
            }

            var (text, shown) = SupplierSection(supplier);
            if (used + text.Length > DigestBudgetChars)
            {
                break;
            }

            used += text.Length;
            blocks.Add(Section(text));
            maxSupplierBlocks--;
            listedCases += shown;
            fullyListedSuppliers += shown == supplier.Cases.Count ? 1 : 0;
        }

        if (listedCases < digest.TotalCases || digest.WorkbenchUrl is not null)
        {
            var tail = new StringBuilder();
            if (listedCases < digest.TotalCases)
            {
                tail.Append('*').Append(Escape(AlertTexts.More(digest.TotalCases - listedCases, digest.Suppliers.Count - fullyListedSuppliers))).Append('*');
            }

            if (digest.WorkbenchUrl is { } workbench)
            {
                tail.Append(tail.Length > 0 ? "\n" : "").Append('<').Append(workbench.AbsoluteUri).Append('|').Append(AlertTexts.OpenZh).Append(" / ").Append(AlertTexts.OpenEn).Append('>');
            }

            blocks.Add(Section(tail.ToString()));
        }

        return new JsonObject { ["text"] = Escape($"{title}: {totals}"), ["blocks"] = blocks };
    }

    /// <summary>One supplier's section text (at most <see cref="MaxSectionChars"/>) and how many of its cases it lists.</summary>
    private static (string Text, int Shown) SupplierSection(DigestSupplier supplier)
    {
        var text = new StringBuilder()
            .Append('*').Append(Escape(supplier.SupplierLabel)).Append("* (`").Append(Escape(supplier.SupplierId)).Append("`) · ")
            .Append(Escape(AlertTexts.CaseCount(supplier.Cases.Count)));
        var shown = 0;
        foreach (var c in supplier.Cases)
        {
            var line = "\n• " + CaseLine(c);
            var rest = supplier.Cases.Count - shown - 1;

            // Keep room for the "n more" line whenever cases would be left out.
            var reserve = rest > 0 ? 60 : 0;
            if (text.Length + line.Length + reserve > MaxSectionChars)
            {
                break;
            }

            text.Append(line);
            shown++;
        }

        if (shown < supplier.Cases.Count)
        {
            text.Append("\n_").Append(Escape(AlertTexts.MoreOfSupplier(supplier.Cases.Count - shown))).Append('_');
        }

        return (text.ToString(), shown);
    }

    private static string CaseLine(AlertCase c)
    {
        var record = c.CaseUrl is { } url ? $"<{url.AbsoluteUri}|{Escape(c.RecordId)}>" : Escape(c.RecordId);
        return $"{record} · {Escape(c.AuthorityLabel)} · {AlertTexts.DueZh} {AlertTexts.DueEn} {c.DueText} · {Escape(AlertTexts.DaysOverdue(c.DaysOverdue))}";
    }

    private static JsonObject Header(string text) => new()
    {
        ["type"] = "header",
        ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = Truncate(text, MaxHeaderChars), ["emoji"] = true },
    };

    private static JsonObject Section(string mrkdwn) => new()
    {
        ["type"] = "section",
        ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = Truncate(mrkdwn, MaxSectionChars) },
    };

    private static JsonObject Field(string zh, string en, string value) => new() { ["type"] = "mrkdwn", ["text"] = Truncate($"*{zh} {en}*\n{value}", 2000) };

    private static string Truncate(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");

    /// <summary>Slack's mrkdwn escaping: <c>&amp;</c>, <c>&lt;</c> and <c>&gt;</c> (they start entities and links).</summary>
    public static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
