using Refit;

namespace DisclosurePipeline.PublicData;

/// <summary>
/// The platform's contract v1 endpoints (docs/public-data-api.md), as a Refit interface. Answers come back as
/// responses, unread: <see cref="PublicDataClient"/> maps statuses, problem details and bodies to the domain.
/// The base address and the <c>X-Api-Key</c> header come from the typed client's configuration.
/// </summary>
internal interface IPublicDataApi
{
    /// <summary><c>POST /v1/violations:query</c>: one page of the records of at most 100 enterprises.</summary>
    [Post("/v1/violations:query")]
    Task<HttpResponseMessage> QueryViolationsAsync([Body(buffered: true)] WireIdsRequest request, CancellationToken cancellationToken);

    /// <summary><c>POST /v1/disclosures:query</c>: the disclosures of at most 100 enterprises for one year.</summary>
    [Post("/v1/disclosures:query")]
    Task<HttpResponseMessage> QueryDisclosuresAsync([Body(buffered: true)] WireDisclosuresRequest request, CancellationToken cancellationToken);

    /// <summary><c>GET /v1/changes?since=&amp;limit=</c>: one page of the change feed (<paramref name="since"/> null: from now).</summary>
    [Get("/v1/changes")]
    Task<HttpResponseMessage> GetChangesAsync([AliasAs("since")] string? since, [AliasAs("limit")] int limit, CancellationToken cancellationToken);
}
