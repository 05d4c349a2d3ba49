using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Modules.Stats;
using FaceBlur.Web.Upload;
using OpenTelemetry.Metrics;

namespace FaceBlur.Web.Monitoring;

/// <summary>
/// Metrics with OpenTelemetry, exported for Prometheus at <c>/metrics</c>: ASP.NET Core's HTTP server metrics, the
/// .NET runtime's, and the service's own meter (every module records on <see cref="JobMetrics.MeterName"/>).
/// Also connects the job worker to the stats: results produced are counted through <see cref="StatsJobObserver"/>.
/// </summary>
public static class MonitoringExtensions
{
    public static IServiceCollection AddMonitoring(this IServiceCollection services)
    {
        services.AddMetricsToken();
        services.AddSingleton<UploadMetrics>();
        services.AddSingleton<IJobObserver, StatsJobObserver>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddMeter(JobMetrics.MeterName, StatsMetrics.MeterName)
            // No response cache: a scrape shows what happened up to that moment.
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        return services;
    }

    public static IEndpointRouteBuilder MapMonitoring(this IEndpointRouteBuilder app)
    {
        // Prometheus text exposition (not described in the OpenAPI document: it is not a JSON API), behind METRICS_TOKEN.
        app.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null, MetricsToken.RequireMetricsToken, optionsName: null);
        return app;
    }
}

/// <summary>Counts produced results in the stats: images and faces, or one video with its duration.</summary>
internal sealed class StatsJobObserver(StatsService stats) : IJobObserver
{
    public async Task OnJobEndedAsync(JobEnded ended, CancellationToken cancellationToken)
    {
        if (!ended.Succeeded)
        {
            return;
        }

        var increment = ended.Kind == JobKind.Images
            ? new StatsIncrement(Images: ended.Files, Faces: ended.Faces)
            : new StatsIncrement(Videos: 1, VideoSeconds: ended.VideoSeconds, Faces: ended.Faces);
        await stats.TryIncrementAsync(increment, cancellationToken);
    }
}
