using System.Text.RegularExpressions;

namespace DisclosurePipeline.Storage;

/// <summary>
/// The names of the pipeline's tables, queues and blob containers. Adapters and callers use the
/// logical names (the constants below); an optional <see cref="Prefix"/> is put in front of each
/// physical name so that tests (or several pipelines in one account) stay apart.
/// </summary>
public sealed partial record StorageNames
{
    /// <summary>The registry table.</summary>
    public const string EntitiesTable = "Entities";

    /// <summary>The violation cases table.</summary>
    public const string CasesTable = "Cases";

    /// <summary>The sync runs table.</summary>
    public const string SyncRunsTable = "SyncRuns";

    /// <summary>Improvement plans and their reviews.</summary>
    public const string PlansTable = "Plans";

    /// <summary>Raised alerts and their delivery state.</summary>
    public const string AlertsTable = "Alerts";

    /// <summary>What people did (plans submitted, reviewed, keys issued), never overwritten.</summary>
    public const string HistoryTable = "History";

    /// <summary>Supplier keys, as salted hashes.</summary>
    public const string SupplierKeysTable = "SupplierKeys";

    /// <summary>The analysts' dated progress snapshots.</summary>
    public const string ProgressSnapshotsTable = "ProgressSnapshots";

    /// <summary>The analysts' one-row-per-entity status table.</summary>
    public const string EntityStatusTable = "EntityStatus";

    /// <summary>The queue <c>SyncSupplierBatch</c> listens on.</summary>
    public const string SyncBatchesQueue = "sync-batches";

    /// <summary>Queue messages that were refused as malformed or not matching what they claim (one row per message text).</summary>
    public const string RejectedMessagesTable = "RejectedMessages";

    /// <summary>The queue <c>DeliverAlert</c> listens on.</summary>
    public const string AlertsQueue = "alerts";

    /// <summary>The container of plan documents (PDF).</summary>
    public const string PlanDocumentsContainer = "plan-documents";

    /// <summary>The default names: no prefix.</summary>
    public static StorageNames Default { get; } = new();

    /// <summary>
    /// Put in front of every physical table, queue and container name. Empty, or lower-case letters and
    /// digits starting with a letter (what table, queue and container names all allow).
    /// </summary>
    /// <value>Default: empty.</value>
    public string Prefix
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Length > 0 && !PrefixPattern().IsMatch(value))
            {
                throw new ArgumentException($"storage name prefix '{value}' must be lower-case letters and digits starting with a letter, at most 20 characters", nameof(value));
            }

            field = value;
        }
    } = "";

    /// <summary>The tables <see cref="IStorageInitializer.EnsureCreatedAsync"/> creates (logical names).</summary>
    /// <value>Default: every table named above.</value>
    public IReadOnlyList<string> Tables { get; init; } =
    [
        EntitiesTable, CasesTable, SyncRunsTable, PlansTable, AlertsTable, HistoryTable, SupplierKeysTable, ProgressSnapshotsTable, EntityStatusTable, RejectedMessagesTable,
    ];

    /// <summary>The queues <see cref="IStorageInitializer.EnsureCreatedAsync"/> creates (logical names).</summary>
    /// <value>Default: <c>sync-batches</c> and <c>alerts</c>.</value>
    public IReadOnlyList<string> Queues { get; init; } = [SyncBatchesQueue, AlertsQueue];

    /// <summary>The blob containers <see cref="IStorageInitializer.EnsureCreatedAsync"/> creates (logical names).</summary>
    /// <value>Default: <c>plan-documents</c>.</value>
    public IReadOnlyList<string> Containers { get; init; } = [PlanDocumentsContainer];

    /// <summary>Names with a fresh random prefix (for tests): <c>t</c> and 10 hex digits.</summary>
    public static StorageNames Unique() => new() { Prefix = "t" + Guid.NewGuid().ToString("N")[..10] };

    /// <summary>The physical name of a table.</summary>
    public string Table(string logicalName) => Prefix + logicalName;

    /// <summary>The physical name of a queue (queue names are lower case).</summary>
    public string Queue(string logicalName) => Prefix + logicalName;

    /// <summary>The physical name of a blob container (container names are lower case).</summary>
    public string Container(string logicalName) => Prefix + logicalName;

    [GeneratedRegex("^[a-z][a-z0-9]{0,19}$", RegexOptions.CultureInvariant)]
    private static partial Regex PrefixPattern();
}
