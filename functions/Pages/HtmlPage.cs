using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace DisclosurePipeline.Functions.Pages;

/// <summary>
/// A self-contained page embedded in the assembly, with the headers it is served with. Its one inline
/// <c>&lt;script&gt;</c> and <c>&lt;style&gt;</c> are allowed by their SHA-256 hashes, computed here from the file
/// itself, so the policy needs neither <c>'unsafe-inline'</c> nor a nonce, and nothing but this origin's
/// <c>/api</c> can be reached. <c>frame-ancestors</c> only works as a header (a meta policy cannot carry it).
/// </summary>
internal sealed partial class HtmlPage
{
    private HtmlPage(byte[] body, string contentSecurityPolicy)
    {
        Body = body;
        ContentSecurityPolicy = contentSecurityPolicy;
    }

    /// <summary>The page, UTF-8.</summary>
    public byte[] Body { get; }

    /// <summary>The <c>Content-Security-Policy</c> header value.</summary>
    public string ContentSecurityPolicy { get; }

    /// <summary>Loads an embedded page and derives its policy; throws when the resource is missing.</summary>
    public static HtmlPage Load(string resourceName)
    {
        using var stream = typeof(HtmlPage).Assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"embedded resource {resourceName} is missing");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var body = copy.ToArray();
        var html = Encoding.UTF8.GetString(body);
        return new HtmlPage(body, PolicyFor(html));
    }

    /// <summary>The policy for <paramref name="html"/>: its inline scripts and styles by hash, fetches to this origin only.</summary>
    public static string PolicyFor(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        var markup = Comment().Replace(html, "");
        var scripts = Hashes(ScriptElement().Matches(markup));
        var styles = Hashes(StyleElement().Matches(markup));
        return "default-src 'none'; "
            + $"script-src {(scripts.Length > 0 ? scripts : "'none'")}; "
            + $"style-src {(styles.Length > 0 ? styles : "'none'")}; "
            + "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    /// <summary>Writes the page with its headers: the policy, no sniffing, no caching, no referrer.</summary>
    public IResult Serve(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "no-referrer";
        return TypedResults.Bytes(Body, "text/html; charset=utf-8");
    }

    private static string Hashes(MatchCollection elements) => string.Join(
        ' ',
        elements.Select(m => "'sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(m.Groups[1].Value))) + "'").Distinct(StringComparer.Ordinal));

    [GeneratedRegex("<!--.*?-->", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex Comment();

    [GeneratedRegex("<script>(.*?)</script>", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex ScriptElement();

    [GeneratedRegex("<style>(.*?)</style>", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex StyleElement();
}
