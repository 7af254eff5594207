using DisclosurePipeline.Domain;

namespace DisclosurePipeline.Tests.Cases;

/// <summary>Builders for cases, records and plans in the case-rule tests.</summary>
internal static class CaseSamples
{
    public const string SupplierId = "91350100M000100Y43";
    public const string RecordId = "BM-2024-0001234";

    public static TimeZoneInfo Shanghai { get; } = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    public static TimeZoneInfo NewYork { get; } = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    public static ViolationRecord Record(DateTimeOffset publishedAt, bool removed = false, DateTimeOffset? removedAt = null) =>
        new(RecordId, SupplierId, "某某化工有限公司", "厦门市生态环境局", "厦环罚〔2024〕12号", "water",
            "超标排放", 100000m, new DateOnly(2024, 4, 28), publishedAt, removed, removed ? removedAt ?? publishedAt.AddDays(30) : null);

    public static ViolationCase Case(DateOnly planDueOn, bool removed = false) =>
        ViolationCase.Open(Record(new DateTimeOffset(2024, 5, 2, 16, 30, 0, TimeSpan.Zero), removed), planDueOn, new DateTimeOffset(2024, 5, 2, 17, 0, 0, TimeSpan.Zero));

    public static PlanContent Content() =>
        new("Fix the outfall", "Valve failure", [new PlanAction("Replace the valve", "Plant manager", new DateOnly(2024, 6, 1))],
            new DateOnly(2024, 7, 1), new PlanContact("Li Lei", "li.lei@example.com", "+86 592 0000000"));

    public static ImprovementPlan Plan(PlanDecision decision, int n = 0) =>
        new(SupplierId, RecordId, "p" + n.ToString("D19", System.Globalization.CultureInfo.InvariantCulture) + "00000000", Content())
        {
            SubmittedAt = new DateTimeOffset(2024, 5, 5, 0, 0, 0, TimeSpan.Zero).AddMinutes(n),
            Decision = decision,
        };

    /// <summary>Plans from a comma-separated list of decisions: "P" pending, "A" approved, "R" rejected; "" for none.</summary>
    public static List<ImprovementPlan> Plans(string decisions) =>
        [.. decisions.Split(',', StringSplitOptions.RemoveEmptyEntries).Select((d, i) => Plan(d switch
        {
            "P" => PlanDecision.Pending,
            "A" => PlanDecision.Approved,
            "R" => PlanDecision.Rejected,
            _ => throw new ArgumentException($"unknown decision {d}", nameof(decisions)),
        }, i))];
}
