using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Modules.Processing.Video;
using FaceBlur.Web.Upload;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace FaceBlur.Web.Api;

/// <summary><c>/health</c>, <c>/queue</c> and <c>/limits</c>.</summary>
public static class ServiceEndpoints
{
    public static IEndpointRouteBuilder MapServiceEndpoints(this IEndpointRouteBuilder service)
    {
        var app = service.MapGroup("").WithTags("Service");
        app.MapGet("/health", GetHealthAsync)
            .WithName("GetHealth")
            .WithSummary("Liveness plus the state of each dependency; 503 when one is down.")
            .Produces<Envelope<HealthData>>()
            .Produces<Envelope<HealthData>>(StatusCodes.Status503ServiceUnavailable);

        app.MapGet("/queue", GetQueueAsync)
            .WithName("GetQueue")
            .WithSummary("Queue depth, consumers and jobs in progress.")
            .Produces<Envelope<QueueData>>();

        app.MapGet("/limits", (IOptions<UploadOptions> upload, VideoOptions video) =>
            {
                var o = upload.Value;
                return TypedResults.Json(new Envelope<LimitsData>(
                    "ok",
                    "What uploads this server accepts.",
                    new LimitsData(o.ImageExtensions, o.VideoExtensions, o.MaxUploadMb, o.MaxUploadFiles, o.MaxVideoMb, video.MaxVideoSeconds, OptionFields.Modes, OptionFields.Shapes)));
            })
            .WithName("GetLimits")
            .WithSummary("What uploads the server accepts.")
            .Produces<Envelope<LimitsData>>();
        return service;
    }

    /// <summary>
    /// Runs the health checks every module registered (queue, result_store, stats_db, detector_model; each within 2 s)
    /// and answers them in the envelope: 200 when all are healthy, 503 naming the ones that are not.
    /// </summary>
    private static async Task<IResult> GetHealthAsync(HealthCheckService health, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(cancellationToken);
        var checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status == HealthStatus.Healthy ? "ok" : "down");
        var down = checks.Where(c => c.Value != "ok").Select(c => c.Key).ToList();
        return TypedResults.Json(
            new Envelope<HealthData>(
                down.Count == 0 ? "ok" : "error",
                down.Count == 0 ? "All systems go." : $"Unavailable: {string.Join(", ", down)}.",
                new HealthData(checks)),
            statusCode: down.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<IResult> GetQueueAsync(JobService jobs, CancellationToken cancellationToken)
    {
        // Available = a job could be accepted right now: both the queue and the store answer.
        var status = await jobs.GetQueueStatusAsync(cancellationToken);
        return TypedResults.Json(new Envelope<QueueData>(
            "ok",
            status.Available ? $"{status.Queued} job(s) waiting." : "The queue or the job store is not reachable right now.",
            new QueueData(status.Queued, status.Consumers, status.Processing, status.Available)));
    }

    public sealed record HealthData(IReadOnlyDictionary<string, string> Checks);

    public sealed record QueueData(long Queued, int Consumers, int Processing, bool Available);

    public sealed record LimitsData(
        IReadOnlyList<string> ImageExtensions,
        IReadOnlyList<string> VideoExtensions,
        double MaxUploadMb,
        int MaxUploadFiles,
        double MaxVideoMb,
        double MaxVideoSeconds,
        IReadOnlyList<string> Modes,
        IReadOnlyList<string> Shapes);
}
