using System.Net;
using DisclosurePipeline.Domain;
using Microsoft.Azure.Cosmos.Table;

namespace DisclosurePipeline.Storage;

/// <summary>
/// <see cref="IEntityStore"/> over the <c>Entities</c> table: partition = <see cref="Uscc.Shard"/>, row = id.
/// Registry columns and sync columns are written by separate merges, so neither clobbers the other.
/// </summary>
internal sealed class TableEntityStore(StorageAccount account) : IEntityStore
{
    private const string Name = nameof(Name);
    private const string Kind = nameof(Kind);
    private const string Tier = nameof(Tier);
    private const string Region = nameof(Region);
    private const string ContactEmail = nameof(ContactEmail);
    private const string DisclosureYear = nameof(DisclosureYear);
    private const string PrtrState = nameof(PrtrState);
    private const string PrtrCompletedAt = nameof(PrtrCompletedAt);
    private const string CarbonState = nameof(CarbonState);
    private const string CarbonCompletedAt = nameof(CarbonCompletedAt);
    private const string NotOnPlatform = nameof(NotOnPlatform);
    private const string LastSyncedAt = nameof(LastSyncedAt);

    public async Task<RegisteredEntity?> GetAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var row = await table.RetrieveAsync(Uscc.Shard(id), id, cancellationToken).ConfigureAwait(false);
        return row is null ? null : FromRow(row);
    }

    public async Task<IReadOnlyList<RegisteredEntity>> ListAsync(CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var rows = await table.QueryAllAsync(new TableQuery(), cancellationToken).ConfigureAwait(false);
        return rows.Select(FromRow).ToList();
    }

    public async Task<IReadOnlyList<RegisteredEntity>> ListRangeAsync(string shard, string firstId, string lastId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(shard);
        ArgumentNullException.ThrowIfNull(firstId);
        ArgumentNullException.ThrowIfNull(lastId);
        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        var rows = await table.QueryAllAsync(TableRows.RangeQuery(shard, firstId, lastId), cancellationToken).ConfigureAwait(false);
        return rows.Select(FromRow).ToList();
    }

    public async Task SaveRegistryFieldsAsync(IReadOnlyCollection<RegisteredEntity> entities, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entities);
        if (entities.Count == 0)
        {
            return;
        }

        var table = await TableAsync(cancellationToken).ConfigureAwait(false);
        await table.WriteBatchesAsync(entities.Select(RegistryRow), TableOperation.InsertOrMerge, null, cancellationToken).ConfigureAwait(false);
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
        await table.WriteBatchesAsync(entities.Select(SyncRow), TableOperation.Merge, HttpStatusCode.NotFound, cancellationToken).ConfigureAwait(false);
    }

    private Task<CloudTable> TableAsync(CancellationToken cancellationToken) =>
        account.GetTableAsync(StorageNames.EntitiesTable, cancellationToken);

    private static DynamicTableEntity RegistryRow(RegisteredEntity e)
    {
        Keys.ThrowIfInvalid(e.Id);
        var row = new DynamicTableEntity(Uscc.Shard(e.Id), e.Id) { ETag = "*" };
        row.Properties[Name] = new EntityProperty(e.Name);
        row.Properties[Kind] = new EntityProperty(Wire.Kind(e.Kind));
        row.Properties[Tier] = new EntityProperty(e.Tier);
        row.Properties[Region] = new EntityProperty(TableRows.Text(e.Region));
        row.Properties[ContactEmail] = new EntityProperty(TableRows.Text(e.ContactEmail));
        return row;
    }

    private static DynamicTableEntity SyncRow(RegisteredEntity e)
    {
        Keys.ThrowIfInvalid(e.Id);
        var row = new DynamicTableEntity(Uscc.Shard(e.Id), e.Id) { ETag = "*" };
        row.Properties[DisclosureYear] = new EntityProperty(e.DisclosureYear);
        row.Properties[PrtrState] = new EntityProperty(Wire.State(e.Prtr.State));
        row.Properties[PrtrCompletedAt] = new EntityProperty(TableRows.Timestamp(e.Prtr.CompletedAt));
        row.Properties[CarbonState] = new EntityProperty(Wire.State(e.Carbon.State));
        row.Properties[CarbonCompletedAt] = new EntityProperty(TableRows.Timestamp(e.Carbon.CompletedAt));
        row.Properties[NotOnPlatform] = new EntityProperty(e.NotOnPlatform);
        row.Properties[LastSyncedAt] = new EntityProperty(TableRows.Timestamp(e.LastSyncedAt));
        return row;
    }

    private static RegisteredEntity FromRow(DynamicTableEntity row) =>
        new(
            row.RowKey,
            row.GetText(Name) ?? "",
            Wire.ParseKind(row.GetText(Kind)),
            row.GetInt(Tier) is var tier and > 0 ? tier : 1,
            row.GetTextOrNull(Region),
            row.GetTextOrNull(ContactEmail))
        {
            DisclosureYear = row.GetInt(DisclosureYear),
            Prtr = new DisclosureStatus(Wire.ParseState(row.GetText(PrtrState)), row.GetTimestamp(PrtrCompletedAt)),
            Carbon = new DisclosureStatus(Wire.ParseState(row.GetText(CarbonState)), row.GetTimestamp(CarbonCompletedAt)),
            NotOnPlatform = row.GetBool(NotOnPlatform),
            LastSyncedAt = row.GetTimestamp(LastSyncedAt),
            ETag = row.ETag,
        };
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
        if (string.IsNullOrEmpty(key) || key.Length > 512 || key.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c)))
        {
            throw new ArgumentException($"{name} '{key}' cannot be a table key (empty, too long, or contains / \\ # ? or a control character)", name);
        }
    }
}
