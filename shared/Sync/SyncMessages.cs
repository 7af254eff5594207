namespace DisclosurePipeline.Sync;

/// <summary>
/// One queue message of a sync run: up to <see cref="SyncScheduler.BatchSize"/> entity ids of one
/// shard, sorted, so the batch reads its stored rows with one range query per table.
/// Few, fat messages: queues slow down badly when deep.
/// </summary>
/// <param name="RunId">The run this batch belongs to.</param>
/// <param name="BatchNumber">0-based, unique within the run: redelivery records the same batch again.</param>
/// <param name="Shard">The shard every id is in.</param>
/// <param name="Year">The disclosure year to fetch.</param>
/// <param name="Ids">The entity ids, sorted ordinally.</param>
public sealed record SyncBatchMessage(string RunId, int BatchNumber, string Shard, int Year, IReadOnlyList<string> Ids);

/// <summary>What one batch changed; logged and returned by the function.</summary>
/// <param name="EntitiesSynced">Entities whose data was fetched (platform-unknown ones included).</param>
/// <param name="EntitiesFailed">Entities the platform rejected as invalid.</param>
/// <param name="EntitiesWritten">Entity rows whose sync fields changed and were written.</param>
/// <param name="CasesOpened">New violation cases.</param>
/// <param name="CasesUpdated">Cases whose platform record changed (removal, restoration, corrections).</param>
public sealed record SyncBatchOutcome(int EntitiesSynced, int EntitiesFailed, int EntitiesWritten, int CasesOpened, int CasesUpdated);
