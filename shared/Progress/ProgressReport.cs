namespace DisclosurePipeline.Progress;

/// <summary>
/// The body of <c>GET /api/progress?year=</c>: progress toward the year's disclosure targets and the
/// violation figures, as of one rollup. Serialized with the web defaults (camelCase) it is exactly the
/// contract's JSON, plus the added <c>projection</c>.
/// </summary>
/// <param name="Year">The target year.</param>
/// <param name="AsOf">When the rollup was taken, with the offset of the pipeline's time zone.</param>
/// <param name="Prtr">PRTR disclosures completed for <paramref name="Year"/>.</param>
/// <param name="Carbon">Carbon disclosures completed for <paramref name="Year"/>.</param>
/// <param name="Violations">Cases by status and the two violation figures.</param>
/// <param name="Projection">When each target will be reached at the current pace (an addition to the contract).</param>
/// <param name="TimeZone">The IANA zone local dates are counted in, so a page can count days overdue the same way (an addition to the contract).</param>
public sealed record ProgressReport(
    int Year,
    DateTimeOffset AsOf,
    DisclosureProgress Prtr,
    DisclosureProgress Carbon,
    ViolationProgress Violations,
    ProgressProjection Projection,
    string TimeZone)
{
    /// <summary>This report's point for the trend line (<c>GET /api/progress/history</c>).</summary>
    public ProgressSnapshot ToSnapshot() => new(AsOf, Prtr.Completed, Carbon.Completed);
}

/// <summary>Progress toward one disclosure target.</summary>
/// <param name="Target">The target (entities).</param>
/// <param name="Completed">Registered entities whose disclosure for the year is completed; <paramref name="Subsidiaries"/> + <paramref name="Suppliers"/>.</param>
/// <param name="Subsidiaries">Of those, subsidiaries.</param>
/// <param name="Suppliers">Of those, suppliers.</param>
public sealed record DisclosureProgress(int Target, int Completed, int Subsidiaries, int Suppliers);

/// <summary>Cases of registered entities by status (the five add up to all cases), and the two violation figures.</summary>
/// <param name="Open">Cases <c>open</c>.</param>
/// <param name="Overdue">Cases <c>overdue</c>.</param>
/// <param name="PlanSubmitted">Cases <c>plan_submitted</c>.</param>
/// <param name="PlanApproved">Cases <c>plan_approved</c>.</param>
/// <param name="Removed">Cases <c>removed</c>.</param>
/// <param name="SubsidiariesWithActiveRecords">Subsidiaries with at least one record not removed.</param>
/// <param name="SuppliersCompletedRemoval">Suppliers with at least one record removed during the year (local time).</param>
public sealed record ViolationProgress(
    int Open,
    int Overdue,
    int PlanSubmitted,
    int PlanApproved,
    int Removed,
    int SubsidiariesWithActiveRecords,
    int SuppliersCompletedRemoval);

/// <summary>The projections of both targets.</summary>
/// <param name="Prtr">The PRTR target's projection.</param>
/// <param name="Carbon">The carbon target's projection.</param>
public sealed record ProgressProjection(TargetProjection Prtr, TargetProjection Carbon);

/// <summary>
/// When a target will be reached at the current pace. The pace is the least-squares slope of the
/// completed count over the year's snapshots (see <see cref="ProgressRollup.Project"/>).
/// </summary>
/// <param name="Target">The target.</param>
/// <param name="Completed">Completed now.</param>
/// <param name="RatePerDay">Completions per day; null when there is too little data.</param>
/// <param name="ProjectedOn">The local date the target is (or was) reached; null when it will not be at this pace or there is too little data.</param>
/// <param name="OnTrack">True when reached, or projected on or before 31 December of the year.</param>
/// <param name="Reached">True when <paramref name="Completed"/> ≥ <paramref name="Target"/>.</param>
/// <param name="InsufficientData">True when fewer than two snapshots of the year, spanning less than a day, were available.</param>
public sealed record TargetProjection(
    int Target,
    int Completed,
    double? RatePerDay,
    DateOnly? ProjectedOn,
    bool OnTrack,
    bool Reached,
    bool InsufficientData);

/// <summary>One dated point of the trend: the completed counts at a rollup.</summary>
/// <param name="AsOf">When the rollup was taken.</param>
/// <param name="PrtrCompleted">PRTR disclosures completed.</param>
/// <param name="CarbonCompleted">Carbon disclosures completed.</param>
public sealed record ProgressSnapshot(DateTimeOffset AsOf, int PrtrCompleted, int CarbonCompleted);

/// <summary>The year's targets.</summary>
/// <param name="Prtr">PRTR disclosure target (entities).</param>
/// <param name="Carbon">Carbon disclosure target (entities).</param>
public sealed record ProgressTargets(int Prtr, int Carbon);

/// <summary>
/// One row per registered entity (<c>GET /api/progress/entities</c>). Kind and statuses are the
/// contract's strings, so the JSON and the CSV carry exactly those values.
/// </summary>
/// <param name="Id">The entity's USCC.</param>
/// <param name="Name">Its name.</param>
/// <param name="Kind"><c>subsidiary</c> or <c>supplier</c>.</param>
/// <param name="Tier">1 or 2.</param>
/// <param name="PrtrStatus"><c>none</c>, <c>in_progress</c> or <c>completed</c> for the year (a status synced for another year, or an entity not on the platform, is <c>none</c>).</param>
/// <param name="CarbonStatus">Likewise for carbon.</param>
/// <param name="ActiveRecords">Its violation records not removed.</param>
/// <param name="OverdueCases">Its cases <c>overdue</c>.</param>
/// <param name="LastSyncedAt">When the last sync fetched it; null before the first.</param>
public sealed record EntityProgressRow(
    string Id,
    string Name,
    string Kind,
    int Tier,
    string PrtrStatus,
    string CarbonStatus,
    int ActiveRecords,
    int OverdueCases,
    DateTimeOffset? LastSyncedAt);
