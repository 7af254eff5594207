using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DisclosurePipeline.Configuration;
using DisclosurePipeline.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace DisclosurePipeline.PublicData;

/// <summary>
/// The port over the Refit client <see cref="IPublicDataApi"/>: sends at most <see cref="MaxIdsPerRequest"/> ids a
/// request, follows page tokens, merges the answers and maps failures to <see cref="PublicDataException"/>. Every
/// attempt goes through the client's resilience handler (<see cref="PublicDataResilience"/>), which also caps how
/// many requests are in flight.
/// </summary>
internal sealed class PublicDataClient(
    IPublicDataApi api,
    IOptions<PublicDataOptions> options,
    ILogger<PublicDataClient> logger) : IPublicDataClient
{
    private readonly int maxAttempts = options.Value.MaxAttempts;

    /// <summary>Most enterprise ids the contract allows in one request.</summary>
    internal const int MaxIdsPerRequest = 100;

    /// <summary>Largest change-feed page the contract allows.</summary>
    internal const int MaxChangeLimit = 1000;

    // A guard against a platform that never stops paging: 100 ids at 500 records a page.
    private const int MaxPagesPerRequest = 10_000;

    private static readonly JsonSerializerOptions Json = PublicDataJson.Options;

    public async Task<ViolationQueryResult> QueryViolationsAsync(IReadOnlyCollection<string> enterpriseIds, CancellationToken cancellationToken)
    {
        var chunks = Chunk(enterpriseIds);
        var pages = new List<WireViolationsResponse>[chunks.Count];
        await ForEachChunkAsync(chunks, async (index, ids, ct) => pages[index] = await QueryViolationChunkAsync(ids, ct), cancellationToken);

        // Records are unique by id; a record seen on two pages (the data moved between them) keeps its latest state.
        var records = new List<ViolationRecord>();
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        var notFound = new OrderedSet();
        var invalid = new OrderedSet();
        foreach (var page in pages.SelectMany(p => p))
        {
            foreach (var wire in page.Records ?? [])
            {
                var record = ToRecord(wire);
                if (positions.TryGetValue(record.RecordId, out var at))
                {
                    records[at] = record;
                }
                else
                {
                    positions[record.RecordId] = records.Count;
                    records.Add(record);
                }
            }

            notFound.AddRange(page.NotFound);
            invalid.AddRange(page.Invalid);
        }

        return new ViolationQueryResult(records, notFound.Items, invalid.Items);
    }

    public async Task<DisclosureQueryResult> QueryDisclosuresAsync(IReadOnlyCollection<string> enterpriseIds, int year, CancellationToken cancellationToken)
    {
        var chunks = Chunk(enterpriseIds);
        var answers = new WireDisclosuresResponse[chunks.Count];
        await ForEachChunkAsync(
            chunks,
            async (index, ids, ct) => answers[index] = await SendAsync<WireDisclosuresResponse>(
                "disclosures:query",
                c => api.QueryDisclosuresAsync(new WireDisclosuresRequest(ids, year), c),
                expiredCursorPossible: false,
                ct),
            cancellationToken);

        var items = new List<EntityDisclosures>();
        var notFound = new OrderedSet();
        var invalid = new OrderedSet();
        foreach (var answer in answers)
        {
            if (answer.Year != year)
            {
                throw Malformed($"disclosures answered for year {answer.Year}, asked for {year}");
            }

            items.AddRange((answer.Items ?? []).Select(ToDisclosures));
            notFound.AddRange(answer.NotFound);
            invalid.AddRange(answer.Invalid);
        }

        return new DisclosureQueryResult(year, items, notFound.Items, invalid.Items);
    }

    public async Task<ChangePage> GetChangesAsync(string? cursor, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxChangeLimit);
        var page = await SendAsync<WireChangesResponse>(
            "changes", c => api.GetChangesAsync(cursor, limit, c), expiredCursorPossible: true, cancellationToken);
        if (string.IsNullOrEmpty(page.NextCursor))
        {
            throw Malformed("a change page without nextCursor");
        }

        var changes = (page.Changes ?? []).Select(c => c is { EnterpriseId: { } id, ChangedAt: { } at }
            ? new EnterpriseChange(id, c.Kind switch
            {
                "violation" => ChangeKind.Violation,
                "disclosure" => ChangeKind.Disclosure,
                _ => throw Malformed($"unknown change kind '{c.Kind}'"),
            }, at)
            : throw Malformed("a change without enterpriseId or changedAt")).ToList();
        return new ChangePage(changes, page.NextCursor, page.HasMore);
    }

    private async Task<List<WireViolationsResponse>> QueryViolationChunkAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var pages = new List<WireViolationsResponse>();
        string? token = null;
        do
        {
            var pageToken = token;
            var page = await SendAsync<WireViolationsResponse>(
                "violations:query",
                c => api.QueryViolationsAsync(new WireIdsRequest(ids, pageToken), c),
                expiredCursorPossible: false,
                cancellationToken);
            pages.Add(page);
            if (page.NextPageToken is not null && (page.NextPageToken == token || pages.Count >= MaxPagesPerRequest))
            {
                throw Malformed("the platform keeps answering with the same or endless page tokens");
            }

            token = page.NextPageToken;
        }
        while (token is not null);

        return pages;
    }

    /// <summary>Runs the chunks' requests side by side; the resilience handler's concurrency limiter caps what is really in flight.</summary>
    private static Task ForEachChunkAsync(
        IReadOnlyList<IReadOnlyList<string>> chunks,
        Func<int, IReadOnlyList<string>, CancellationToken, Task> body,
        CancellationToken cancellationToken) => chunks.Count switch
        {
            0 => Task.CompletedTask,
            1 => body(0, chunks[0], cancellationToken),
            _ => Task.WhenAll(chunks.Select((ids, index) => body(index, ids, cancellationToken))),
        };

    private async Task<T> SendAsync<T>(string operation, Func<CancellationToken, Task<HttpResponseMessage>> send, bool expiredCursorPossible, CancellationToken cancellationToken)
        where T : class
    {
        HttpResponseMessage response;
        try
        {
            response = await send(cancellationToken);
        }
        catch (Exception thrown) when (Cause(thrown) is var exception
            && (exception is HttpRequestException or TimeoutRejectedException or BrokenCircuitException
                || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested)))
        {
            var reason = exception.GetType().Name;
            PublicDataLog.GaveUp(logger, operation, reason, maxAttempts);
            throw new PublicDataException($"the public data platform could not be reached ({reason}) after {maxAttempts} attempts", null, exception);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                try
                {
                    return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
                        ?? throw Malformed($"{operation} answered null");
                }
                catch (JsonException exception)
                {
                    throw new PublicDataException($"the public data platform answered {operation} with malformed JSON", status, exception);
                }
            }

            if (response.StatusCode == HttpStatusCode.Gone && expiredCursorPossible)
            {
                PublicDataLog.CursorExpired(logger);
                throw new ChangeCursorExpiredException();
            }

            if (PublicDataResilience.IsTransientStatus(response.StatusCode))
            {
                PublicDataLog.GaveUp(logger, operation, status.ToString(CultureInfo.InvariantCulture), maxAttempts);
                throw new PublicDataException($"the public data platform still answered {status} after {maxAttempts} attempts", status);
            }

            var problem = await ReadProblemAsync(response, cancellationToken);
            var title = problem?.Title ?? response.ReasonPhrase ?? "error";
            PublicDataLog.Refused(logger, operation, status, title);
            var detail = problem?.Detail is { Length: > 0 } d ? ": " + d : "";
            throw new PublicDataException($"the public data platform refused {operation} with {status} ({title}){detail}", status);
        }
    }

    /// <summary>What failed under Refit's wrapper of request failures.</summary>
    private static Exception Cause(Exception exception) =>
        exception is Refit.ApiRequestException { InnerException: { } inner } ? inner : exception;

    private static async Task<WireProblem?> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<WireProblem>(Json, cancellationToken);
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException)
        {
            return null;
        }
    }

    private static List<IReadOnlyList<string>> Chunk(IReadOnlyCollection<string> enterpriseIds)
    {
        ArgumentNullException.ThrowIfNull(enterpriseIds);
        var distinct = new List<string>(enterpriseIds.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in enterpriseIds)
        {
            if (id is null)
            {
                throw new ArgumentException("enterprise ids must not be null", nameof(enterpriseIds));
            }

            if (seen.Add(id))
            {
                distinct.Add(id);
            }
        }

        return [.. distinct.Chunk(MaxIdsPerRequest).Select(c => (IReadOnlyList<string>)c)];
    }

    private static ViolationRecord ToRecord(WireRecord? wire)
    {
        if (wire is not { RecordId: { Length: > 0 } recordId, EnterpriseId: { Length: > 0 } enterpriseId, PublishedAt: { } publishedAt })
        {
            throw Malformed("a violation record without recordId, enterpriseId or publishedAt");
        }

        var removed = wire.Status switch
        {
            "active" => false,
            "removed" => true,
            _ => throw Malformed($"record {recordId} has unknown status '{wire.Status}'"),
        };

        return new ViolationRecord(
            recordId,
            enterpriseId,
            wire.EnterpriseName ?? "",
            wire.Authority ?? "",
            wire.DocumentNumber,
            wire.Category ?? "other",
            wire.Summary ?? "",
            wire.PenaltyAmountCny,
            wire.IssuedOn,
            publishedAt,
            removed,
            removed ? wire.RemovedAt : null);
    }

    private static EntityDisclosures ToDisclosures(WireDisclosureItem? item)
    {
        if (item is not { EnterpriseId: { Length: > 0 } enterpriseId })
        {
            throw Malformed("a disclosure item without enterpriseId");
        }

        return new EntityDisclosures(enterpriseId, ToStatus(enterpriseId, item.Prtr), ToStatus(enterpriseId, item.Carbon));
    }

    private static DisclosureStatus ToStatus(string enterpriseId, WireDisclosure? wire) => wire?.Status switch
    {
        null or "none" => DisclosureStatus.None,
        "in_progress" => new DisclosureStatus(DisclosureState.InProgress, null),
        "completed" => new DisclosureStatus(DisclosureState.Completed, wire.CompletedAt),
        _ => throw Malformed($"enterprise {enterpriseId} has unknown disclosure status '{wire.Status}'"),
    };

    private static PublicDataException Malformed(string what) => new($"the public data platform sent a malformed answer: {what}");

    /// <summary>Ids in first-seen order, each once.</summary>
    private sealed class OrderedSet
    {
        private readonly HashSet<string> seen = new(StringComparer.Ordinal);
        private readonly List<string> items = [];

        public IReadOnlyList<string> Items => items;

        public void AddRange(IEnumerable<string>? ids)
        {
            foreach (var id in ids ?? [])
            {
                if (seen.Add(id))
                {
                    items.Add(id);
                }
            }
        }
    }
}
