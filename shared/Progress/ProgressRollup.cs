using DisclosurePipeline.Domain;

namespace DisclosurePipeline.Progress;

/// <summary>
/// The analysts' figures, computed from the registry and the cases as they stand: progress toward
/// the year's PRTR and carbon targets, cases by status, the two violation figures, one row per
/// entity, and when each target will be reached at the current pace. Pure: no storage, no clock.
/// </summary>
/// <remarks>
/// A disclosure counts as completed only when the entity's last sync was for the year
/// (<see cref="RegisteredEntity.DisclosureYear"/>), the platform knows the entity, and the state is
/// <see cref="DisclosureState.Completed"/>; <c>in_progress</c> (which includes a withdrawn disclosure)
/// is not completed. Only cases of registered entities are counted.
/// </remarks>
public static class ProgressRollup
{
    /// <summary>Longest projection computed; a slower pace is reported as "not at this pace".</summary>
    private const double MaxProjectionDays = 100 * 366;

    /// <summary>Computes the report for <paramref name="year"/> as of <paramref name="asOf"/>.</summary>
    /// <param name="year">The target year.</param>
    /// <param name="targets">The year's targets.</param>
    /// <param name="registry">Every registered entity.</param>
    /// <param name="cases">Every violation case (cases of entities not in <paramref name="registry"/> are ignored).</param>
    /// <param name="statusOf">A case's current status (the case rules own this).</param>
    /// <param name="history">Earlier snapshots; those taken in <paramref name="year"/> (local time) up to <paramref name="asOf"/> feed the projection.</param>
    /// <param name="zone">The pipeline's time zone: local years and dates are counted in it.</param>
    /// <param name="asOf">When the rollup is taken; the report carries it with the zone's offset.</param>
    public static ProgressReport Compute(
        int year,
        ProgressTargets targets,
        IReadOnlyList<RegisteredEntity> registry,
        IReadOnlyList<ViolationCase> cases,
        Func<ViolationCase, CaseStatus> statusOf,
        IReadOnlyList<ProgressSnapshot> history,
        TimeZoneInfo zone,
        DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(statusOf);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(zone);

        var byId = Index(registry);
        var prtr = CountCompleted(year, targets.Prtr, byId.Values, e => e.Prtr);
        var carbon = CountCompleted(year, targets.Carbon, byId.Values, e => e.Carbon);

        Span<int> byStatus = stackalloc int[5];
        var subsidiariesWithActive = new HashSet<string>(StringComparer.Ordinal);
        var suppliersWithRemoval = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in cases)
        {
            if (!byId.TryGetValue(c.SupplierId, out var entity))
            {
                continue;
            }

            byStatus[(int)statusOf(c)]++;
            if (entity.Kind == EntityKind.Subsidiary && !c.RecordRemoved)
            {
                subsidiariesWithActive.Add(entity.Id);
            }

            if (entity.Kind == EntityKind.Supplier && RemovedInYear(c, year, zone))
            {
                suppliersWithRemoval.Add(entity.Id);
            }
        }

        var violations = new ViolationProgress(
            byStatus[(int)CaseStatus.Open],
            byStatus[(int)CaseStatus.Overdue],
            byStatus[(int)CaseStatus.PlanSubmitted],
            byStatus[(int)CaseStatus.PlanApproved],
            byStatus[(int)CaseStatus.Removed],
            subsidiariesWithActive.Count,
            suppliersWithRemoval.Count);

        var points = history
            .Where(s => s.AsOf < asOf && TimeZoneInfo.ConvertTime(s.AsOf, zone).Year == year)
            .Append(new ProgressSnapshot(asOf, prtr.Completed, carbon.Completed))
            .OrderBy(s => s.AsOf)
            .ToList();
        var projection = new ProgressProjection(
            Project(year, prtr.Target, prtr.Completed, [.. points.Select(p => (p.AsOf, p.PrtrCompleted))], zone, asOf),
            Project(year, carbon.Target, carbon.Completed, [.. points.Select(p => (p.AsOf, p.CarbonCompleted))], zone, asOf));

