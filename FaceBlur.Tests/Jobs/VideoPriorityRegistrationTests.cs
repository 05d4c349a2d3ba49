using FaceBlur.Modules.Processing;
using FaceBlur.Modules.Processing.Video;
using FaceBlur.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FaceBlur.Tests.Jobs;

/// <summary>
/// Video work runs below requests in the service (the job workers' nice) and at the caller's priority where there are
/// no requests to protect (the command line registers the core alone).
/// </summary>
[Unit]
public class VideoPriorityRegistrationTests
{
    [Test]
    public void The_service_lowers_the_video_threads_and_the_core_alone_does_not()
    {
        using var service = Build(services => services.AddProcessing);
        using var core = Build(services => services.AddProcessingCore);

        service.Services.GetRequiredService<VideoAnonymizer>().ThreadNice.Should().Be(10);
        core.Services.GetRequiredService<VideoAnonymizer>().ThreadNice.Should().Be(0);
    }

    private static IHost Build(Func<IServiceCollection, Func<IConfiguration, IServiceCollection>> register)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = TestPaths.RepoRoot });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DETECTOR_MODEL_PATH"] = TestPaths.DetectorModel,
            ["DETECTOR_MODEL_N_PATH"] = TestPaths.DetectorModelN,
            ["VIDEO_DETECTOR_MODEL_PATH"] = TestPaths.VideoDetectorModel,
            ["STORAGE_DIR"] = Path.GetTempPath(),
        });
        register(builder.Services)(builder.Configuration);
        builder.Services.AddLogging();
        return builder.Build();
    }
}
