using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Modules.Stats;
using FaceBlur.Web.Upload;
using Microsoft.Extensions.Options;

namespace FaceBlur.Web.Api;

/// <summary><c>/health</c>, <c>/queue</c> and <c>/limits</c>.</summary>
public static class ServiceEndpoints
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(2);

    public static IEndpointRouteBuilder MapServiceEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", GetHealthAsync)
            .WithName("GetHealth")
            .WithSummary("Liveness plus the state of each dependency; 503 when one is down.")
            .Produces<Envelope<HealthData>>()
            .Produces<Envelope<HealthData>>(StatusCodes.Status503ServiceUnavailable);

        app.MapGet("/queue", GetQueueAsync)
            .WithName("GetQueue")
            .WithSummary("Queue depth, consumers and jobs in progress.")
            .Produces<Envelope<QueueData>>();

        app.MapGet("/limits", (IOptions<UploadOptions> upload) =>
            {
                var o = upload.Value;
                return TypedResults.Json(new Envelope<LimitsData>(
                    "ok",
                    "What uploads this server accepts.",
                    new LimitsData(o.ImageExtensions, o.VideoExtensions, o.MaxUploadMb, o.MaxUploadFiles, o.MaxVideoMb, o.MaxVideoSeconds, OptionFields.Modes, OptionFields.Shapes)));
            })
            .WithName("GetLimits")
            .WithSummary("What uploads the server accepts.")
            .Produces<Envelope<LimitsData>>();
        return app;
    }

    private static async Task<IResult> GetHealthAsync(IJobQueue queue, IJobStore store, StatsService stats, IServiceProvider services, CancellationToken cancellationToken)
    {
        var queueOk = PingAsync(queue.PingAsync, cancellationToken);
        var storeOk = PingAsync(store.PingAsync, cancellationToken);
        var statsOk = PingAsync(stats.PingAsync, cancellationToken);
        var checks = new Dictionary<string, string>
        {
            ["queue"] = await queueOk ? "ok" : "down",
            ["result_store"] = await storeOk ? "ok" : "down",
            ["stats_db"] = await statsOk ? "ok" : "down",
            ["detector_model"] = services.GetService<IFaceDetector>() is null ? "down" : "ok",
        };
        var healthy = checks.Values.All(v => v == "ok");
        var down = checks.Where(c => c.Value != "ok").Select(c => c.Key).ToList();
        return TypedResults.Json(
            new Envelope<HealthData>(
                healthy ? "ok" : "error",
                healthy ? "All systems go." : $"Unavailable: {string.Join(", ", down)}.",
                new HealthData(checks)),
            statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
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

    private static async Task<bool> PingAsync(Func<CancellationToken, Task<bool>> ping, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            return await ping(timeout.Token);
        }
        catch (Exception ex) when (ex is JobQueueUnavailableException or JobStoreUnavailableException or OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return false;
        }
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
