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
