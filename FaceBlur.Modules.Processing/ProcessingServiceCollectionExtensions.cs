using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Images;
using FaceBlur.Modules.Processing.Video;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FaceBlur.Modules.Processing;

public static class ProcessingServiceCollectionExtensions
{
    /// <summary>The key of the detector video frames use (see <see cref="VideoAnonymizer.DetectorOptionsFor"/>).</summary>
    public const string VideoDetectorKey = "video";

    /// <summary>
    /// Registers the processing core: settings (validated at start), the face detector (loaded once, at start) and the
    /// image pipeline. Relative paths in settings are resolved against the host's content root.
    /// </summary>
    public static IServiceCollection AddProcessing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProcessingOptions>()
            .Bind(configuration)
            .ValidateWith(o => o.Validate())
            .ValidateOnStart();
        services.AddOptions<DetectorOptions>()
            .Bind(configuration)
            .PostConfigure<IHostEnvironment>((o, env) => o.BasePath = env.ContentRootPath)
            .ValidateWith(o => o.Validate())
            .ValidateOnStart();

        services.AddOptions<VideoOptions>()
            .Bind(configuration)
            .ValidateWith(o => o.Validate())
            .ValidateOnStart();

        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ProcessingOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<VideoOptions>>().Value);
        services.AddSingleton<IFaceDetector>(sp => new PhotoFaceDetector(sp.GetRequiredService<IOptions<DetectorOptions>>().Value) { ThreadNice = Jobs.JobWorker.WorkerNice });
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
        return services;
    }

    /// <summary>Validates options with a method returning one line per problem (each naming its setting).</summary>
    public static OptionsBuilder<T> ValidateWith<T>(this OptionsBuilder<T> builder, Func<T, IEnumerable<string>> validate)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IValidateOptions<T>>(new DelegatingValidator<T>(builder.Name, validate));
        return builder;
    }

    private sealed class DelegatingValidator<T>(string? name, Func<T, IEnumerable<string>> validate) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? optionsName, T options)
        {
            if (name is not null && name != optionsName)
            {
                return ValidateOptionsResult.Skip;
            }

            var failures = validate(options).ToList();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
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
