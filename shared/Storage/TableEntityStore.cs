using System.Net;
using DisclosurePipeline.Domain;
using Azure;
using Azure.Data.Tables;

namespace DisclosurePipeline.Storage;

/// <summary>
/// <see cref="IEntityStore"/> over the <c>Entities</c> table: partition = <see cref="Uscc.Shard"/>, row = id.
/// Registry columns and sync columns are written by separate merges (two row types), so neither clobbers the other.
/// </summary>
internal sealed class TableEntityStore(StorageAccount account) : IEntityStore
{
    private static readonly string[] IdColumns = ["RowKey"];
    private static readonly string[] EntryColumns = ["RowKey", "Status", "LastSyncedAt"];

    /// <summary>Rows read per page by <see cref="ScanAsync"/>.</summary>
    private const int ScanPageSize = 200;

    public async Task<RegisteredEntity?> GetAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.RetrieveAsync<EntityRow>(Uscc.Shard(id), id, cancellationToken).ConfigureAwait(false);
        return row?.ToEntity();
    }

    public async Task<IReadOnlyList<RegisteredEntity>> ListAsync(CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var rows = await table.QueryAllAsync<EntityRow>(null, null, cancellationToken).ConfigureAwait(false);
        return rows.Select(r => r.ToEntity()).ToList();
    }

    public async Task<IReadOnlyList<string>> ListIdsAsync(CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var ids = new List<string>();
        await foreach (var row in table.QueryAsync<IdRow>((string?)null, 1000, IdColumns, cancellationToken).ConfigureAwait(false))
        {
            ids.Add(row.RowKey);
        }

        return ids;
    }

    public async Task<IReadOnlyList<RegisteredEntity>> ListRangeAsync(string shard, string firstId, string lastId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(shard);
        ArgumentNullException.ThrowIfNull(firstId);
        ArgumentNullException.ThrowIfNull(lastId);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var rows = await table.QueryAllAsync<EntityRow>(TableRows.RangeFilter(shard, firstId, lastId), null, cancellationToken).ConfigureAwait(false);
        return rows.Select(r => r.ToEntity()).ToList();
    }

    public async Task SaveRegistryFieldsAsync(IReadOnlyCollection<RegisteredEntity> entities, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entities);
        if (entities.Count == 0)
        {
            return;
        }

        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        await table.WriteBatchesAsync(entities.Select(EntityRegistryRow.From), TableTransactionActionType.UpsertMerge, null, cancellationToken).ConfigureAwait(false);
    }

    public async Task SaveSyncFieldsAsync(IReadOnlyCollection<RegisteredEntity> entities, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entities);
        if (entities.Count == 0)
        {
            return;
        }

        // An entity that no longer exists (404) is skipped rather than recreated without registry fields.
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        await table.WriteBatchesAsync(entities.Select(EntitySyncRow.From), TableTransactionActionType.UpdateMerge, HttpStatusCode.NotFound, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<RegistryEntry>> ListEntriesAsync(CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var rows = await table.QueryAllAsync<EntryRow>(null, EntryColumns, cancellationToken).ConfigureAwait(false);
        return rows.Select(r => new RegistryEntry(r.RowKey, EntityStatusRow.IsActive(r.Status), TableRows.ParseTimestamp(r.LastSyncedAt))).ToList();
    }

    public async IAsyncEnumerable<RegisteredEntity> ScanAsync(RegistryPosition? after, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var filter = after is null
            ? null
            : TableClient.CreateQueryFilter($"(PartitionKey eq {after.Shard} and RowKey gt {after.Id}) or PartitionKey gt {after.Shard}");
        await foreach (var row in table.QueryAsync<EntityRow>(filter, ScanPageSize, null, cancellationToken).ConfigureAwait(false))
        {
            yield return row.ToEntity();
        }
    }

    public async Task<bool> SaveStatusAsync(string id, bool active, DateTimeOffset changedAt, CancellationToken cancellationToken)
    {
        Keys.ThrowIfInvalid(id);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = new EntityStatusRow
        {
            PartitionKey = Uscc.Shard(id),
            RowKey = id,
            Status = active ? EntityStatusRow.ActiveText : EntityStatusRow.InactiveText,
            StatusChangedAt = TableRows.Timestamp(changedAt),
        };
        try
        {
            await table.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.IsNotFound())
        {
            return false;
        }
    }

    private Task<TableClient> TableAsync(CancellationToken cancellationToken) =>
        account.GetTableAsync(StorageNames.EntitiesTable, cancellationToken);
}

/// <summary>
/// The status columns of an <c>Entities</c> row: <c>Status</c> is <c>active</c> or <c>inactive</c> (a row without it,
/// written before entities could be deactivated, is active), <c>StatusChangedAt</c> when it last changed.
/// </summary>
internal sealed class EntityStatusRow : TableRow
{
    public const string ActiveText = "active";
    public const string InactiveText = "inactive";

    public string? Status { get; set; }

    public string? StatusChangedAt { get; set; }

    public static bool IsActive(string? status) => status != InactiveText;
}

/// <summary>The columns <see cref="TableEntityStore.ListEntriesAsync"/> reads.</summary>
internal sealed class EntryRow : TableRow
{
    public string? Status { get; set; }

