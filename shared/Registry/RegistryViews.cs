using DisclosurePipeline.Auth;
using DisclosurePipeline.Domain;
using DisclosurePipeline.Storage;

namespace DisclosurePipeline.Registry;

/// <summary>An entity's status word: <c>active</c> or <c>inactive</c>.</summary>
public enum EntityStatus
{
    /// <summary>In the programme: synced, alerted, counted.</summary>
    Active,

    /// <summary>Left the programme: kept with its history, but not synced, alerted or counted, and its keys do not work.</summary>
    Inactive,
}

/// <summary>One entity in the registry lookup (<c>GET /api/suppliers</c>).</summary>
/// <param name="Id">Its Unified Social Credit Code.</param>
/// <param name="Name">Its name.</param>
/// <param name="Kind">Subsidiary or supplier.</param>
/// <param name="Tier">1 or 2.</param>
/// <param name="Region">Free text, or null.</param>
/// <param name="ContactEmail">Where reminders go, or null.</param>
/// <param name="Status">Active or inactive.</param>
/// <param name="StatusChangedAt">When it was last deactivated or reactivated, or null.</param>
/// <param name="LastSyncedAt">When a sync last fetched it, or null before the first.</param>
public sealed record EntityView(
    string Id,
    string Name,
    EntityKind Kind,
    int Tier,
    string? Region,
    string? ContactEmail,
    EntityStatus Status,
    DateTimeOffset? StatusChangedAt,
    DateTimeOffset? LastSyncedAt)
{
    /// <summary>The view of <paramref name="entity"/>, last synced at <paramref name="lastSyncedAt"/>.</summary>
    public static EntityView From(RegisteredEntity entity, DateTimeOffset? lastSyncedAt)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return new EntityView(
            entity.Id, entity.Name, entity.Kind, entity.Tier, entity.Region, entity.ContactEmail,
            entity.Active ? EntityStatus.Active : EntityStatus.Inactive, entity.StatusChangedAt, lastSyncedAt);
    }
}

/// <summary>One page of the registry lookup; <see cref="ContinuationToken"/> asks for the next, null on the last page.</summary>
/// <param name="Items">The entities on this page, in the registry's order.</param>
/// <param name="ContinuationToken">The next page's token, or null.</param>
public sealed record RegistryPage(IReadOnlyList<EntityView> Items, string? ContinuationToken);

/// <summary>One disclosure for the target year, as last synced.</summary>
/// <param name="Status">none, in_progress or completed; null when the entity was not synced for the year yet.</param>
/// <param name="CompletedAt">When it was completed, or null.</param>
public sealed record DisclosureView(DisclosureState? Status, DateTimeOffset? CompletedAt);

/// <summary>An entity's disclosures for the target year.</summary>
/// <param name="Year">The target year.</param>
/// <param name="Prtr">PRTR disclosure.</param>
/// <param name="Carbon">Carbon disclosure.</param>
/// <param name="NotOnPlatform">True when the last sync found the entity unknown to the platform.</param>
public sealed record DisclosuresView(int Year, DisclosureView Prtr, DisclosureView Carbon, bool NotOnPlatform);

/// <summary>An entity's cases by status now (they add up to <see cref="Total"/>).</summary>
public sealed record CaseCountsView(int Open, int Overdue, int PlanSubmitted, int PlanApproved, int Removed, int Total);

/// <summary>A supplier key as staff see it: its id and times, never the key or its hash.</summary>
/// <param name="KeyId">The key's public id (the 24 hex digits after <c>sk_</c>).</param>
/// <param name="IssuedAt">When it was issued.</param>
/// <param name="LastUsedAt">When it was last used, to within an hour; null when never.</param>
/// <param name="RevokedAt">When it was revoked; null while valid.</param>
public sealed record KeyView(string KeyId, DateTimeOffset IssuedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt)
{
    /// <summary>The view of a stored key.</summary>
    public static KeyView From(StoredKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new KeyView(key.KeyId, key.IssuedAt, key.LastUsedAt, key.RevokedAt);
    }
}

/// <summary>One entity in full (<c>GET /api/suppliers/{id}</c>): registry fields, status, disclosures, cases and keys.</summary>
public sealed record EntityDetail(
    string Id,
    string Name,
    EntityKind Kind,
    int Tier,
    string? Region,
    string? ContactEmail,
    EntityStatus Status,
    DateTimeOffset? StatusChangedAt,
    DateTimeOffset? LastSyncedAt,
    DisclosuresView Disclosures,
    CaseCountsView Cases,
    IReadOnlyList<KeyView> Keys);

/// <summary>What a registry import did, and the sync run it started for the entities that need one.</summary>
/// <param name="Result">The import's counts and rejected rows.</param>
/// <param name="Run">The run of <see cref="RegistryImportResult.SyncNeeded"/>; null when none needed a sync.</param>
public sealed record RegistryImportOutcome(RegistryImportResult Result, SyncRun? Run);

/// <summary>What a deactivation or reactivation did.</summary>
/// <param name="Entity">The entity as it now stands; null when there is no such entity.</param>
/// <param name="Changed">False when it already had that status (nothing was written).</param>
/// <param name="Run">For a reactivation, the sync run started for the entity; otherwise null.</param>
public sealed record EntityStatusChange(RegisteredEntity? Entity, bool Changed, SyncRun? Run);

/// <summary>Why a key could not be issued, or the key.</summary>
public enum KeyIssueStatus
{
    /// <summary>Issued.</summary>
    Issued,

    /// <summary>No such entity.</summary>
    NotRegistered,

    /// <summary>The entity is inactive: a key would not work.</summary>
    Inactive,
}

/// <summary>The outcome of issuing a key: <see cref="Key"/> is set when <see cref="Status"/> is <see cref="KeyIssueStatus.Issued"/>.</summary>
public sealed record KeyIssue(KeyIssueStatus Status, IssuedKey? Key);
