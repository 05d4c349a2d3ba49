using System.Net;
using FaceBlur.Tests.Jobs;
using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Api;

/// <summary>With the queue or the store unreachable, uploads get 503 (never a 202 for a job that is then lost) and /health names the culprit.</summary>
[Unit]
public class DependencyDownTests
{
    private static readonly Dictionary<string, Dictionary<string, string?>> Cases = new()
    {
        ["result_store"] = new() { ["REDIS_URL"] = "127.0.0.1:1", ["RABBITMQ_URL"] = "" },
        ["queue"] = new() { ["RABBITMQ_URL"] = TestBroker.UnreachableUrl, ["REDIS_URL"] = "" },
    };

    [TestCase("result_store")]
    [TestCase("queue")]
    public async Task Uploads_get_503_and_health_says_which_dependency_is_down(string dependency)
    {
        using var factory = new FaceBlurFactory(Cases[dependency]);
        using var client = factory.CreateClient();

        using var upload = await client.PostAsync("/blur", Http.Images(("a.jpg", JpegMetadataBuilder.PlainJpeg(32, 32))));
        await Http.ShouldBeErrorAsync(upload, HttpStatusCode.ServiceUnavailable, "service_unavailable");
        factory.JobFiles().Should().BeEmpty();

        using var health = await client.GetAsync("/health");
        health.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        var json = await Http.JsonAsync(health);
        json.GetProperty("status").GetString().Should().Be("error");
        var checks = json.GetProperty("data").GetProperty("checks");
        checks.GetProperty(dependency).GetString().Should().Be("down");
        checks.GetProperty("detector_model").GetString().Should().Be("ok");
        json.GetProperty("message").GetString().Should().Contain(dependency);

        using var queue = await client.GetAsync("/queue");
        queue.StatusCode.Should().Be(HttpStatusCode.OK);
        (await Http.JsonAsync(queue)).GetProperty("data").GetProperty("available").GetBoolean().Should().BeFalse();
    }
}
