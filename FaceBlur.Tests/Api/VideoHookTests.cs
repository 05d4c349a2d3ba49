using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace FaceBlur.Tests.Api;

/// <summary>
/// What a succeeded video job reports, through the same hooks the worker calls (the video pipeline itself arrives on
/// another branch): kind video, its frames and seconds reach <c>/metrics</c> and <c>/stats</c>.
/// </summary>
[Unit]
public class VideoHookTests
{
    [Test]
    public async Task A_succeeded_video_job_is_counted_with_its_frames_and_seconds()
    {
        using var factory = new FaceBlurFactory();
        using var client = factory.CreateClient();
        var ended = new JobEnded(new string('a', 32), JobKind.Video, Succeeded: true, Files: 1, Faces: 4, VideoSeconds: 2.5, VideoFrames: 75, TimeSpan.FromSeconds(3));

        factory.Services.GetRequiredService<JobMetrics>().Ended(ended);
        foreach (var observer in factory.Services.GetServices<IJobObserver>())
        {
            await observer.OnJobEndedAsync(ended, default);
        }

        var m = PrometheusText.Parse(await client.GetStringAsync("/metrics"));
        m.Value("faceblur_jobs_completed_total", ("kind", "video"), ("outcome", "succeeded")).Should().Be(1);
        m.Value("faceblur_video_frames_processed_total").Should().Be(75);
        m.Value("faceblur_faces_detected_total", ("kind", "video")).Should().Be(4);
        m.Value("faceblur_job_duration_seconds_sum", ("kind", "video")).Should().Be(3);
        var data = (await Http.JsonAsync(await client.GetAsync("/stats"))).GetProperty("data");
        data.GetProperty("total_videos").GetInt64().Should().Be(1);
        data.GetProperty("total_video_seconds").GetDouble().Should().Be(2.5);
        data.GetProperty("total_faces").GetInt64().Should().Be(4);
        data.GetProperty("total_images").GetInt64().Should().Be(0);
    }
}
