using System.Globalization;
using Microsoft.AspNetCore.Http.Features;

namespace FunctionsHost;

/// <summary>
/// The limits the Functions front end puts on a request before any function sees it, answered with problem details
/// (Kestrel's own refusals have an empty body, so Kestrel's limits are set above these and this middleware answers):
/// a URL (path and query) over <see cref="MaxUrlLength"/> characters is 414, request headers over
/// <see cref="MaxHeaderBytes"/> bytes 431, and a body over <see cref="MaxBodyBytes"/> bytes 413 — from
/// <c>Content-Length</c> before anything is read, and for a chunked body while it is read.
/// </summary>
internal sealed class HttpInputLimits
{
    /// <summary>The setting the real host reads its body limit from.</summary>
    public const string BodyLimitSetting = "FUNCTIONS_REQUEST_BODY_SIZE_LIMIT";

    /// <summary>The real host's default body limit (100 MB).</summary>
    public const long DefaultMaxBodyBytes = 104_857_600;

    /// <summary>The URL length the Functions front end allows (4 KB).</summary>
    public const int MaxUrlLength = 4096;

    /// <summary>Total request header bytes allowed (Kestrel's default).</summary>
    public const int MaxHeaderBytes = 32 * 1024;

    /// <summary>What Kestrel itself allows for the request line and headers: above the limits here, so they answer.</summary>
    public const int KestrelLineAndHeaderBytes = 256 * 1024;

    public HttpInputLimits(long maxBodyBytes) => MaxBodyBytes = maxBodyBytes;

    public long MaxBodyBytes { get; }

    /// <summary>The limits from <see cref="BodyLimitSetting"/> (bytes), else the default.</summary>
    public static HttpInputLimits From(AppSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var text = settings.Get(BodyLimitSetting);
        return new HttpInputLimits(
            text is not null && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit > 0 ? limit : DefaultMaxBodyBytes);
    }

    /// <summary>Answers an over-long URL or header set before routing; sets the body limit for the rest.</summary>
    public Task CheckAsync(HttpContext context, Func<Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var request = context.Request;
        var urlLength = request.Path.ToUriComponent().Length + request.QueryString.ToUriComponent().Length;
        if (urlLength > MaxUrlLength)
        {
            return ProblemAsync(context, StatusCodes.Status414UriTooLong, "URI too long", $"The URL (path and query) must be at most {MaxUrlLength:N0} characters; it has {urlLength:N0}.");
        }

        var headerBytes = request.Headers.Sum(h => h.Key.Length + 4 + h.Value.Sum(v => v?.Length ?? 0));
        if (headerBytes > MaxHeaderBytes)
        {
            return ProblemAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, "Request header fields too large", $"The request headers must be at most {MaxHeaderBytes:N0} bytes in all.");
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return TooLargeAsync(context);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = MaxBodyBytes;
        }

        return next();
    }

    public Task TooLargeAsync(HttpContext context) =>
        ProblemAsync(context, StatusCodes.Status413PayloadTooLarge, "Payload too large", $"The request body must be at most {MaxBodyBytes:N0} bytes.");

    private static Task ProblemAsync(HttpContext context, int status, string title, string detail)
    {
        // The body of a refused request is not read: the connection cannot be reused.
        context.Response.Headers.Connection = "close";
        return Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);
    }
}
