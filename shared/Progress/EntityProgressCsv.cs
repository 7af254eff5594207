using System.Globalization;
using CsvHelper;

namespace DisclosurePipeline.Progress;

/// <summary>
/// Writes entity rows as the CSV of <c>GET /api/progress/entities?format=csv</c>: RFC 4180 (CRLF,
/// fields quoted when they hold a comma, quote or line break), UTF-8 with a byte order mark so that
/// Excel shows Chinese names, the contract's header row, timestamps in RFC 3339.
/// </summary>
/// <remarks>
/// A text field that starts like a spreadsheet formula (<c>= + - @</c>, tab, CR) is written with a
/// leading apostrophe (OWASP's advice against CSV injection): the file is meant to be opened in Excel,
/// and an entity name comes from an imported file.
/// </remarks>
public static class EntityProgressCsv
{
    /// <summary>The content type to serve the file with.</summary>
    public const string ContentType = "text/csv; charset=utf-8";

    /// <summary>The header row's columns, in order.</summary>
    public static IReadOnlyList<string> Columns { get; } =
        ["id", "name", "kind", "tier", "prtrStatus", "carbonStatus", "activeRecords", "overdueCases", "lastSyncedAt"];

    private static readonly CsvWriterOptions Options = CsvWriterOptions.Default with
    {
        WriteByteOrderMark = true,
        Injection = CsvInjection.Escape,
    };

    /// <summary>Writes the header and one record per row to <paramref name="destination"/>, which stays open.</summary>
    /// <param name="destination">Where the CSV goes, from its current position.</param>
    /// <param name="rows">The rows, enumerated once.</param>
    /// <param name="cancellationToken">Cancels writing.</param>
    public static async Task WriteCsvAsync(Stream destination, IEnumerable<EntityProgressRow> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(rows);

        await using var csv = CsvWriter.Create(destination, Options, leaveOpen: true);
        await csv.WriteRecordAsync([.. Columns], cancellationToken);
        foreach (var row in rows)
        {
            await csv.WriteRecordAsync(
                [
                    row.Id,
                    row.Name,
                    row.Kind,
                    row.Tier.ToString(CultureInfo.InvariantCulture),
                    row.PrtrStatus,
                    row.CarbonStatus,
                    row.ActiveRecords.ToString(CultureInfo.InvariantCulture),
                    row.OverdueCases.ToString(CultureInfo.InvariantCulture),
                    FormatTimestamp(row.LastSyncedAt),
                ],
                cancellationToken);
        }

        await csv.FlushAsync(cancellationToken);
    }

    /// <summary>RFC 3339 with the value's own offset and fractional seconds only when present; empty for null.</summary>
    public static string FormatTimestamp(DateTimeOffset? value) =>
        value is { } v ? v.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture) : "";
}
