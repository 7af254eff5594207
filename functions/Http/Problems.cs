using Microsoft.AspNetCore.Http;

namespace DisclosurePipeline.Functions.Http;

/// <summary>application/problem+json answers, the one error shape of the API, built here and nowhere else.</summary>
internal static class Problems
{
    public static IResult Result(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: TypeFor(status));

    public static IResult Validation(IDictionary<string, string[]> errors, string detail = "The request has invalid fields.") =>
        TypedResults.ValidationProblem(errors, detail: detail, title: "Invalid request", type: TypeFor(400));

    /// <summary>401, with <c>WWW-Authenticate: Bearer</c> set on <paramref name="response"/>.</summary>
    public static IResult Unauthorized(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.WWWAuthenticate = BearerKeyAuthenticator.Scheme;
        return Result(StatusCodes.Status401Unauthorized, "Unauthorized", "Send 'Authorization: Bearer <key>' with a staff, analyst or supplier key.");
    }

    public static IResult Forbidden(string detail = "This key's role may not call this endpoint.") =>
        Result(StatusCodes.Status403Forbidden, "Forbidden", detail);

    public static IResult NotFound(string detail) => Result(StatusCodes.Status404NotFound, "Not found", detail);

    public static IResult Conflict(string detail) => Result(StatusCodes.Status409Conflict, "Conflict", detail);

    public static IResult TooLarge(long limit) =>
        Result(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"The body must be at most {limit:N0} bytes.");

    public static IResult UnsupportedMediaType(string expected) =>
        Result(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"Send the body as {expected}.");

    /// <summary>503, with <c>Retry-After</c> (whole seconds) set on <paramref name="response"/>.</summary>
    public static IResult Unavailable(HttpResponse response, TimeSpan retryAfter, string detail = "The service's storage cannot be reached right now. Try again later.")
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.RetryAfter = RetryAfterSeconds(retryAfter);
        return Result(StatusCodes.Status503ServiceUnavailable, "Service unavailable", detail);
    }

    /// <summary>429, with <c>Retry-After</c> (whole seconds) set on <paramref name="response"/>.</summary>
    public static IResult TooManyRequests(HttpResponse response, TimeSpan retryAfter, string detail)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.RetryAfter = RetryAfterSeconds(retryAfter);
        return Result(StatusCodes.Status429TooManyRequests, "Too many requests", detail);
    }

    public static IResult ServerError() =>
        Result(StatusCodes.Status500InternalServerError, "Internal server error", "The request failed; it has been logged.");

    private static string RetryAfterSeconds(TimeSpan delay) =>
        Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string TypeFor(int status) => $"https://httpstatuses.io/{status}";
}
