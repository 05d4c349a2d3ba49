using System.Net;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenCvSharp;

namespace FaceBlur.Tests.Api;

/// <summary>Nothing accepted is lost: restarts and poison jobs, against real RabbitMQ + Redis (and in-process where it applies).</summary>
[NonParallelizable]
[Integration]
public class ResilienceTests
{
    [Test]
    public async Task A_job_accepted_by_a_host_that_stops_is_finished_by_the_next_host()
    {
        var scope = new TransportScope(Transport.RabbitMqRedis);
        await scope.EnsureAvailableAsync();
        var storage = Directory.CreateTempSubdirectory("faceblur-restart-").FullName;
        try
        {
            string taskId;
            // The first host accepts the job but its worker is off, so it stops with the job unfinished.
            using (var first = new FaceBlurFactory(scope.Settings(new Dictionary<string, string?> { ["STORAGE_DIR"] = storage, ["WORKER_ENABLED"] = "false" })))
            using (var client = first.CreateClient())
            {
                taskId = await Http.SubmitAsync(client, "/blur", Http.Images(("p.jpg", JobFlowTests.Photo())));
                using var pending = await client.GetAsync($"/results/{taskId}");
                pending.StatusCode.Should().Be(HttpStatusCode.Accepted);
                var json = await Http.JsonAsync(pending);
                json.GetProperty("status").GetString().Should().Be("pending");
                json.GetProperty("data").GetProperty("queue_position").GetInt32().Should().Be(1);
            }

            // A new host on the same broker, store and storage finishes it.
            using (var second = new FaceBlurFactory(scope.Settings(new Dictionary<string, string?> { ["STORAGE_DIR"] = storage })))
            using (var client = second.CreateClient())
            {
                using var done = await Http.WaitForResultAsync(client, taskId);
                done.StatusCode.Should().Be(HttpStatusCode.OK);
                done.Content.Headers.ContentType!.MediaType.Should().Be("image/jpeg");
            }
        }
        finally
        {
            await scope.CleanUpAsync();
            Directory.Delete(storage, recursive: true);
        }
    }

    [TestCase(Transport.InProcess)]
    [TestCase(Transport.RabbitMqRedis)]
    public async Task A_job_that_crashes_the_worker_ends_failed_after_the_delivery_limit_and_the_queue_moves_on(Transport transport)
    {
        var scope = new TransportScope(transport);
        await scope.EnsureAvailableAsync();
        var detector = new PoisonDetector();
        try
        {
            using var factory = new FaceBlurFactory(
                scope.Settings(new Dictionary<string, string?> { ["JOB_DELIVERY_LIMIT"] = "3", ["WORKER_CONCURRENCY"] = "1" }),
                services => services.Replace(ServiceDescriptor.Singleton<IFaceDetector>(detector)));
            using var client = factory.CreateClient();

            var poison = await Http.SubmitAsync(client, "/blur", Http.Images(("poison.png", PoisonDetector.Poison())));
            var healthy = await Http.SubmitAsync(client, "/blur", Http.Images(("fine.jpg", JobFlowTests.Photo())));

            using var failed = await Http.WaitForResultAsync(client, poison);
            var json = await Http.ShouldBeErrorAsync(failed, HttpStatusCode.UnprocessableEntity, "task_failed");
            json.GetProperty("details").GetProperty("reason").GetString().Should().Contain("3 times");
            detector.PoisonCalls.Should().Be(3, "one attempt per delivery, then dead-lettered");

            using var done = await Http.WaitForResultAsync(client, healthy);
            done.StatusCode.Should().Be(HttpStatusCode.OK);
            await JobFlowTests.WaitUntilAsync(() => factory.JobFiles().Count == 0);
        }
        finally
        {
            await scope.CleanUpAsync();
        }
    }

    /// <summary>The real detector, except that it throws on one recognisable image (a 17x13 one), as a crashing model would.</summary>
    private sealed class PoisonDetector : IFaceDetector
    {
        private int _poisonCalls;

        public int PoisonCalls => _poisonCalls;

        public static byte[] Poison()
        {
            using var mat = new Mat(13, 17, MatType.CV_8UC3, Scalar.All(100));
            return mat.ImEncode(".png");
        }

        public IReadOnlyList<FaceBox> Detect(Mat bgrImage, CancellationToken cancellationToken = default)
        {
            if (bgrImage.Width == 17 && bgrImage.Height == 13)
            {
                Interlocked.Increment(ref _poisonCalls);
                throw new InvalidOperationException("simulated detector crash");
            }

            return TestDetector.Instance.Detect(bgrImage, cancellationToken);
        }
    }
}
