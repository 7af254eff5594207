using Microsoft.AspNetCore.Http;

namespace DisclosurePipeline.Functions.Http;

/// <summary>Reads a request body up to a limit, so an oversized upload is refused with 413 rather than buffered.</summary>
internal static class BoundedBody
{
    /// <summary>The body in memory, or null when it is longer than <paramref name="limit"/> bytes.</summary>
    public static async Task<MemoryStream?> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > limit)
        {
            return null;
        }

        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                await buffer.DisposeAsync();
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        buffer.Position = 0;
        return buffer;
    }

    /// <summary>
    /// True for a JSON body: <c>application/json</c> or any <c>+json</c> type, with no charset or <c>charset=utf-8</c>
    /// (JSON is UTF-8; a body declared in another charset is refused rather than misread).
    /// </summary>
    public static bool HasJsonMediaType(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var type))
        {
            return false;
        }

        var json = type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (type.MediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
        return json && (!type.Charset.HasValue || type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>True when the request's media type (parameters ignored) is one of <paramref name="accepted"/>.</summary>
    public static bool HasMediaType(HttpRequest request, params string[] accepted)
    {
        ArgumentNullException.ThrowIfNull(request);
        var contentType = request.ContentType;
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var mediaType = contentType.Split(';', 2)[0].Trim();
        return accepted.Any(a => string.Equals(a, mediaType, StringComparison.OrdinalIgnoreCase));
    }
}
