using System.Security.Cryptography;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace FaceBlur.Modules.Stats;

public static class StatsEndpoints
{
    /// <summary>
    /// Maps <c>GET /stats</c>: the counters, and the visitor cookie for a browser that has none (it is counted then,
    /// once; a returning visitor sends the cookie back and is not counted again).
    /// </summary>
    public static IEndpointRouteBuilder MapStats(this IEndpointRouteBuilder app)
    {
        app.MapGet("/stats", GetStatsAsync)
            .WithTags("Stats")
            .WithName("GetStats")
            .WithSummary("Vanity stats; sets the visitor cookie when absent.")
            .Produces<StatsEnvelope>()
            .Produces<StatsErrorEnvelope>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<IResult> GetStatsAsync(HttpContext context, StatsService stats, IOptions<StatsOptions> options, CancellationToken cancellationToken)
    {
        var o = options.Value;
        context.Response.Headers.CacheControl = "no-store";
        if (!VisitorId.IsValid(context.Request.Cookies[o.VisitorCookieName])
            && await stats.TryIncrementAsync(new StatsIncrement(Visitors: 1), CancellationToken.None))
        {
            // Issued only once counted, so a visitor missed while the database was down is counted on a later visit.
            context.Response.Cookies.Append(o.VisitorCookieName, VisitorId.New(), new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Lax,
                Secure = context.Request.IsHttps,
                MaxAge = TimeSpan.FromDays(o.VisitorCookieMaxAgeDays),
                Path = "/",
                IsEssential = true,
            });
        }

        StatsSnapshot s;
        try
        {
            s = await stats.ReadAsync(cancellationToken);
        }
        catch (StatsUnavailableException ex)
        {
            return Results.Json(
                new StatsErrorEnvelope("service_unavailable", ex.Message, new Dictionary<string, object?>()),
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return Results.Json(new StatsEnvelope(
            "ok",
            "Totals since this server's stats began.",
            new StatsData(s.TotalRequests, s.TotalTasks, s.TotalImages, s.TotalVideos, Math.Round(s.TotalVideoSeconds, 3), s.TotalFaces, s.TotalVisitors)));
    }

    public sealed record StatsEnvelope(
        [property: JsonPropertyName("status")] string Status,
        [property: JsonPropertyName("message")] string Message,
        [property: JsonPropertyName("data")] StatsData Data);

    public sealed record StatsData(
        [property: JsonPropertyName("total_requests")] long TotalRequests,
        [property: JsonPropertyName("total_tasks")] long TotalTasks,
        [property: JsonPropertyName("total_images")] long TotalImages,
        [property: JsonPropertyName("total_videos")] long TotalVideos,
        [property: JsonPropertyName("total_video_seconds")] double TotalVideoSeconds,
        [property: JsonPropertyName("total_faces")] long TotalFaces,
        [property: JsonPropertyName("total_visitors")] long TotalVisitors);

    /// <summary>The SPEC's error envelope (this module does not see the host's types).</summary>
    public sealed record StatsErrorEnvelope(
        [property: JsonPropertyName("code")] string Code,
        [property: JsonPropertyName("message")] string Message,
        [property: JsonPropertyName("details")] IReadOnlyDictionary<string, object?> Details,
        [property: JsonPropertyName("status")] string Status = "error");
}

/// <summary>Visitor cookie values: 128 random bits as 32 lower-case hex digits; anything else counts as no cookie.</summary>
internal static class VisitorId
{
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static bool IsValid(string? value) => value is { Length: 32 } && value.All(char.IsAsciiHexDigitLower);
}
