using DisclosurePipeline.Domain;

namespace DisclosurePipeline.PublicData;

/// <summary>
/// The public environmental data platform (contract: docs/public-data-api.md), as the pipeline uses it.
/// Calls are resilient (retries with backoff honouring <c>Retry-After</c>, per-attempt timeout, circuit
/// breaker, a cap on concurrent requests); what still fails after that throws <see cref="PublicDataException"/>.
/// </summary>
public interface IPublicDataClient
{
    /// <summary>
    /// Every violation record (active or removed) of the given enterprises, all pages followed.
    /// Any number of ids: they are sent in requests of at most 100.
    /// </summary>
    Task<ViolationQueryResult> QueryViolationsAsync(IReadOnlyCollection<string> enterpriseIds, CancellationToken cancellationToken);

    /// <summary>The PRTR and carbon disclosure status of the given enterprises for one year.</summary>
    Task<DisclosureQueryResult> QueryDisclosuresAsync(IReadOnlyCollection<string> enterpriseIds, int year, CancellationToken cancellationToken);

    /// <summary>
    /// One page of the change feed after <paramref name="cursor"/> (null: start from now).
    /// Throws <see cref="ChangeCursorExpiredException"/> on <c>410 Gone</c>.
    /// </summary>
    Task<ChangePage> GetChangesAsync(string? cursor, int limit, CancellationToken cancellationToken);
}

/// <summary>Records of the enterprises asked for, and the ids the platform did not know or rejected.</summary>
public sealed record ViolationQueryResult(
    IReadOnlyList<ViolationRecord> Records,
    IReadOnlyList<string> NotFound,
    IReadOnlyList<string> Invalid);

/// <summary>Disclosure statuses of the enterprises asked for, and the ids the platform did not know or rejected.</summary>
public sealed record DisclosureQueryResult(
    int Year,
    IReadOnlyList<EntityDisclosures> Items,
    IReadOnlyList<string> NotFound,
    IReadOnlyList<string> Invalid);

/// <summary>What changed, by enterprise.</summary>
public enum ChangeKind
{
    /// <summary>Its violation records changed.</summary>
    Violation,

    /// <summary>Its disclosures changed.</summary>
    Disclosure,
}

/// <summary>One entry of the change feed.</summary>
public sealed record EnterpriseChange(string EnterpriseId, ChangeKind Kind, DateTimeOffset ChangedAt);

/// <summary>One page of the change feed.</summary>
public sealed record ChangePage(IReadOnlyList<EnterpriseChange> Changes, string NextCursor, bool HasMore);

/// <summary>The platform could not answer: a permanent error (400/401/403/404) or transient errors that outlasted the retries.</summary>
public class PublicDataException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PublicDataException(string message, int? statusCode = null, Exception? innerException = null)
        : base(message, innerException) => StatusCode = statusCode;

    /// <summary>Creates the exception.</summary>
    public PublicDataException() : this("the public data platform could not answer") { }

    /// <summary>Creates the exception.</summary>
    public PublicDataException(string message) : this(message, null, null) { }

    /// <summary>Creates the exception.</summary>
    public PublicDataException(string message, Exception innerException) : this(message, null, innerException) { }

    /// <summary>The last HTTP status, when there was one.</summary>
    public int? StatusCode { get; }
}

/// <summary>The change-feed cursor is too old (<c>410 Gone</c>): fall back to a full sync.</summary>
public sealed class ChangeCursorExpiredException : PublicDataException
{
    /// <summary>Creates the exception.</summary>
    public ChangeCursorExpiredException() : base("the change-feed cursor expired (410 Gone)", 410) { }

    /// <summary>Creates the exception.</summary>
    public ChangeCursorExpiredException(string message) : base(message, 410) { }

    /// <summary>Creates the exception.</summary>
    public ChangeCursorExpiredException(string message, Exception innerException) : base(message, 410, innerException) { }
}
