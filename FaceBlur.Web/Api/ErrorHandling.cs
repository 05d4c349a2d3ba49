using FaceBlur.Modules.Processing.Jobs;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace FaceBlur.Web.Api;

/// <summary>
/// Every error the app answers uses the envelope: <see cref="ApiException"/>s from endpoints, the framework's own
/// 400/404/405/413 (status codes without a body), dependencies that are down (503) and anything unexpected (500,
/// logged, no stack trace or path in the body).
/// </summary>
public static partial class ErrorHandling
{
    public static IServiceCollection AddApiErrorHandling(this IServiceCollection services)
    {
        services.AddExceptionHandler<EnvelopeExceptionHandler>();
        services.AddProblemDetails();
        return services;
    }

    public static WebApplication UseApiErrorHandling(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            if (http.Response.HasStarted || http.Response.ContentLength > 0 || http.Response.ContentType is not null)
            {
                return;
            }

            var (code, message) = http.Response.StatusCode switch
            {
                StatusCodes.Status404NotFound => (ApiErrors.NotFound, "There is nothing at this address."),
                StatusCodes.Status405MethodNotAllowed => (ApiErrors.MethodNotAllowed, "This method is not allowed here."),
                StatusCodes.Status413PayloadTooLarge => (ApiErrors.PayloadTooLarge, "The request body is too large."),
                StatusCodes.Status415UnsupportedMediaType => (ApiErrors.UnsupportedMediaType, "This content type is not supported."),
                StatusCodes.Status429TooManyRequests => (ApiErrors.RateLimited, "Too many requests."),
                >= 500 => (ApiErrors.InternalError, "Something went wrong on our side."),
                _ => (ApiErrors.ValidationError, "The request is not valid."),
            };
            // The framework's status stands (e.g. 405, or 400 for a request it could not read); only the body is ours.
            http.Items[ApiErrors.CodeItemKey] = code;
            await http.Response.WriteAsJsonAsync(new ErrorEnvelope(code, message, new Dictionary<string, object?>()), http.RequestAborted);
        });
        return app;
    }

    private sealed partial class EnvelopeExceptionHandler(ILogger<EnvelopeExceptionHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            switch (exception)
            {
                case ApiException api:
                    await ApiErrors.WriteAsync(httpContext, api.Code, api.Message, api.Details);
                    return true;
                case BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge:
                    await WriteBodyLimitAsync(httpContext);
                    return true;
                case BadHttpRequestException:
                    await ApiErrors.WriteAsync(httpContext, ApiErrors.ValidationError, "The request could not be read.");
                    return true;
                case JobQueueUnavailableException or JobStoreUnavailableException:
                    LogDependencyDown(logger, exception.GetType().Name, exception.Message);
                    await ApiErrors.WriteAsync(httpContext, ApiErrors.ServiceUnavailable, "The service is temporarily unavailable; try again shortly.");
                    return true;
                case var storage when StorageUnavailableException.IsStorageFailure(storage):
                    LogDependencyDown(logger, "storage", exception.Message);
                    await ApiErrors.WriteAsync(httpContext, ApiErrors.ServiceUnavailable, "Storage is unavailable (full or not writable); try again later.", new Dictionary<string, object?> { ["dependency"] = "storage" });
                    return true;
                case OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested:
                    return true;
                case TimeoutException or OperationCanceledException:
                    // A wait that ran out while the client was still there: a dependency too slow to answer (the store
                    // and the queue report theirs as unavailable; this catches whatever reaches here some other way).
                    LogDependencyDown(logger, exception.GetType().Name, exception.Message);
                    await ApiErrors.WriteAsync(httpContext, ApiErrors.ServiceUnavailable, "The service is temporarily unavailable; try again shortly.");
                    return true;
                default:
                    LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
                    await ApiErrors.WriteAsync(httpContext, ApiErrors.InternalError, "Something went wrong on our side.");
                    return true;
            }
        }

        /// <summary>The server's own body limit (the endpoint's, set from the upload limits) named in the answer.</summary>
        private static Task WriteBodyLimitAsync(HttpContext httpContext)
        {
            if (httpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is not { } limit)
            {
                return ApiErrors.WriteAsync(httpContext, ApiErrors.PayloadTooLarge, "The request body is larger than this server accepts.");
            }

            return ApiErrors.WriteAsync(
                httpContext,
                ApiErrors.PayloadTooLarge,
                $"The request body is larger than this server accepts here ({limit / (1024 * 1024.0):0.#} MB).",
                new Dictionary<string, object?> { ["max_request_bytes"] = limit });
        }

        [LoggerMessage(Level = LogLevel.Warning, Message = "Dependency unavailable ({Kind}): {Reason}")]
        private static partial void LogDependencyDown(ILogger logger, string kind, string reason);

        [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
        private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
    }
}
