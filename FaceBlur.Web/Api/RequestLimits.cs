using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace FaceBlur.Web.Api;

/// <summary>
/// The size limits of a request's line and headers, answered by the app (error envelope, security headers) rather than
/// by Kestrel, which answers its own limits before any middleware runs, with an empty body and none of the app's headers.
/// So the app enforces the usual limits (Kestrel's defaults: 8 KB request line, 32 KB of headers, 100 headers) and
/// Kestrel's own are raised above them; only a request beyond Kestrel's (and a request Kestrel cannot parse at all,
/// listed in the README) gets Kestrel's bare answer.
/// </summary>
public static class RequestLimits
{
    /// <summary>The longest request line (method, target, protocol) the app reads.</summary>
    public const int MaxRequestLineBytes = 8 * 1024;

    /// <summary>The most header bytes (names, values, separators) the app reads.</summary>
    public const int MaxHeaderBytes = 32 * 1024;

    public const int MaxHeaderCount = 100;

    /// <summary>Kestrel's limits, above the app's so that the app sees (and answers) what lies between.</summary>
    public static void ConfigureKestrel(KestrelServerOptions kestrel)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        kestrel.Limits.MaxRequestLineSize = 4 * MaxRequestLineBytes;
        kestrel.Limits.MaxRequestHeadersTotalSize = 4 * MaxHeaderBytes;
        kestrel.Limits.MaxRequestHeaderCount = 2 * MaxHeaderCount;
    }

    /// <summary>414 <c>uri_too_long</c> or 431 <c>headers_too_large</c> for a request over the app's limits.</summary>
    public static WebApplication UseRequestLimits(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use((context, next) =>
        {
            var request = context.Request;
            var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (request.Path + request.QueryString).ToString();
            if (request.Method.Length + target.Length + request.Protocol.Length + 4 > MaxRequestLineBytes)
            {
                return ApiErrors.WriteAsync(
                    context,
                    ApiErrors.UriTooLong,
                    $"The request line is longer than this server reads ({MaxRequestLineBytes / 1024} KB).",
                    new Dictionary<string, object?> { ["max_request_line_bytes"] = MaxRequestLineBytes });
            }

            var headerBytes = 0L;
            foreach (var (name, values) in request.Headers)
            {
                foreach (var value in values)
                {
                    headerBytes += name.Length + (value?.Length ?? 0) + 4; // "name: value\r\n"
                }
            }

            if (request.Headers.Count > MaxHeaderCount || headerBytes > MaxHeaderBytes)
            {
                return ApiErrors.WriteAsync(
                    context,
                    ApiErrors.HeadersTooLarge,
                    $"The request headers are larger than this server reads ({MaxHeaderBytes / 1024} KB, {MaxHeaderCount} headers).",
                    new Dictionary<string, object?> { ["max_header_bytes"] = MaxHeaderBytes, ["max_header_count"] = MaxHeaderCount });
            }

            return next(context);
        });
        return app;
    }
}
