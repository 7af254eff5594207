using System.Net.Mail;
using CsvHelper;
using DisclosurePipeline.Domain;
using DisclosurePipeline.Storage;

namespace DisclosurePipeline.Registry;

/// <summary>The outcome of a registry import (<c>PUT /api/suppliers</c>).</summary>
/// <param name="Created">Entities that were not in the registry.</param>
/// <param name="Updated">Entities whose registry fields changed.</param>
/// <param name="Unchanged">Entities whose registry fields were already as in the file (not written).</param>
/// <param name="Rejected">Rows that were not imported, in file order: the first <see cref="RegistryImport.MaxRejectedListed"/> of them.</param>
public sealed record RegistryImportResult(int Created, int Updated, int Unchanged, IReadOnlyList<RejectedRow> Rejected)
{
    /// <summary>Every row that was not imported; more than <see cref="Rejected"/> lists when the file has many bad rows.</summary>
    public int RejectedTotal { get; init; } = Rejected?.Count ?? 0;

    /// <summary>
    /// The imported entities that need a sync now: those the import created, and active ones in the file that were never
    /// synced. The registry fields do not change what a sync fetches, so an update alone needs none.
    /// </summary>
    public IReadOnlyList<string> SyncNeeded { get; init; } = [];
}

/// <summary>A row that was not imported.</summary>
/// <param name="Line">The 1-based record number, the header being 1 (a quoted field holding a line break is still one record).</param>
/// <param name="Id">The row's <c>id</c> field as written, or null when it is empty.</param>
/// <param name="Error">Why the row was rejected (all of its problems, separated by <c>; </c>).</param>
public sealed record RejectedRow(int Line, string? Id, string Error);

