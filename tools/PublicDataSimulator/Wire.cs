using Microsoft.AspNetCore.WebUtilities;

namespace PublicDataSimulator;

// The contract's JSON shapes (camelCase through the web defaults), written from the contract, not shared
// with the client, so the two keep each other honest.

internal sealed record ViolationsRequest(List<string?>? EnterpriseIds, string? PageToken);

internal sealed record DisclosuresRequest(List<string?>? EnterpriseIds, int? Year);

internal sealed record ViolationsResponse(List<WireRecord> Records, List<string> NotFound, List<string> Invalid, string? NextPageToken);

internal sealed record WireRecord(
    string RecordId,
    string EnterpriseId,
    string EnterpriseName,
    string Authority,
    string DocumentNumber,
    string Category,
    string Summary,
    decimal? PenaltyAmountCny,
    DateOnly IssuedOn,
    DateTimeOffset PublishedAt,
    string Status,
    DateTimeOffset? RemovedAt)
{
    public static WireRecord From(SimRecord r) => new(
        r.RecordId, r.EnterpriseId, r.EnterpriseName, r.Authority, r.DocumentNumber, r.Category, r.Summary,
        r.PenaltyAmountCny, r.IssuedOn, r.PublishedAt, r.Removed ? "removed" : "active", r.RemovedAt);
}

internal sealed record DisclosuresResponse(int Year, List<DisclosureItem> Items, List<string> NotFound, List<string> Invalid);

internal sealed record DisclosureItem(string EnterpriseId, WireDisclosure Prtr, WireDisclosure Carbon);

internal sealed record WireDisclosure(string Status, DateTimeOffset? CompletedAt)
{
    public static WireDisclosure From(SimDisclosure d) => new(d.Status, d.CompletedAt);
}

internal sealed record ChangesResponse(List<WireChange> Changes, string NextCursor, bool HasMore);

internal sealed record WireChange(string EnterpriseId, string Kind, DateTimeOffset ChangedAt);

/// <summary><c>POST /sim/records</c>: everything but the enterprise is optional.</summary>
internal sealed record NewRecordRequest(
    string? EnterpriseId,
    string? Authority,
    string? DocumentNumber,
    string? Category,
    string? Summary,
    decimal? PenaltyAmountCny,
    DateOnly? IssuedOn,
    DateTimeOffset? PublishedAt);

/// <summary><c>PUT /sim/disclosures/{id}</c>: statuses left out stay as they are.</summary>
internal sealed record DisclosureUpdate(int? Year, string? Prtr, string? Carbon);

internal sealed record EnterpriseView(
    string EnterpriseId,
    string Name,
    bool OnPlatform,
    string Kind,
    int Tier,
    string Region,
    string ContactEmail,
    List<WireRecord> Records,
    int Year,
    WireDisclosure? Prtr,
    WireDisclosure? Carbon);

/// <summary>problem+json answers.</summary>
internal static class Problems
{
    public static IResult Result(int status, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: ReasonPhrases.GetReasonPhrase(status), type: "about:blank");

    public static IResult BadRequest(string detail) => Result(StatusCodes.Status400BadRequest, detail);

    public static IResult NotFound(string detail) => Result(StatusCodes.Status404NotFound, detail);

    public static Task Write(HttpContext context, int status, string detail) => Result(status, detail).ExecuteAsync(context);
}
