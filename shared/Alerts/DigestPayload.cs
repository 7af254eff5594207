using System.Text.Json.Nodes;
using DisclosurePipeline.Domain;

namespace DisclosurePipeline.Alerts;

/// <summary>
/// The JSON a digest is POSTed as with <c>Alerts__Format=json</c>:
/// <c>{"digestId","type":"plan_overdue_digest","day","coversFrom","coversUntil","totalCases","totalSuppliers",
/// "suppliers":[{"supplierId","supplierName","kind","cases":[{"alertId","recordId","authority","planDueOn","daysOverdue","caseUrl"}]}]}</c>,
/// every case listed (a plain receiver has no message size limit to keep).
/// </summary>
internal static class DigestPayload
{
    /// <summary>The <c>type</c> of a digest body.</summary>
    public const string Type = "plan_overdue_digest";

    public static JsonObject From(DigestContent digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var suppliers = new JsonArray();
        foreach (var s in digest.Suppliers)
        {
            var cases = new JsonArray();
            foreach (var c in s.Cases)
            {
                cases.Add(new JsonObject
                {
                    ["alertId"] = c.AlertId,
                    ["recordId"] = c.RecordId,
                    ["authority"] = c.Authority,
                    ["planDueOn"] = c.DueText,
                    ["daysOverdue"] = c.DaysOverdue,
                    ["caseUrl"] = c.CaseUrl?.AbsoluteUri,
                });
            }

            suppliers.Add(new JsonObject
            {
                ["supplierId"] = s.SupplierId,
                ["supplierName"] = s.SupplierName,
                ["kind"] = s.Kind == EntityKind.Subsidiary ? "subsidiary" : "supplier",
                ["cases"] = cases,
            });
        }

        return new JsonObject
        {
            ["digestId"] = digest.DigestId,
            ["type"] = Type,
            ["day"] = digest.DayText,
            ["coversFrom"] = digest.CoversFrom is { } from ? JsonValue.Create(from) : null,
            ["coversUntil"] = digest.CoversUntil,
            ["totalCases"] = digest.TotalCases,
            ["totalSuppliers"] = digest.Suppliers.Count,
            ["suppliers"] = suppliers,
        };
    }
}
