using Microsoft.AspNetCore.Mvc;

namespace DisclosurePipeline.Functions.Http;

/// <summary>application/problem+json answers, the one error shape of the API.</summary>
internal static class Problems
{
    public static IResult Result(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: TypeFor(status));

    public static IResult Validation(IDictionary<string, string[]> errors, string detail = "The request has invalid fields.") =>
        TypedResults.ValidationProblem(errors, detail: detail, title: "Invalid request", type: TypeFor(400));

    public static IResult NotFound(string detail) => Result(StatusCodes.Status404NotFound, "Not found", detail);

    public static IResult Conflict(string detail) => Result(StatusCodes.Status409Conflict, "Conflict", detail);

    public static IResult TooLarge(long limit) =>
        Result(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"The body must be at most {limit:N0} bytes.");

    public static IResult UnsupportedMediaType(string expected) =>
        Result(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"Send the body as {expected}.");

    public static Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Type = TypeFor(status) };
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", context.RequestAborted);
    }

    private static string TypeFor(int status) => $"https://httpstatuses.io/{status}";
}

/// <summary>Reads a request body up to a limit, so an oversized upload is refused with 413 rather than buffered.</summary>
internal static class BoundedBody
{
    /// <summary>The body in memory, or null when it is longer than <paramref name="limit"/> bytes.</summary>
    public static async Task<MemoryStream?> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
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
        var contentType = request.ContentType;
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var mediaType = contentType.Split(';', 2)[0].Trim();
        return accepted.Any(a => string.Equals(a, mediaType, StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>Ids taken from a route, checked before they reach a table key.</summary>
internal static class RouteIds
{
    /// <summary>
    /// True when every one of <paramref name="values"/> could be a stored id: not empty, at most 512 characters, none of
    /// <c>/ \ # ?</c> or control characters (which no table key holds). Anything else cannot exist: 404.
    /// </summary>
    public static bool AreUsable(params string?[] values) =>
        values.All(v => !string.IsNullOrEmpty(v) && v.Length <= 512 && !v.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c)));
}