/// <summary>The file as a whole cannot be imported (no header row, required columns missing or repeated): a 400.</summary>
public sealed class RegistryFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RegistryFormatException()
    {
    }

    /// <summary>Creates the exception with a message for the caller.</summary>
    public RegistryFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public RegistryFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Imports the registry from CSV (UTF-8, header row required, columns in any order:
/// <c>id, name, kind, tier, region, contactEmail</c>): upsert by id, rows not in the file left alone,
/// one bad row does not fail the file. Values are taken as written: nothing is trimmed or case-folded
/// (an id with spaces around it, or in lower case, is a rejected row; names and regions are kept byte for byte).
/// Header names match ignoring case and surrounding spaces; other columns are ignored. Only created and changed entities
/// are written, so importing the same file again writes nothing. An optional column the file does not have leaves the
/// stored value of existing entities alone; a present column with an empty cell clears it.
/// </summary>
public sealed class RegistryImport(IEntityStore entities)
{
    private static readonly string[] RequiredColumns = ["id", "name", "kind"];
    private static readonly string[] OptionalColumns = ["tier", "region", "contactEmail"];

    /// <summary>The most rejected rows an import lists with their line and error; the rest are only counted.</summary>
    public const int MaxRejectedListed = 100;

    /// <summary>The longest name, region or address accepted (a table column holds at most 32K characters).</summary>
    private const int MaxTextLength = 4000;

    /// <summary>Reads <paramref name="csv"/> (streamed, not buffered whole), validates every row and writes what changed.</summary>
    /// <param name="csv">The CSV body; left open.</param>
    /// <param name="cancellationToken">Cancels reading and writing.</param>
    /// <exception cref="RegistryFormatException">The file has no header row, or misses or repeats a column.</exception>
    public async Task<RegistryImportResult> ImportAsync(Stream csv, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(csv);
        await RegistryEncoding.ThrowIfNotUtf8Async(csv, cancellationToken).ConfigureAwait(false);
        var parsed = await ParseAsync(csv, cancellationToken).ConfigureAwait(false);

        var existing = (await entities.ListAsync(cancellationToken).ConfigureAwait(false))
            .ToDictionary(e => e.Id, StringComparer.Ordinal);
        var toWrite = new List<RegisteredEntity>();
        var syncNeeded = new List<string>();
        int created = 0, updated = 0, unchanged = 0;
        foreach (var row in parsed.Accepted)
        {
            var entity = row;
            if (existing.TryGetValue(row.Id, out var stored))
            {
                // An optional column the file does not have is not given: the stored value stays. (A column that
                // is there with an empty cell does clear it.)
                entity = row with
                {
                    Tier = parsed.Columns.Contains("tier") ? row.Tier : stored.Tier,
                    Region = parsed.Columns.Contains("region") ? row.Region : stored.Region,
                    ContactEmail = parsed.Columns.Contains("contactEmail") ? row.ContactEmail : stored.ContactEmail,
                };
            }

            if (!existing.TryGetValue(entity.Id, out var current))
            {
                created++;
                toWrite.Add(entity);
                syncNeeded.Add(entity.Id);
                continue;
            }

            if (current is { Active: true, LastSyncedAt: null })
            {
                syncNeeded.Add(entity.Id);
            }

            if (!current.SameRegistryFields(entity))
            {
                updated++;
                toWrite.Add(entity);
            }
            else
            {
                unchanged++;
            }
        }

        await entities.SaveRegistryFieldsAsync(toWrite, cancellationToken).ConfigureAwait(false);
        return new RegistryImportResult(created, updated, unchanged, parsed.Rejected) { RejectedTotal = parsed.RejectedTotal, SyncNeeded = syncNeeded };
    }

    /// <summary>Parses and validates the file without touching the store.</summary>
    internal static async Task<(IReadOnlyList<RegisteredEntity> Accepted, IReadOnlyList<RejectedRow> Rejected, int RejectedTotal, IReadOnlySet<string> Columns)> ParseAsync(Stream csv, CancellationToken cancellationToken)
    {
        var malformed = new Dictionary<long, CsvMalformedReason>();
        var options = new CsvReaderOptions
        {
            Separator = ',',
            DetectSeparatorHint = false,
            HasHeader = true,
            AllowLineBreaksInQuotes = true,
            TrimWhitespace = false,
            MalformedData = CsvMalformedDataHandling.Recover,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            OnMalformedRecord = m => malformed.TryAdd(m.RecordNumber, m.Reason),
        };

        await using var reader = CsvReader.Create(csv, options, leaveOpen: true);
        await reader.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
        var columns = MapColumns(reader.Headers);

        var accepted = new List<RegisteredEntity>();
        var rejected = new List<RejectedRow>();
        var rejectedTotal = 0;
        var firstLineOfId = new Dictionary<string, int>(StringComparer.Ordinal);
        var errors = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var line = checked((int)reader.RowNumber + 1);
            errors.Clear();
            string Field(string column) => columns.TryGetValue(column, out var i) && i < reader.FieldCount ? reader.GetString(i) : "";

            if (malformed.Remove(line, out var reason))
            {
                errors.Add(Describe(reason));
            }

            if (reader.FieldCount != reader.Headers.Count)
            {
                errors.Add($"the row has {reader.FieldCount} fields but the header has {reader.Headers.Count} (quote fields that contain commas)");
            }

            var id = Field("id");
            if (ValidateId(id) is { } idError)
            {
                errors.Add(idError);
            }
            else if (firstLineOfId.TryGetValue(id, out var firstLine))
            {
                errors.Add($"id appears again (first on line {firstLine}); each id may appear once per file");
            }
            else
            {
                firstLineOfId[id] = line;
            }

            var name = Field("name");
            if (string.IsNullOrWhiteSpace(name))
            {
                errors.Add("name is required");
            }

            var kindText = Field("kind");
            EntityKind? kind = kindText switch
            {
                "subsidiary" => EntityKind.Subsidiary,
                "supplier" => EntityKind.Supplier,
                _ => null,
            };
            if (kind is null)
            {
                errors.Add(kindText.Length == 0 ? "kind is required (subsidiary or supplier)" : $"kind must be 'subsidiary' or 'supplier', not '{kindText}'");
            }

            var tierText = Field("tier");
            int? tier = tierText switch
            {
                "" or "1" => 1,
                "2" => 2,
                _ => null,
            };
            if (tier is null)
            {
                errors.Add($"tier must be 1 or 2 (or empty for 1), not '{tierText}'");
            }

            var region = Field("region");
            var email = Field("contactEmail");
            foreach (var (column, value) in new[] { ("name", name), ("region", region), ("contactEmail", email) })
            {
                if (value.Length > MaxTextLength)
                {
                    errors.Add($"{column} is longer than {MaxTextLength} characters");
                }

                var inText = column != "contactEmail";
                if (FirstControlCharacter(value, allowLineBreaks: inText) is { } control)
                {
                    errors.Add(inText
                        ? $"{column} holds the control character U+{(int)control.Character:X4} at position {control.Position + 1} (only line breaks and tabs are allowed); remove it"
                        : $"{column} holds the control character U+{(int)control.Character:X4} at position {control.Position + 1}; remove it");
                }
            }

            if (email.Length > 0 && !IsPlainAddress(email))
            {
                errors.Add($"contactEmail '{email}' is not an e-mail address");
            }

            if (errors.Count > 0)
            {
                rejectedTotal++;
                if (rejected.Count < MaxRejectedListed)
                {
                    rejected.Add(new RejectedRow(line, id.Length == 0 ? null : id, string.Join("; ", errors)));
                }

                continue;
            }

            accepted.Add(new RegisteredEntity(id, name, kind!.Value, tier!.Value, region.Length == 0 ? null : region, email.Length == 0 ? null : email));
        }

        return (accepted, rejected, rejectedTotal, columns.Keys.ToHashSet(StringComparer.Ordinal));
    }

    private static (char Character, int Position)? FirstControlCharacter(string value, bool allowLineBreaks)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsControl(value[i]) && !(allowLineBreaks && value[i] is '\n' or '\r' or '\t'))
            {
                return (value[i], i);
            }
        }

        return null;
    }

    private static Dictionary<string, int> MapColumns(IReadOnlyList<string> headers)
    {
        if (headers.Count == 0)
        {
            throw new RegistryFormatException("the file is empty: a header row is required (id,name,kind[,tier,region,contactEmail])");
        }

        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var column in RequiredColumns.Concat(OptionalColumns))
        {
            // Names match ignoring case and surrounding spaces; two columns that both match are ambiguous.
            var matches = Enumerable.Range(0, headers.Count)
                .Where(i => string.Equals(headers[i].Trim(), column, StringComparison.OrdinalIgnoreCase))
                .ToList();

            if (matches.Count > 1)
            {
                throw new RegistryFormatException($"the header names column '{column}' {matches.Count} times; each column may appear once");
            }

            if (matches.Count == 1)
            {
                columns[column] = matches[0];
            }
            else if (RequiredColumns.Contains(column))
            {
                missing.Add(column);
            }
        }

        if (missing.Count > 0)
        {
            throw new RegistryFormatException(
                $"the header row lacks the required column{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Select(m => $"'{m}'"))} (found: {string.Join(", ", headers)})");
        }

        return columns;
    }

    private static string? ValidateId(string id)
    {
        if (id.Length == 0)
        {
            return "id is required";
        }

        if (id.Trim().Length != id.Length)
        {
            return "id has spaces around it (ids are taken as written)";
        }

        if (Uscc.TryValidate(id, out var error))
        {
            return null;
        }

        return Uscc.IsValid(id.ToUpperInvariant())
            ? "id must be written in upper case (ids are taken as written, without case folding)"
            : error;
    }

    /// <summary>A bare address that <see cref="MailAddress"/> reads back unchanged (no display name, no comments).</summary>
    private static bool IsPlainAddress(string value) =>
        MailAddress.TryCreate(value, out var address) && address.Address == value && string.IsNullOrEmpty(address.DisplayName);

    private static string Describe(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.StrayQuote => "malformed CSV: a quote inside an unquoted field (quote the whole field and double the quote)",
        CsvMalformedReason.TextAfterClosingQuote => "malformed CSV: text after a closing quote (double a quote inside a quoted field)",
        CsvMalformedReason.UnterminatedQuote => "malformed CSV: a quoted field is never closed, so the rest of the file was read into it; close the quote and import again",
        _ => $"malformed CSV ({reason})",
    };
}
