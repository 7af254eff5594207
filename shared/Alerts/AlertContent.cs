using System.Globalization;
using DisclosurePipeline.Domain;

namespace DisclosurePipeline.Alerts;

/// <summary>One case as an alert message shows it.</summary>
/// <param name="AlertId">The alert's id.</param>
/// <param name="Type"><c>plan_overdue</c> or <c>plan_due_soon</c>.</param>
/// <param name="SupplierId">The entity's USCC.</param>
/// <param name="SupplierName">The entity's name.</param>
/// <param name="Kind">Subsidiary or supplier.</param>
/// <param name="RecordId">The case's record.</param>
/// <param name="Authority">The issuing authority (empty when the case is gone).</param>
/// <param name="PlanDueOn">The deadline.</param>
/// <param name="DaysOverdue">Local days past the deadline (as of the message).</param>
/// <param name="ContactEmail">The entity's contact, if any.</param>
/// <param name="CaseUrl">The case in the staff workbench, when <c>Alerts__WorkbenchUrl</c> is set.</param>
public sealed record AlertCase(
    string AlertId,
    string Type,
    string SupplierId,
    string SupplierName,
    EntityKind Kind,
    string RecordId,
    string Authority,
    DateOnly PlanDueOn,
    int DaysOverdue,
    string? ContactEmail,
    Uri? CaseUrl)
{
    /// <summary>The due date as <c>yyyy-MM-dd</c>.</summary>
    public string DueText => PlanDueOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The supplier's name, or its id when the registry has no name.</summary>
    public string SupplierLabel => string.IsNullOrWhiteSpace(SupplierName) ? SupplierId : SupplierName;

    /// <summary>The authority, or a dash when unknown.</summary>
    public string AuthorityLabel => string.IsNullOrWhiteSpace(Authority) ? "—" : Authority;
}

/// <summary>One supplier's cases in a digest, oldest deadline first.</summary>
/// <param name="SupplierId">The entity's USCC.</param>
/// <param name="SupplierName">The entity's name.</param>
/// <param name="Kind">Subsidiary or supplier.</param>
/// <param name="Cases">Its cases, oldest <c>planDueOn</c> first.</param>
public sealed record DigestSupplier(string SupplierId, string SupplierName, EntityKind Kind, IReadOnlyList<AlertCase> Cases)
{
    /// <summary>The supplier's name, or its id when the registry has no name.</summary>
    public string SupplierLabel => string.IsNullOrWhiteSpace(SupplierName) ? SupplierId : SupplierName;
}

/// <summary>What a daily digest lists: the cases that became overdue in its window, grouped by supplier.</summary>
/// <param name="DigestId">The digest's id (also the <c>Idempotency-Key</c>).</param>
/// <param name="Day">The local day it is for.</param>
/// <param name="CoversFrom">The window's start in the pipeline's zone (null: from the beginning).</param>
/// <param name="CoversUntil">The window's end (exclusive), in the pipeline's zone.</param>
/// <param name="Suppliers">The groups: the supplier with the oldest deadline first.</param>
/// <param name="WorkbenchUrl">The staff workbench, when configured.</param>
public sealed record DigestContent(
    string DigestId,
    DateOnly Day,
    DateTimeOffset? CoversFrom,
    DateTimeOffset CoversUntil,
    IReadOnlyList<DigestSupplier> Suppliers,
    Uri? WorkbenchUrl)
{
    /// <summary>All cases listed.</summary>
    public int TotalCases => Suppliers.Sum(s => s.Cases.Count);

    /// <summary>The day as <c>yyyy-MM-dd</c>.</summary>
    public string DayText => Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// Groups <paramref name="cases"/> by supplier: within a supplier the oldest <c>planDueOn</c> first (then record id);
    /// suppliers ordered by their oldest case, then by how many cases they have (more first), then by id.
    /// </summary>
    public static IReadOnlyList<DigestSupplier> Group(IEnumerable<AlertCase> cases)
    {
        ArgumentNullException.ThrowIfNull(cases);
        return [.. cases
            .GroupBy(c => c.SupplierId, StringComparer.Ordinal)
            .Select(g =>
            {
                var sorted = g.OrderBy(c => c.PlanDueOn).ThenBy(c => c.RecordId, StringComparer.Ordinal).ToList();
                return new DigestSupplier(g.Key, sorted[0].SupplierName, sorted[0].Kind, sorted);
            })
            .OrderBy(s => s.Cases[0].PlanDueOn)
            .ThenByDescending(s => s.Cases.Count)
            .ThenBy(s => s.SupplierId, StringComparer.Ordinal)];
    }
}

/// <summary>The fixed wording of messages, in Chinese and English.</summary>
internal static class AlertTexts
{
    public static (string Zh, string En) Title(string type) => type == AlertTypes.PlanDueSoon
        ? ("整改计划即将到期", "Improvement plan due soon")
        : ("整改计划已逾期", "Improvement plan overdue");

    public const string SupplierZh = "供应商";
    public const string SupplierEn = "Supplier";
    public const string RecordZh = "处罚记录";
    public const string RecordEn = "Record";
    public const string AuthorityZh = "处罚机关";
    public const string AuthorityEn = "Authority";
    public const string DueZh = "整改计划截止";
    public const string DueEn = "Plan due";
    public const string OverdueZh = "逾期天数";
    public const string OverdueEn = "Days overdue";
    public const string OpenZh = "在工作台中查看";
    public const string OpenEn = "Open in the workbench";
    public const string DigestZh = "每日逾期汇总";
    public const string DigestEn = "Daily overdue digest";

    public static string Label(string zh, string en) => $"{zh} {en}";

    public static string Bilingual((string Zh, string En) text) => $"{text.Zh} / {text.En}";

    public static string Totals(int cases, int suppliers) =>
        string.Create(CultureInfo.InvariantCulture, $"{cases} 个案件逾期，涉及 {suppliers} 家供应商 / {cases} {(cases == 1 ? "case" : "cases")} overdue at {suppliers} {(suppliers == 1 ? "supplier" : "suppliers")}");

    public static string CaseCount(int cases) =>
        string.Create(CultureInfo.InvariantCulture, $"{cases} 个案件 / {cases} {(cases == 1 ? "case" : "cases")}");

    public static string DaysOverdue(int days) =>
        string.Create(CultureInfo.InvariantCulture, $"逾期 {days} 天 / {days} {(days == 1 ? "day" : "days")} overdue");

    public static string More(int cases, int suppliers) =>
        string.Create(CultureInfo.InvariantCulture, $"另有 {cases} 个案件（{suppliers} 家供应商）未列出 / {cases} more {(cases == 1 ? "case" : "cases")} at {suppliers} {(suppliers == 1 ? "supplier" : "suppliers")} not listed");

    public static string MoreOfSupplier(int cases) =>
        string.Create(CultureInfo.InvariantCulture, $"另有 {cases} 个案件 / {cases} more");

    public static string Window(DigestContent digest) => digest.CoversFrom is { } from
        ? string.Create(CultureInfo.InvariantCulture, $"{from:yyyy-MM-dd HH:mm} 至 {digest.CoversUntil:yyyy-MM-dd HH:mm} 期间新增 / raised {from:yyyy-MM-dd HH:mm} to {digest.CoversUntil:yyyy-MM-dd HH:mm} (UTC{digest.CoversUntil:zzz})")
        : string.Create(CultureInfo.InvariantCulture, $"截至 {digest.CoversUntil:yyyy-MM-dd HH:mm} / raised before {digest.CoversUntil:yyyy-MM-dd HH:mm} (UTC{digest.CoversUntil:zzz})");
}
