namespace DisclosurePipeline.Domain;

/// <summary>Whether a registered entity is one of the company's subsidiaries or a supplier.</summary>
public enum EntityKind
{
    /// <summary>A subsidiary of the company.</summary>
    Subsidiary,

    /// <summary>A supplier (tier 1 or 2).</summary>
    Supplier,
}

/// <summary>A disclosure's state on the platform for one year.</summary>
public enum DisclosureState
{
    /// <summary>Nothing disclosed.</summary>
    None,

    /// <summary>Started, or withdrawn back from completed.</summary>
    InProgress,

    /// <summary>Completed.</summary>
    Completed,
}

/// <summary>One disclosure (PRTR or carbon) of an entity for a year.</summary>
/// <param name="State">The state.</param>
/// <param name="CompletedAt">When it was completed; set only for <see cref="DisclosureState.Completed"/>.</param>
public sealed record DisclosureStatus(DisclosureState State, DateTimeOffset? CompletedAt)
{
    /// <summary>Nothing disclosed.</summary>
    public static DisclosureStatus None { get; } = new(DisclosureState.None, null);
}

/// <summary>
/// A subsidiary or supplier in the registry, with what the last sync learned of it.
/// </summary>
/// <param name="Id">Its Unified Social Credit Code.</param>
/// <param name="Name">Its name, byte-exact (often Chinese).</param>
/// <param name="Kind">Subsidiary or supplier.</param>
/// <param name="Tier">1 or 2.</param>
/// <param name="Region">Free text, may be empty.</param>
/// <param name="ContactEmail">Where supplier reminders go, may be empty.</param>
public sealed record RegisteredEntity(
    string Id,
    string Name,
    EntityKind Kind,
    int Tier,
    string? Region,
    string? ContactEmail)
{
    /// <summary>The year the disclosure fields below are for; 0 before the first sync.</summary>
    public int DisclosureYear { get; init; }

    /// <summary>PRTR disclosure for <see cref="DisclosureYear"/>, as last synced.</summary>
    public DisclosureStatus Prtr { get; init; } = DisclosureStatus.None;

    /// <summary>Carbon disclosure for <see cref="DisclosureYear"/>, as last synced.</summary>
    public DisclosureStatus Carbon { get; init; } = DisclosureStatus.None;

    /// <summary>True when the platform reported the entity as unknown on the last sync.</summary>
    public bool NotOnPlatform { get; init; }

    /// <summary>When the last sync fetched this entity; null before the first.</summary>
    public DateTimeOffset? LastSyncedAt { get; init; }

    /// <summary>
    /// False once staff have deactivated the entity (it left the programme): it is not synced, raises no alerts, counts in
    /// no progress figure and its supplier keys stop working; its cases, plans and history are kept. True for a new entity.
    /// </summary>
    public bool Active { get; init; } = true;

    /// <summary>When the entity was last deactivated or reactivated; null when it never was.</summary>
    public DateTimeOffset? StatusChangedAt { get; init; }

    /// <summary>The store's concurrency token; null for an entity not read from the store.</summary>
    public string? ETag { get; init; }

    /// <summary>True when the registry fields (not the sync fields) equal <paramref name="other"/>'s.</summary>
    public bool SameRegistryFields(RegisteredEntity other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Id == other.Id && Name == other.Name && Kind == other.Kind && Tier == other.Tier
            && (Region ?? "") == (other.Region ?? "") && (ContactEmail ?? "") == (other.ContactEmail ?? "");
    }
}

/// <summary>A violation record's category on the platform.</summary>
public static class ViolationCategories
{
    /// <summary>The categories the platform uses.</summary>
    public static IReadOnlySet<string> All { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "air", "water", "solid_waste", "noise", "eia", "other",
    };
}

/// <summary>A violation record as the public data platform publishes it.</summary>
public sealed record ViolationRecord(
    string RecordId,
    string EnterpriseId,
    string EnterpriseName,
    string Authority,
    string? DocumentNumber,
    string Category,
    string Summary,
    decimal? PenaltyAmountCny,
    DateOnly? IssuedOn,
    DateTimeOffset PublishedAt,
    bool Removed,
    DateTimeOffset? RemovedAt);

/// <summary>An entity's PRTR and carbon disclosure status for one year, as the platform reports it.</summary>
public sealed record EntityDisclosures(string EnterpriseId, DisclosureStatus Prtr, DisclosureStatus Carbon);
