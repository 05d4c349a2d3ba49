namespace FaceBlur.Web.Api;

/// <summary>The SPEC's error codes with their HTTP status, and helpers that answer them in the error envelope.</summary>
public static class ApiErrors
{
    public const string ValidationError = "validation_error";
    public const string PayloadTooLarge = "payload_too_large";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string MediaTooLong = "media_too_long";
    public const string MediaTooLarge = "media_too_large";
    public const string RateLimited = "rate_limited";
    public const string TaskNotFound = "task_not_found";
    public const string ResultGone = "result_gone";
    public const string TaskFailed = "task_failed";
    public const string ServiceUnavailable = "service_unavailable";
    public const string InternalError = "internal_error";
    public const string NotFound = "not_found";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string Unauthorized = "unauthorized";

    /// <summary>Where the code of the error answered is left in <see cref="HttpContext.Items"/> (for metrics).</summary>
    public const string CodeItemKey = "faceblur.error_code";

    public static int StatusOf(string code) => code switch
    {
        ValidationError or MediaTooLong or MediaTooLarge => StatusCodes.Status400BadRequest,
        PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        RateLimited => StatusCodes.Status429TooManyRequests,
        TaskNotFound or NotFound => StatusCodes.Status404NotFound,
        MethodNotAllowed => StatusCodes.Status405MethodNotAllowed,
        Unauthorized => StatusCodes.Status401Unauthorized,
        ResultGone => StatusCodes.Status410Gone,
        TaskFailed => StatusCodes.Status422UnprocessableEntity,
        ServiceUnavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>Every code the app answers, for the API document.</summary>
    public static readonly string[] All =
    [
        ValidationError, PayloadTooLarge, UnsupportedMediaType, MediaTooLong, MediaTooLarge, RateLimited, TaskNotFound, ResultGone,
        TaskFailed, ServiceUnavailable, InternalError, NotFound, MethodNotAllowed, Unauthorized,
    ];

    /// <summary>The codes answered with <paramref name="status"/>.</summary>
    public static IReadOnlyList<string> CodesFor(int status) => [.. All.Where(code => StatusOf(code) == status)];

    /// <summary>The code answered with a status when nothing more precise is known.</summary>
    public static string CodeOf(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => PayloadTooLarge,
        StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType,
        StatusCodes.Status429TooManyRequests => RateLimited,
        StatusCodes.Status404NotFound => NotFound,
        StatusCodes.Status405MethodNotAllowed => MethodNotAllowed,
        StatusCodes.Status503ServiceUnavailable => ServiceUnavailable,
        >= 500 => InternalError,
        _ => ValidationError,
    };

    /// <summary>An error envelope as an endpoint result.</summary>
    public static IResult Result(string code, string message, IReadOnlyDictionary<string, object?>? details = null) =>
        TypedResults.Json(new ErrorEnvelope(code, message, details ?? Empty), statusCode: StatusOf(code));

    /// <summary>Writes an error envelope on a response that has not started (middleware, limiter callbacks).</summary>
    public static Task WriteAsync(HttpContext context, string code, string message, IReadOnlyDictionary<string, object?>? details = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = StatusOf(code);
        context.Items[CodeItemKey] = code;
        return context.Response.WriteAsJsonAsync(new ErrorEnvelope(code, message, details ?? Empty), context.RequestAborted);
    }

    private static readonly IReadOnlyDictionary<string, object?> Empty = new Dictionary<string, object?>();
}

/// <summary>Thrown where an endpoint refuses a request deep inside a helper; answered as its error envelope.</summary>
public sealed class ApiException(string code, string message, IReadOnlyDictionary<string, object?>? details = null) : Exception(message)
{
    public string Code { get; } = code;

    public IReadOnlyDictionary<string, object?> Details { get; } = details ?? new Dictionary<string, object?>();
}
