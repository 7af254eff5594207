using DisclosurePipeline.Domain;

namespace DisclosurePipeline.Storage;

/// <summary>
/// The registry: subsidiaries and suppliers with what the last sync learned of them.
/// Rows are spread over <see cref="Uscc.ShardCount"/> shards (<see cref="Uscc.Shard"/>).
/// Registry fields and sync fields are written separately (merge), so an import and a sync
/// running at the same time never overwrite each other's columns.
/// </summary>
public interface IEntityStore
{
    /// <summary>One entity, or null.</summary>
    Task<RegisteredEntity?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>The whole registry, ordered by shard then id.</summary>
    Task<IReadOnlyList<RegisteredEntity>> ListAsync(CancellationToken cancellationToken);

    /// <summary>The ids of the whole registry (only the keys are read), ordered by shard then id.</summary>
    Task<IReadOnlyList<string>> ListIdsAsync(CancellationToken cancellationToken);

    /// <summary>The entities of one shard whose ids fall in [<paramref name="firstId"/>, <paramref name="lastId"/>], ordered by id.</summary>
    Task<IReadOnlyList<RegisteredEntity>> ListRangeAsync(string shard, string firstId, string lastId, CancellationToken cancellationToken);

    /// <summary>Inserts or merges the registry fields (name, kind, tier, region, contact) of each entity, in entity group transactions per shard.</summary>
    Task SaveRegistryFieldsAsync(IReadOnlyCollection<RegisteredEntity> entities, CancellationToken cancellationToken);

    /// <summary>Merges the sync fields (disclosure year and statuses, not-on-platform flag, last sync time) of existing entities, in entity group transactions per shard.</summary>
    Task SaveSyncFieldsAsync(IReadOnlyCollection<RegisteredEntity> entities, CancellationToken cancellationToken);

    /// <summary>
    /// What the sync scheduler needs of every entity (only its id, status and last sync time are read), ordered by shard then id.
    /// </summary>
    Task<IReadOnlyList<RegistryEntry>> ListEntriesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The registry in its stored order (shard, then id), starting after <paramref name="after"/> (from the start when null),
    /// streamed page by page, so a caller that stops early reads no more than it needs.
    /// </summary>
    IAsyncEnumerable<RegisteredEntity> ScanAsync(RegistryPosition? after, CancellationToken cancellationToken);

    /// <summary>
    /// Merges an existing entity's status (active or not, and when that changed) and nothing else; false when there is no such entity.
    /// </summary>
    Task<bool> SaveStatusAsync(string id, bool active, DateTimeOffset changedAt, CancellationToken cancellationToken);
}

/// <summary>One entity as the sync scheduler sees it.</summary>
/// <param name="Id">The entity's id.</param>
/// <param name="Active">False when the entity has been deactivated.</param>
/// <param name="LastSyncedAt">When a sync last wrote the entity's row; null when it never was synced.</param>
public sealed record RegistryEntry(string Id, bool Active, DateTimeOffset? LastSyncedAt);

/// <summary>A place in the registry's stored order: the entity's shard and id.</summary>
/// <param name="Shard">The shard (<see cref="Uscc.Shard"/> of <paramref name="Id"/>).</param>
/// <param name="Id">The entity's id.</param>
public sealed record RegistryPosition(string Shard, string Id);

/// <summary>A sync run's state, as <c>GET /api/sync-runs/latest</c> shows it.</summary>
public enum SyncRunStatus
{
    /// <summary>Batches are still being processed.</summary>
    Running,

    /// <summary>Every batch has finished (some entities may have failed).</summary>
    Completed,

    /// <summary>The run itself stopped.</summary>
    Failed,
}

/// <summary>Why a sync run was started, which says what it covers.</summary>
public enum SyncRunReason
{
    /// <summary>Every active entity: the nightly full sync, or a tick whose last full sync is too old or whose change-feed cursor is missing or expired.</summary>
    Full,

    /// <summary>The active entities the platform's change feed named since the last tick, and those never synced yet.</summary>
    Changes,

    /// <summary>The entities a registry import created (or that it found never synced).</summary>
    Import,

    /// <summary>An entity that staff reactivated.</summary>
    Reactivation,

    /// <summary>A scheduled tick that failed before it could start a run: a run of no entities, its error says why.</summary>
    FailedTick,
}

