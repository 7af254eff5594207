using System.Globalization;
using DisclosurePipeline.Progress;

namespace DisclosurePipeline.Storage;

/// <summary>
/// The analysts' status tables, written by the <c>RollupProgress</c> timer and read by the progress
/// endpoints: dated snapshots of the figures (<see cref="StorageNames.ProgressSnapshotsTable"/>) and one
/// row per registered entity (<see cref="StorageNames.EntityStatusTable"/>), both partitioned by year.
/// </summary>
public interface IProgressStore
{
    /// <summary>
    /// Stores a rollup: a dated row (row key: <see cref="ProgressRowKeys.Snapshot"/>), the row of the report's
    /// quarter (<c>Q1</c>..<c>Q4</c>, when the report is taken within its own year) and the <c>latest</c>
    /// row, in one transaction. The quarter and latest rows are only replaced by a report at least as
    /// recent as theirs, so a late, older rollup never hides a newer one.
    /// </summary>
    /// <param name="report">The rollup's report.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task SaveSnapshotAsync(ProgressReport report, CancellationToken cancellationToken);

    /// <summary>The dated snapshots of <paramref name="year"/> (not the quarter or latest rows), oldest first.</summary>
    /// <param name="year">The target year.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<IReadOnlyList<ProgressSnapshot>> ListSnapshotsAsync(int year, CancellationToken cancellationToken);

    /// <summary>The most recent rollup's report for <paramref name="year"/> (one point read), or null when the year was never rolled up.</summary>
    /// <param name="year">The target year.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ProgressReport?> GetLatestAsync(int year, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the year's entity rows equal to <paramref name="rows"/>: reads the partition once, then writes
    /// only new and changed rows and deletes rows of entities no longer given, in group transactions of at
    /// most 100 operations.
    /// </summary>
    /// <param name="year">The target year (the partition).</param>
    /// <param name="rows">One row per registered entity.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many rows were written, deleted and left as they were.</returns>
    Task<EntityStatusChanges> SaveEntityStatusAsync(int year, IReadOnlyCollection<EntityProgressRow> rows, CancellationToken cancellationToken);

    /// <summary>The year's entity rows, ordered by id.</summary>
    /// <param name="year">The target year.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<IReadOnlyList<EntityProgressRow>> ListEntityStatusAsync(int year, CancellationToken cancellationToken);
}

/// <summary>What <see cref="IProgressStore.SaveEntityStatusAsync"/> did.</summary>
/// <param name="Written">Rows inserted or replaced (new or changed).</param>
/// <param name="Deleted">Rows deleted (entities no longer registered).</param>
/// <param name="Unchanged">Rows left untouched.</param>
public sealed record EntityStatusChanges(int Written, int Deleted, int Unchanged);

/// <summary>The row keys of the <c>ProgressSnapshots</c> table (partition key: the year).</summary>
public static class ProgressRowKeys
{
    /// <summary>The row holding the most recent rollup of the year.</summary>
    public const string Latest = "latest";

    /// <summary>A dated row's key: the rollup's time in UTC, <c>yyyyMMddTHHmmssZ</c> (sorts by time).</summary>
    /// <param name="asOf">When the rollup was taken.</param>
    public static string Snapshot(DateTimeOffset asOf) =>
        asOf.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The quarter row's key (<c>Q1</c>..<c>Q4</c>) of a local time: its month's quarter.</summary>
    /// <param name="localAsOf">When the rollup was taken, in the pipeline's time zone.</param>
    public static string Quarter(DateTimeOffset localAsOf) =>
        "Q" + (((localAsOf.Month - 1) / 3) + 1).ToString(CultureInfo.InvariantCulture);
}
