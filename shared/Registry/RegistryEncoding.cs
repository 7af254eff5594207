using System.Text.Unicode;

namespace DisclosurePipeline.Registry;

/// <summary>
/// The registry CSV must be UTF-8 (a UTF-8 byte order mark is fine). A file in UTF-16 or UTF-32 (a byte order mark
/// for one, or NUL bytes, which UTF-8 text never holds) is refused as <see cref="RegistryEncodingException.Unsupported"/>;
/// a file with bytes that are not UTF-8 (saved in GBK, Latin-1, …) is refused naming the record and byte where it
/// fails. Nothing is imported from such a file: decoding it leniently would store garbled names.
/// </summary>
public static class RegistryEncoding
{
    /// <summary>What every refusal tells the person to do.</summary>
    public const string SaveAsUtf8 = "Save the file as UTF-8 (in Excel: Save As → \"CSV UTF-8 (Comma delimited)\") and import it again.";

    /// <summary>Checks the whole of <paramref name="csv"/> (a seekable stream; its position is restored).</summary>
    /// <exception cref="RegistryEncodingException">The file is not UTF-8.</exception>
    public static async Task ThrowIfNotUtf8Async(Stream csv, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(csv);
        if (csv is MemoryStream memory && memory.TryGetBuffer(out var buffer))
        {
            ThrowIfNotUtf8(buffer.AsSpan((int)memory.Position));
            return;
        }

        var start = csv.Position;
        using var copy = new MemoryStream();
        await csv.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
        csv.Position = start;
        ThrowIfNotUtf8(copy.GetBuffer().AsSpan(0, (int)copy.Length));
    }

    /// <summary>Checks <paramref name="csv"/>.</summary>
    /// <exception cref="RegistryEncodingException">The file is not UTF-8.</exception>
    public static void ThrowIfNotUtf8(ReadOnlySpan<byte> csv)
    {
        if (csv.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || csv.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])
            || csv.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]))
        {
            throw new RegistryEncodingException(true, "The file is UTF-16 or UTF-32 (it starts with that byte order mark), not UTF-8. " + SaveAsUtf8);
        }

        if (csv.IndexOf((byte)0) is var nul and >= 0)
        {
            throw new RegistryEncodingException(true, $"The file holds NUL bytes (the first at byte {nul + 1}, record {RecordAt(csv, nul)}): it is UTF-16, UTF-32 or not text, not UTF-8. " + SaveAsUtf8);
        }

        if (!Utf8.IsValid(csv))
        {
            var bad = FirstInvalidByte(csv);
            throw new RegistryEncodingException(false, $"The file is not UTF-8: byte {bad + 1} (record {RecordAt(csv, bad)}) is not part of a UTF-8 character (is it GBK or Latin-1?). " + SaveAsUtf8);
        }
    }

    private static int FirstInvalidByte(ReadOnlySpan<byte> csv)
    {
        var offset = 0;
        while (offset < csv.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(csv[offset..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return offset;
    }

    /// <summary>The 1-based record a byte is on, counting line breaks outside quoted fields (the header is 1).</summary>
    private static int RecordAt(ReadOnlySpan<byte> csv, int offset)
    {
        var record = 1;
        var quoted = false;
        for (var i = 0; i < offset && i < csv.Length; i++)
        {
            if (csv[i] == '"')
            {
                quoted = !quoted;
            }
            else if (csv[i] == '\n' && !quoted)
            {
                record++;
            }
        }

        return record;
    }
}

/// <summary>The registry CSV is not UTF-8: nothing is imported.</summary>
public sealed class RegistryEncodingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RegistryEncodingException()
    {
    }

    /// <summary>Creates the exception with a message for the caller.</summary>
    public RegistryEncodingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public RegistryEncodingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="unsupported">True for another encoding altogether (UTF-16, UTF-32): HTTP 415; false for broken UTF-8: 400.</param>
    /// <param name="message">What is wrong and what to do.</param>
    public RegistryEncodingException(bool unsupported, string message)
        : base(message) => Unsupported = unsupported;

    /// <summary>True when the file is in another encoding altogether (415), false when its UTF-8 is broken (400).</summary>
    public bool Unsupported { get; }
}