    public string? LastSyncedAt { get; set; }
}

/// <summary>The registry columns of an <c>Entities</c> row.</summary>
internal class EntityRegistryRow : TableRow
{
    public string? Name { get; set; }

    public string? Kind { get; set; }

    public int Tier { get; set; }

    public string? Region { get; set; }

    public string? ContactEmail { get; set; }

    public static EntityRegistryRow From(RegisteredEntity e)
    {
        Keys.ThrowIfInvalid(e.Id);
        return new EntityRegistryRow
        {
            PartitionKey = Uscc.Shard(e.Id),
            RowKey = e.Id,
            Name = e.Name,
            Kind = Wire.Kind(e.Kind),
            Tier = e.Tier,
            Region = TableRows.Text(e.Region),
            ContactEmail = TableRows.Text(e.ContactEmail),
        };
    }
}

/// <summary>The sync columns of an <c>Entities</c> row (timestamps as round-trip text, empty for none).</summary>
internal sealed class EntitySyncRow : TableRow
{
    public int DisclosureYear { get; set; }

    public string? PrtrState { get; set; }

    public string? PrtrCompletedAt { get; set; }

    public string? CarbonState { get; set; }

    public string? CarbonCompletedAt { get; set; }

    public bool NotOnPlatform { get; set; }

    public string? LastSyncedAt { get; set; }

    public static EntitySyncRow From(RegisteredEntity e)
    {
        Keys.ThrowIfInvalid(e.Id);
        return new EntitySyncRow
        {
            PartitionKey = Uscc.Shard(e.Id),
            RowKey = e.Id,
            DisclosureYear = e.DisclosureYear,
            PrtrState = Wire.State(e.Prtr.State),
            PrtrCompletedAt = TableRows.Timestamp(e.Prtr.CompletedAt),
            CarbonState = Wire.State(e.Carbon.State),
            CarbonCompletedAt = TableRows.Timestamp(e.Carbon.CompletedAt),
            NotOnPlatform = e.NotOnPlatform,
            LastSyncedAt = TableRows.Timestamp(e.LastSyncedAt),
        };
    }
}

/// <summary>A whole <c>Entities</c> row, as read.</summary>
internal sealed class EntityRow : EntityRegistryRow
{
    public int DisclosureYear { get; set; }

    public string? PrtrState { get; set; }

    public string? PrtrCompletedAt { get; set; }

    public string? CarbonState { get; set; }

    public string? CarbonCompletedAt { get; set; }

    public bool NotOnPlatform { get; set; }

    public string? LastSyncedAt { get; set; }

    public string? Status { get; set; }

    public string? StatusChangedAt { get; set; }

    public RegisteredEntity ToEntity() =>
        new(RowKey, Name ?? "", Wire.ParseKind(Kind), Tier > 0 ? Tier : 1, TableRows.TextOrNull(Region), TableRows.TextOrNull(ContactEmail))
        {
            DisclosureYear = DisclosureYear,
            Prtr = new DisclosureStatus(Wire.ParseState(PrtrState), TableRows.ParseTimestamp(PrtrCompletedAt)),
            Carbon = new DisclosureStatus(Wire.ParseState(CarbonState), TableRows.ParseTimestamp(CarbonCompletedAt)),
            NotOnPlatform = NotOnPlatform,
            LastSyncedAt = TableRows.ParseTimestamp(LastSyncedAt),
            Active = EntityStatusRow.IsActive(Status),
            StatusChangedAt = TableRows.ParseTimestamp(StatusChangedAt),
            ETag = ETag.ToString(),
        };
}

/// <summary>A row read for its keys only.</summary>
internal sealed class IdRow : TableRow
{
}

/// <summary>Enum values as stored (the contract's lower-case words, stable across renames in code).</summary>
internal static class Wire
{
    public static string Kind(EntityKind kind) => kind switch
    {
        EntityKind.Subsidiary => "subsidiary",
        EntityKind.Supplier => "supplier",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static EntityKind ParseKind(string? value) => value == "subsidiary" ? EntityKind.Subsidiary : EntityKind.Supplier;

    public static string State(DisclosureState state) => state switch
    {
        DisclosureState.None => "none",
        DisclosureState.InProgress => "in_progress",
        DisclosureState.Completed => "completed",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static DisclosureState ParseState(string? value) => value switch
    {
        "in_progress" => DisclosureState.InProgress,
        "completed" => DisclosureState.Completed,
        _ => DisclosureState.None,
    };
}

/// <summary>What table keys may not contain.</summary>
internal static class Keys
{
    /// <summary>Throws for a key the table service would refuse (<c>/ \ # ?</c>, control characters, empty, over 1 KiB).</summary>
    public static void ThrowIfInvalid(string key, string name = "id")
    {
        if (!IsValid(key))
        {
            throw new ArgumentException($"{name} '{key}' cannot be a table key (empty, too long, or contains / \\ # ? or a control character)", name);
        }
    }

    /// <summary>Whether the table service takes <paramref name="key"/> as a key.</summary>
    public static bool IsValid(string? key) =>
        !string.IsNullOrEmpty(key) && key.Length <= 512 && !key.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
}
