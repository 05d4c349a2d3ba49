using FaceBlur.Testing.Load;
using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Api;

/// <summary>
/// The load run in a CI-sized form: 100 image jobs from 10 concurrent clients plus 2 videos against a real Kestrel
/// server on RabbitMQ + Redis, each uploaded, polled and downloaded. Nothing accepted may be lost. (Latency targets are
/// measured by the bench, not asserted here.)
/// </summary>
[NonParallelizable]
[Integration]
public class LoadTests
{
    [Test]
    public async Task A_hundred_image_jobs_from_ten_clients_and_two_videos_all_complete_and_none_is_lost()
    {
        var scope = new TransportScope(Transport.RabbitMqRedis);
        await scope.EnsureAvailableAsync();
        try
        {
            using var factory = new FaceBlurFactory(scope.Settings(new Dictionary<string, string?> { ["BLUR_RATE_LIMIT"] = "100000/minute" }));
            factory.StartKestrel();
            using var client = factory.CreateClient();
            var output = new StringWriter();
            var clip = await TestVideos.ColourBarsAsync(seconds: 2);

            var report = await LoadDriver.RunAsync(
                client.BaseAddress!, jobs: 100, concurrency: 10, JobFlowTests.Photo("2008_001322.jpg"), "load.jpg", TimeSpan.FromMinutes(5), appPid: null, output, [clip, clip]);

            TestContext.Out.WriteLine(output.ToString());
            report.Accepted.Should().Be(102, output.ToString());
            report.Completed.Should().Be(102);
            report.Failed.Should().Be(0);
            report.Lost.Should().Be(0);
            report.Refused.Should().Be(0);
            await JobFlowTests.WaitUntilAsync(() => factory.JobFiles().Count == 0);
        }
        finally
        {
            await scope.CleanUpAsync();
        }
    }
}