        return new ProgressReport(year, TimeZoneInfo.ConvertTime(asOf, zone), prtr, carbon, violations, projection, zone.Id);
    }

    /// <summary>One row per registered entity, ordered by id.</summary>
    /// <param name="year">The target year: disclosure statuses synced for another year show as <c>none</c>.</param>
    /// <param name="registry">Every registered entity.</param>
    /// <param name="cases">Every violation case (cases of entities not in <paramref name="registry"/> are ignored).</param>
    /// <param name="statusOf">A case's current status (the case rules own this).</param>
    public static IReadOnlyList<EntityProgressRow> EntityRows(
        int year,
        IReadOnlyList<RegisteredEntity> registry,
        IReadOnlyList<ViolationCase> cases,
        Func<ViolationCase, CaseStatus> statusOf)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(statusOf);

        var byId = Index(registry);
        var active = new Dictionary<string, int>(StringComparer.Ordinal);
        var overdue = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var c in cases)
        {
            if (!byId.ContainsKey(c.SupplierId))
            {
                continue;
            }

            if (!c.RecordRemoved)
            {
                active[c.SupplierId] = active.GetValueOrDefault(c.SupplierId) + 1;
            }

            if (statusOf(c) == CaseStatus.Overdue)
            {
                overdue[c.SupplierId] = overdue.GetValueOrDefault(c.SupplierId) + 1;
            }
        }

        return
        [
            .. byId.Values
                .OrderBy(e => e.Id, StringComparer.Ordinal)
                .Select(e => new EntityProgressRow(
                    e.Id,
                    e.Name,
                    KindName(e.Kind),
                    e.Tier,
                    StateName(StateFor(e, e.Prtr, year)),
                    StateName(StateFor(e, e.Carbon, year)),
                    active.GetValueOrDefault(e.Id),
                    overdue.GetValueOrDefault(e.Id),
                    e.LastSyncedAt)),
        ];
    }

    /// <summary>
    /// Projects when <paramref name="target"/> will be reached at the current pace.
    /// </summary>
    /// <remarks>
    /// The pace is the ordinary least-squares slope of the completed count against time (in days)
    /// over <paramref name="points"/>: unlike the first-to-last rate it is not thrown by one odd
    /// snapshot (a sync that briefly missed some entities, a withdrawn disclosure). It needs at least
    /// two points spanning at least one day; otherwise the projection says "insufficient data".
    /// From the current count, the remaining entities at that pace give the projected local date.
    /// A target already reached is on track, projected on the local date of the first point at or
    /// above it; a pace of zero or less never reaches it.
    /// </remarks>
    /// <param name="year">The target year: on track means projected on or before its 31 December.</param>
    /// <param name="target">The target.</param>
    /// <param name="completed">Completed as of <paramref name="asOf"/>.</param>
    /// <param name="points">The dated completed counts to fit (the current one included), in any order.</param>
    /// <param name="zone">The zone local dates are taken in.</param>
    /// <param name="asOf">Now, for the projection's start.</param>
    public static TargetProjection Project(
        int year,
        int target,
        int completed,
        IReadOnlyList<(DateTimeOffset AsOf, int Completed)> points,
        TimeZoneInfo zone,
        DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(zone);

        var ordered = points.OrderBy(p => p.AsOf).ToList();
        var rate = Slope(ordered);
        var rounded = rate is { } r ? Math.Round(r, 4) : (double?)null;
        var insufficient = rate is null;

        if (completed >= target)
        {
            var reachedAt = ordered.Where(p => p.Completed >= target).Select(p => (DateTimeOffset?)p.AsOf).FirstOrDefault() ?? asOf;
            return new TargetProjection(target, completed, rounded, PlanDeadline.LocalDate(reachedAt, zone), true, true, insufficient);
        }

        if (rate is not > 0)
        {
            return new TargetProjection(target, completed, rounded, null, false, false, insufficient);
        }

        var days = (target - completed) / rate.Value;
        if (days > MaxProjectionDays)
        {
            return new TargetProjection(target, completed, rounded, null, false, false, insufficient);
        }

        var projectedOn = PlanDeadline.LocalDate(asOf + TimeSpan.FromDays(days), zone);
        return new TargetProjection(target, completed, rounded, projectedOn, projectedOn <= new DateOnly(year, 12, 31), false, insufficient);
    }

    /// <summary>The contract's name of a disclosure state: <c>none</c>, <c>in_progress</c>, <c>completed</c>.</summary>
    public static string StateName(DisclosureState state) => state switch
    {
        DisclosureState.None => "none",
        DisclosureState.InProgress => "in_progress",
        DisclosureState.Completed => "completed",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    /// <summary>The contract's name of an entity kind: <c>subsidiary</c>, <c>supplier</c>.</summary>
    public static string KindName(EntityKind kind) => kind switch
    {
        EntityKind.Subsidiary => "subsidiary",
        EntityKind.Supplier => "supplier",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The entity's state of one disclosure for <paramref name="year"/>: none unless synced for that year and known to the platform.</summary>
    private static DisclosureState StateFor(RegisteredEntity entity, DisclosureStatus status, int year) =>
        entity.DisclosureYear == year && !entity.NotOnPlatform ? status.State : DisclosureState.None;

    private static Dictionary<string, RegisteredEntity> Index(IReadOnlyList<RegisteredEntity> registry)
    {
        var byId = new Dictionary<string, RegisteredEntity>(registry.Count, StringComparer.Ordinal);
        foreach (var entity in registry)
        {
            byId.TryAdd(entity.Id, entity);
        }

        return byId;
    }

    private static DisclosureProgress CountCompleted(
        int year,
        int target,
        IEnumerable<RegisteredEntity> entities,
        Func<RegisteredEntity, DisclosureStatus> disclosure)
    {
        int subsidiaries = 0, suppliers = 0;
        foreach (var e in entities)
        {
            if (StateFor(e, disclosure(e), year) != DisclosureState.Completed)
            {
                continue;
            }

            if (e.Kind == EntityKind.Subsidiary)
            {
                subsidiaries++;
            }
            else
            {
                suppliers++;
            }
        }

        return new DisclosureProgress(target, subsidiaries + suppliers, subsidiaries, suppliers);
    }

    /// <summary>A removal that counts for the year: the record is removed and its removal's local date is in the year.</summary>
    private static bool RemovedInYear(ViolationCase c, int year, TimeZoneInfo zone) =>
        c.RecordRemoved && c.RemovedAt is { } at && PlanDeadline.LocalDate(at, zone).Year == year;

    /// <summary>Least-squares slope (per day), or null for fewer than two points or a span under a day.</summary>
    private static double? Slope(IReadOnlyList<(DateTimeOffset AsOf, int Completed)> ordered)
    {
        if (ordered.Count < 2 || (ordered[^1].AsOf - ordered[0].AsOf).TotalDays < 1)
        {
            return null;
        }

        var origin = ordered[0].AsOf;
        double meanX = 0, meanY = 0;
        foreach (var (at, count) in ordered)
        {
            meanX += (at - origin).TotalDays;
            meanY += count;
        }

        meanX /= ordered.Count;
        meanY /= ordered.Count;
        double sxy = 0, sxx = 0;
        foreach (var (at, count) in ordered)
        {
            var dx = (at - origin).TotalDays - meanX;
            sxy += dx * (count - meanY);
            sxx += dx * dx;
        }

        return sxy / sxx;
    }
}
