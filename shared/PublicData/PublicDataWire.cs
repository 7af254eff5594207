namespace DisclosurePipeline.PublicData;

// The platform's JSON shapes (contract v1), as sent and received. Kept apart from the domain types:
// everything is nullable here and checked when mapped, so a malformed answer fails with a clear message.

internal sealed record WireIdsRequest(IReadOnlyList<string> EnterpriseIds, string? PageToken);

internal sealed record WireDisclosuresRequest(IReadOnlyList<string> EnterpriseIds, int Year);

internal sealed record WireViolationsResponse(
    IReadOnlyList<WireRecord?>? Records,
    IReadOnlyList<string>? NotFound,
    IReadOnlyList<string>? Invalid,
    string? NextPageToken);

internal sealed record WireRecord(
    string? RecordId,
    string? EnterpriseId,
    string? EnterpriseName,
    string? Authority,
    string? DocumentNumber,
    string? Category,
    string? Summary,
    decimal? PenaltyAmountCny,
    DateOnly? IssuedOn,
    DateTimeOffset? PublishedAt,
    string? Status,
    DateTimeOffset? RemovedAt);

internal sealed record WireDisclosuresResponse(
    int Year,
    IReadOnlyList<WireDisclosureItem?>? Items,
    IReadOnlyList<string>? NotFound,
    IReadOnlyList<string>? Invalid);

internal sealed record WireDisclosureItem(string? EnterpriseId, WireDisclosure? Prtr, WireDisclosure? Carbon);

internal sealed record WireDisclosure(string? Status, DateTimeOffset? CompletedAt);

internal sealed record WireChangesResponse(IReadOnlyList<WireChange?>? Changes, string? NextCursor, bool HasMore);

internal sealed record WireChange(string? EnterpriseId, string? Kind, DateTimeOffset? ChangedAt);

internal sealed record WireProblem(string? Type, string? Title, int? Status, string? Detail);
