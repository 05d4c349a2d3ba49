using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Images;
using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Modules.Processing.Video;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FaceBlur.Modules.Processing;

public static class ProcessingServiceCollectionExtensions
{
    /// <summary>The key of the detector video frames use (see <see cref="VideoAnonymizer.DetectorOptionsFor"/>).</summary>
    public const string VideoDetectorKey = "video";

    /// <summary>
    /// Registers the processing module: its core (<see cref="AddProcessingCore"/>) and the job layer
    /// (<see cref="JobsServiceCollectionExtensions.AddJobs"/>: job service, queue, store, worker).
    /// </summary>
    public static IServiceCollection AddProcessing(this IServiceCollection services, IConfiguration configuration) =>
        services.AddProcessingCore(configuration).AddJobs(configuration);

    /// <summary>
    /// Registers the media core without any job machinery (what the command line uses): settings (validated at start),
    /// the face detectors (loaded once, at start), the image and video pipelines. Relative paths in settings are
    /// resolved against the host's content root.
    /// </summary>
    public static IServiceCollection AddProcessingCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProcessingOptions>()
            .Bind(configuration)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<DetectorOptions>()
            .Bind(configuration)
            .PostConfigure<IHostEnvironment>((o, env) => o.BasePath = env.ContentRootPath)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddOptions<VideoOptions>()
            .Bind(configuration)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ProcessingOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<VideoOptions>>().Value);
        services.AddSingleton<IFaceDetector>(sp => new YuNetFaceDetector(sp.GetRequiredService<IOptions<DetectorOptions>>().Value));
        services.AddKeyedSingleton<IFaceDetector>(VideoDetectorKey, (sp, _) => new YuNetFaceDetector(VideoAnonymizer.DetectorOptionsFor(
            sp.GetRequiredService<IOptions<DetectorOptions>>().Value,
            sp.GetRequiredService<VideoOptions>())));
        services.AddSingleton<ImageProcessor>();
        services.AddSingleton(sp => new VideoAnonymizer(
            sp.GetRequiredKeyedService<IFaceDetector>(VideoDetectorKey),
            sp.GetRequiredService<VideoOptions>(),
            sp.GetRequiredService<ILogger<VideoAnonymizer>>())
        {
            // Videos are processed by the job workers: their detection threads and ffmpeg run below requests too.
            ThreadNice = Jobs.JobWorker.WorkerNice,
        });
        services.AddHostedService<DetectorWarmup>();
        services.AddHealthChecks().AddCheck<DetectorHealthCheck>(DetectorHealthCheck.Name);
        return services;
    }

    /// <summary>The detector models' health (<c>detector_model</c> in /health): healthy when both detectors are loaded.</summary>
    private sealed class DetectorHealthCheck(IServiceProvider services) : IHealthCheck
    {
        public const string Name = "detector_model";

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(
                services.GetService<IFaceDetector>() is not null && services.GetKeyedService<IFaceDetector>(VideoDetectorKey) is not null
                    ? HealthCheckResult.Healthy("The detector models are loaded.")
                    : HealthCheckResult.Unhealthy("A detector model is not loaded."));
    }

    /// <summary>Loads the detector when the host starts, so a bad model stops the app at start, not at the first upload.</summary>
    private sealed class DetectorWarmup(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = services.GetRequiredService<IFaceDetector>();
            _ = services.GetRequiredKeyedService<IFaceDetector>(VideoDetectorKey);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
