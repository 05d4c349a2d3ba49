using System.Net;
using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using OpenCvSharp;

namespace FaceBlur.Tests.Api;

/// <summary>A download the client breaks off is not a delivery: the result stays and can be fetched again (real Kestrel).</summary>
[Integration]
public class InterruptedDownloadTests
{
    [Test]
    public async Task A_broken_off_download_leaves_the_result_for_another_try()
    {
        using var factory = new FaceBlurFactory(new Dictionary<string, string?> { ["MAX_UPLOAD_MB"] = "40" });
        factory.StartKestrel();
        var store = factory.Services.GetRequiredService<IJobStore>();

        // An uncompressed 27 MB result: far more than the socket buffers hold, so the download cannot finish unread.
        using var grey = new Mat(3000, 3000, MatType.CV_8UC3, Scalar.All(128));
        var bmp = grey.ImEncode(".bmp");
        string taskId;
        using (var client = factory.CreateClient())
        {
            taskId = await Http.SubmitAsync(client, "/blur", Http.Images(("big.bmp", bmp)));
        }

        await WaitForAsync(async () => (await store.GetAsync(taskId, default))?.Status == JobStatus.Succeeded);

        using (var client = factory.CreateClient())
        {
            var response = await client.GetAsync($"/results/{taskId}", HttpCompletionOption.ResponseHeadersRead);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            var stream = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[64 * 1024];
            await stream.ReadExactlyAsync(buffer);
            response.Dispose(); // the client goes away mid-download
        }

        await WaitForAsync(async () => (await store.GetAsync(taskId, default))?.Served == false);
        using (var client = factory.CreateClient())
        {
            using var again = await client.GetAsync($"/results/{taskId}");
            again.StatusCode.Should().Be(HttpStatusCode.OK);
            (await again.Content.ReadAsByteArrayAsync()).Length.Should().Be(bmp.Length);
            await JobFlowTests.WaitUntilAsync(() => factory.JobFiles().Count == 0);
            using var gone = await client.GetAsync($"/results/{taskId}");
            gone.StatusCode.Should().Be(HttpStatusCode.Gone);
        }
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Condition not met in time.");
            }

            await Task.Delay(25);
        }
    }
}