/// <summary>One sync run of the whole registry.</summary>
/// <param name="RunId">Sortable id: newer runs sort first.</param>
/// <param name="StartedAt">When the run was scheduled.</param>
/// <param name="EntitiesTotal">How many entities were enqueued.</param>
/// <param name="BatchesTotal">How many batch messages were enqueued.</param>
public sealed record SyncRun(string RunId, DateTimeOffset StartedAt, int EntitiesTotal, int BatchesTotal)
{
    /// <summary>The run's status.</summary>
    public SyncRunStatus Status { get; init; } = SyncRunStatus.Running;

    /// <summary>When the last batch finished, or the run failed.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Entities synced so far (entities the platform does not know count as synced).</summary>
    public int EntitiesSynced { get; init; }

    /// <summary>Entities whose data could not be fetched after retries, or whose batch was poisoned.</summary>
    public int EntitiesFailed { get; init; }

    /// <summary>Batches finished so far.</summary>
    public int BatchesDone { get; init; }

    /// <summary>Why a failed run stopped (or why a scheduled tick could not start one); null otherwise.</summary>
    public string? Error { get; init; }
    /// <summary>Why the run was started (what it covers); <see cref="SyncRunReason.Full"/> for runs stored without one.</summary>
    public SyncRunReason Reason { get; init; } = SyncRunReason.Full;

    /// <summary>What the run covers and why, for people (for example "3 named by the change feed, 100 never synced"); empty when not recorded.</summary>
    public string Scope { get; init; } = "";
}

/// <summary>The outcome of one batch of a run. Recording it twice is harmless: the last write wins and counts once.</summary>
public sealed record SyncBatchResult(string RunId, int BatchNumber, int EntitiesSynced, int EntitiesFailed, DateTimeOffset FinishedAt);

/// <summary>
/// Sync runs and their per-batch outcomes. Run counters are derived from batch rows, so a redelivered batch cannot count
/// twice, and a run is completed as soon as its last batch is recorded.
/// </summary>
public interface ISyncRunStore
{
    /// <summary>Stores a new run.</summary>
    Task CreateAsync(SyncRun run, CancellationToken cancellationToken);

    /// <summary>The most recently started run with its counters, or null before the first.</summary>
    Task<SyncRun?> GetLatestAsync(CancellationToken cancellationToken);

    /// <summary>One run with its counters, or null.</summary>
    Task<SyncRun?> GetAsync(string runId, CancellationToken cancellationToken);

    /// <summary>How many batches a run has (fixed when it starts), or null for a run that does not exist; one point read at most, without its batch rows.</summary>
    Task<int?> GetBatchesTotalAsync(string runId, CancellationToken cancellationToken);

    /// <summary>
    /// Records (idempotently) a batch's outcome. One of the run's last batches (by number) then also reads the run and,
    /// when every batch is in, marks it completed, and returns it as it then stands; other batches return null. A run
    /// whose batches are all in reads as completed from <see cref="GetAsync"/> and <see cref="GetLatestAsync"/> in any case.
    /// </summary>
    Task<SyncRun?> RecordBatchAsync(SyncBatchResult result, CancellationToken cancellationToken);

    /// <summary>Marks a run that can no longer finish as failed, saying why (unless every batch is in: then it completes).</summary>
    Task MarkFailedAsync(string runId, DateTimeOffset at, string error, CancellationToken cancellationToken);

    /// <summary>
    /// Records that a batch fetched every entity of one shard from <see cref="SyncCoverage.FirstId"/> to
    /// <see cref="SyncCoverage.LastId"/> at <see cref="SyncCoverage.SyncedAt"/>: one row per batch, so an unchanged
    /// re-sync still tells when each entity was last checked without writing any entity row.
    /// </summary>
    Task RecordCoverageAsync(SyncCoverage coverage, CancellationToken cancellationToken);

    /// <summary>Every recorded coverage row (one per shard and first id; the latest sync of that stretch).</summary>
    Task<IReadOnlyList<SyncCoverage>> ListCoverageAsync(CancellationToken cancellationToken);
}

