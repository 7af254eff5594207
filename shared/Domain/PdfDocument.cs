namespace DisclosurePipeline.Domain;

/// <summary>
/// The check a plan document passes before it is stored. A PDF starts with <c>%PDF-</c> and a version
/// (<c>%PDF-1.7</c>, <c>%PDF-2.0</c>), ends with <c>%%EOF</c> within its last <see cref="TailBytes"/> bytes (readers allow
/// trailing bytes after it, so the rule does too), and holds no HTML markup in its first <see cref="HeadBytes"/> bytes
/// (<c>&lt;html</c>, <c>&lt;!doctype</c>, <c>&lt;head</c>, <c>&lt;body</c>, <c>&lt;script</c>, <c>&lt;iframe</c>, <c>&lt;svg</c>,
/// in any case). A document failing any of these is evidently something else dressed as a PDF.
/// </summary>
public static class PdfDocument
{
    /// <summary>How far from the end <c>%%EOF</c> may be.</summary>
    public const int TailBytes = 1024;

    /// <summary>How much of the start is searched for HTML markup.</summary>
    public const int HeadBytes = 1024;

    private static readonly string[] HtmlMarkers = ["<html", "<!doctype", "<head", "<body", "<script", "<iframe", "<svg"];

    /// <summary>Why <paramref name="document"/> is not a PDF, or null when it passes.</summary>
    public static string? Check(ReadOnlySpan<byte> document)
    {
        if (document.Length < 8 || !document.StartsWith("%PDF-"u8) || !char.IsAsciiDigit((char)document[5]) || document[6] != '.' || !char.IsAsciiDigit((char)document[7]))
        {
            return "The document must be a PDF: it must start with %PDF- and a version such as %PDF-1.7.";
        }

        var tail = document[Math.Max(0, document.Length - TailBytes)..];
        if (tail.IndexOf("%%EOF"u8) < 0)
        {
            return "The document is not a complete PDF: it must end with %%EOF (is the file truncated?).";
        }

        var head = System.Text.Encoding.Latin1.GetString(document[..Math.Min(document.Length, HeadBytes)]);
        if (HtmlMarkers.FirstOrDefault(m => head.Contains(m, StringComparison.OrdinalIgnoreCase)) is { } marker)
        {
            return $"The document is not a PDF: it holds HTML markup ({marker}…) after its %PDF- header.";
        }

        return null;
    }
}
