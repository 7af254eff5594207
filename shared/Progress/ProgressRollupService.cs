using DisclosurePipeline.Configuration;
using DisclosurePipeline.Domain;
using DisclosurePipeline.Storage;
using Microsoft.Extensions.Options;

namespace DisclosurePipeline.Progress;

/// <summary>
/// What the <c>RollupProgress</c> timer does: reads the registry, the cases, their plans and the year's
/// earlier snapshots, computes the figures with <see cref="ProgressRollup"/> for the target year in force
/// (<see cref="TargetsOptions.YearAt"/>), and writes the analysts' tables (<see cref="IProgressStore"/>).
/// The progress endpoints only read those tables.
/// </summary>
/// <param name="entities">The registry.</param>
/// <param name="cases">The violation cases.</param>
/// <param name="progress">The analysts' tables.</param>
/// <param name="runs">Sync runs, for when each entity was last fetched (batch coverage).</param>
/// <param name="targets">The year and targets.</param>
/// <param name="pipeline">The time zone.</param>
/// <param name="time">The clock.</param>
/// <param name="plans">
/// The improvement plans. Optional: when no <see cref="IPlanStore"/> is registered (before the plan
/// endpoints exist), every case is counted as having no plan, so it is open, overdue or removed.
/// </param>
public sealed class ProgressRollupService(
    IEntityStore entities,
    ICaseStore cases,
    IProgressStore progress,
    ISyncRunStore runs,
    IOptions<TargetsOptions> targets,
    IOptions<PipelineOptions> pipeline,
    TimeProvider time,
    IPlanStore? plans = null)
{
    /// <summary>Takes a rollup now and stores it; returns its report.</summary>
    /// <param name="cancellationToken">Cancels the rollup (nothing is written until everything is read).</param>
    public async Task<ProgressRollupResult> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var zone = pipeline.Value.ResolveZone();
        var options = targets.Value;
        var year = options.YearAt(now, zone);

        var registryTask = entities.ListAsync(cancellationToken);
        var casesTask = cases.ListAllAsync(cancellationToken);
        var plansTask = plans is null ? Task.FromResult<IReadOnlyList<ImprovementPlan>>([]) : plans.ListAllAsync(cancellationToken);
        var historyTask = progress.ListSnapshotsAsync(year, cancellationToken);
        var coverageTask = runs.ListCoverageAsync(cancellationToken);
        await Task.WhenAll(registryTask, casesTask, plansTask, historyTask, coverageTask).ConfigureAwait(false);

        var plansByCase = (await plansTask.ConfigureAwait(false))
            .GroupBy(p => (p.SupplierId, p.RecordId))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<ImprovementPlan>)[.. g]);
        var today = PlanDeadline.LocalDate(now, zone);
        CaseStatus StatusOf(ViolationCase c) =>
            CaseRules.StatusOf(c, plansByCase.GetValueOrDefault((c.SupplierId, c.RecordId)) ?? [], today);

        // An unchanged re-sync writes no entity row; when each entity was last fetched comes from the
        // batches' coverage rows (only for entities synced at least once).
        var coverage = (await coverageTask.ConfigureAwait(false)).ToLookup(c => c.Shard, StringComparer.Ordinal);
        // Inactive entities count in no figure and get no entity row.
        var registry = (await registryTask.ConfigureAwait(false))
            .Where(e => e.Active)
            .Select(e => e.LastSyncedAt is { } written && SyncCoverage.LatestFor(e.Id, coverage) is { } covered && covered > written
                ? e with { LastSyncedAt = covered }
                : e)
            .ToList();
        var allCases = await casesTask.ConfigureAwait(false);
        var report = ProgressRollup.Compute(
            year,
            new ProgressTargets(options.Prtr, options.Carbon),
            registry,
            allCases,
            StatusOf,
            await historyTask.ConfigureAwait(false),
            zone,
            now);
        var rows = ProgressRollup.EntityRows(year, registry, allCases, StatusOf);

        // Entity rows first: a reader that sees the new "latest" row then finds rows at least as new.
        var changes = await progress.SaveEntityStatusAsync(year, [.. rows], cancellationToken).ConfigureAwait(false);
        await progress.SaveSnapshotAsync(report, cancellationToken).ConfigureAwait(false);
        return new ProgressRollupResult(report, changes);
    }
}

/// <summary>A rollup's outcome.</summary>
/// <param name="Report">The report stored as the year's latest.</param>
/// <param name="EntityRows">What happened to the year's entity rows.</param>
public sealed record ProgressRollupResult(ProgressReport Report, EntityStatusChanges EntityRows);