/// <summary>A stretch of one shard's entity ids that a sync batch fetched successfully, and when.</summary>
/// <param name="Shard">The shard.</param>
/// <param name="FirstId">The batch's first id (inclusive).</param>
/// <param name="LastId">The batch's last id (inclusive).</param>
/// <param name="SyncedAt">When the batch finished.</param>
public sealed record SyncCoverage(string Shard, string FirstId, string LastId, DateTimeOffset SyncedAt)
{
    /// <summary>The latest time any of <paramref name="coverage"/> says <paramref name="id"/> was synced, or null.</summary>
    public static DateTimeOffset? LatestFor(string id, ILookup<string, SyncCoverage> coverage)
    {
        ArgumentNullException.ThrowIfNull(coverage);
        DateTimeOffset? latest = null;
        foreach (var c in coverage[Domain.Uscc.Shard(id)])
        {
            if (string.CompareOrdinal(id, c.FirstId) >= 0 && string.CompareOrdinal(id, c.LastId) <= 0 && (latest is null || c.SyncedAt > latest))
            {
                latest = c.SyncedAt;
            }
        }

        return latest;
    }
}

/// <summary>A storage queue the function app's queue triggers listen on. Messages are JSON, base64-encoded as the Functions host expects.</summary>
public interface IWorkQueue
{
    /// <summary>Enqueues one message (at most 48 KiB of JSON; more throws <see cref="ArgumentException"/>).</summary>
    /// <remarks><paramref name="queueName"/> is a logical name, such as <see cref="StorageNames.SyncBatchesQueue"/>.</remarks>
    Task EnqueueAsync<T>(string queueName, T message, CancellationToken cancellationToken);
}

/// <summary>Blobs: plan documents and other files kept by path. Containers are logical names, such as <see cref="StorageNames.PlanDocumentsContainer"/>.</summary>
public interface IDocumentStore
{
    /// <summary>Uploads (or overwrites) a blob.</summary>
    Task UploadAsync(string container, string path, Stream content, string contentType, CancellationToken cancellationToken);

    /// <summary>True when the blob exists.</summary>
    Task<bool> ExistsAsync(string container, string path, CancellationToken cancellationToken);

    /// <summary>Opens a blob for reading, or null when it does not exist.</summary>
    Task<Stream?> OpenReadAsync(string container, string path, CancellationToken cancellationToken);
}

/// <summary>
/// Violation cases, kept in the same shards as their entities (row key: entity id + record id),
/// so one sync batch reads its cases with one range query and writes them in group transactions.
/// </summary>
public interface ICaseStore
{
    /// <summary>One case, or null.</summary>
    Task<ViolationCase?> GetAsync(string supplierId, string recordId, CancellationToken cancellationToken);

    /// <summary>The cases of one entity.</summary>
    Task<IReadOnlyList<ViolationCase>> ListForEntityAsync(string supplierId, CancellationToken cancellationToken);

    /// <summary>The cases of the entities of one shard whose ids fall in [<paramref name="firstId"/>, <paramref name="lastId"/>].</summary>
    Task<IReadOnlyList<ViolationCase>> ListRangeAsync(string shard, string firstId, string lastId, CancellationToken cancellationToken);

    /// <summary>Every case.</summary>
    Task<IReadOnlyList<ViolationCase>> ListAllAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Writes a sync's changes for entities of one shard in group transactions: <paramref name="opened"/>
    /// are inserted whole (an existing row is left as it is); <paramref name="updated"/> have only their record
    /// fields merged, so a concurrent review's changes to the plan deadline survive.
    /// </summary>
    Task ApplySyncAsync(IReadOnlyCollection<ViolationCase> opened, IReadOnlyCollection<ViolationCase> updated, CancellationToken cancellationToken);

    /// <summary>Replaces a case if its ETag still matches; false when someone else changed it first.</summary>
    Task<bool> TryReplaceAsync(ViolationCase violationCase, CancellationToken cancellationToken);
}

/// <summary>Where the change feed was left, and when the last full sync started.</summary>
/// <param name="ChangeCursor">The platform's change-feed cursor; null before the first full sync.</param>
/// <param name="LastFullRunAt">When the last full sync run started; null before the first.</param>
public sealed record SyncState(string? ChangeCursor, DateTimeOffset? LastFullRunAt);

/// <summary>The sync's own small state (one row).</summary>
public interface ISyncStateStore
{
    /// <summary>The state, or null before the first run.</summary>
    Task<SyncState?> GetAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the state.</summary>
    Task SaveAsync(SyncState state, CancellationToken cancellationToken);
}
