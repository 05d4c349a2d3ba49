using System.Net;
using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Api;

/// <summary>An images job that outlives IMAGE_TIMEOUT_SECONDS per image ends failed and frees its worker.</summary>
[Unit]
public class JobTimeLimitTests
{
    [Test]
    public async Task A_job_past_its_time_limit_fails_with_a_reason_and_the_worker_takes_the_next()
    {
        // One worker and a limit no photo meets: both jobs must end, one after the other, each with the reason.
        using var factory = new FaceBlurFactory(new Dictionary<string, string?> { ["IMAGE_TIMEOUT_SECONDS"] = "0.001", ["WORKER_CONCURRENCY"] = "1" });
        using var client = factory.CreateClient();
        var first = await Http.SubmitAsync(client, "/blur", Http.Images(("a.jpg", JobFlowTests.Photo()), ("b.jpg", JobFlowTests.Photo())));
        var second = await Http.SubmitAsync(client, "/blur", Http.Images(("c.jpg", JobFlowTests.Photo())));

        foreach (var (taskId, limit) in new[] { (first, "0 s for 2 image(s)"), (second, "0 s for 1 image(s)") })
        {
            using var response = await Http.WaitForResultAsync(client, taskId, TimeSpan.FromSeconds(30));
            var json = await Http.ShouldBeErrorAsync(response, HttpStatusCode.UnprocessableEntity, "task_failed");
            json.GetProperty("details").GetProperty("reason").GetString().Should().Contain("time limit").And.Contain(limit);
        }

        // The stopped jobs' files go when their threads really end (after the detection call they were in): on a busy
        // machine that can take longer than the usual 10 s.
        await JobFlowTests.WaitUntilAsync(() => factory.JobFiles().Count == 0, seconds: 60);
    }
}
