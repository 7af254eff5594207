using System.Text.Json.Nodes;

namespace DisclosurePipeline.Alerts;

/// <summary>
/// The JSON a <c>plan_due_soon</c> reminder is POSTed as to <c>Alerts__SupplierWebhookUrl</c> (for example a mail relay):
/// <c>{"alertId","type","to","supplierId","supplierName","recordId","authority","planDueOn","subject":{"zh","en"},"body":{"zh","en"}}</c>,
/// <c>to</c> being the supplier's registered <c>contactEmail</c>. It carries no workbench link: the workbench is for staff.
/// </summary>
internal static class SupplierReminder
{
    public static JsonObject From(AlertCase c, string to)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentException.ThrowIfNullOrEmpty(to);
        var authorityZh = string.IsNullOrWhiteSpace(c.Authority) ? "" : $"（{c.Authority}）";
        var authorityEn = string.IsNullOrWhiteSpace(c.Authority) ? "" : $" ({c.Authority})";
        return new JsonObject
        {
            ["alertId"] = c.AlertId,
            ["type"] = c.Type,
            ["to"] = to,
            ["supplierId"] = c.SupplierId,
            ["supplierName"] = c.SupplierName,
            ["recordId"] = c.RecordId,
            ["authority"] = c.Authority,
            ["planDueOn"] = c.DueText,
            ["subject"] = AlertJson.Bilingual(
                $"整改计划提醒：处罚记录 {c.RecordId} 的整改计划须于 {c.DueText} 前提交",
                $"Reminder: the improvement plan for record {c.RecordId} is due on {c.DueText}"),
            ["body"] = AlertJson.Bilingual(
                $"{c.SupplierLabel}：\n\n贵单位的处罚记录 {c.RecordId}{authorityZh}的整改计划须于 {c.DueText} 前提交。请在截止日期前通过供应商接口提交整改计划；逾期未提交的，将通知供应链管理人员。",
                $"Dear {c.SupplierLabel},\n\nthe improvement plan for your penalty record {c.RecordId}{authorityEn} is due on {c.DueText}. Please submit it through the supplier API before then; plans not submitted by the due date are reported to supply-chain staff."),
        };
    }
}
