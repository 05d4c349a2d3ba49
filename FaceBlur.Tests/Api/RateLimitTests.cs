using System.Net;
using FaceBlur.Tests.Support;
using FaceBlur.Web.Api;

namespace FaceBlur.Tests.Api;

[Unit]
public class RateLimitTests
{
    [Test]
    public async Task Uploads_over_the_limit_get_429_with_Retry_After()
    {
        using var factory = new FaceBlurFactory(new Dictionary<string, string?> { ["BLUR_RATE_LIMIT"] = "2/minute" });
        using var client = factory.CreateClient();
        var jpeg = JpegMetadataBuilder.PlainJpeg(32, 32);

        for (var i = 0; i < 2; i++)
        {
            using var ok = await client.PostAsync("/blur", Http.Images(("a.jpg", jpeg)));
            ok.StatusCode.Should().Be(HttpStatusCode.Accepted);
        }

        // Refused requests count too: the video route shares the limit.
        using var limited = await client.PostAsync("/blur/video", Http.Form([("file", "v.mp4", jpeg)]));
        var json = await Http.ShouldBeErrorAsync(limited, HttpStatusCode.TooManyRequests, "rate_limited");
        var retryAfter = int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        retryAfter.Should().BeInRange(1, 60);
        json.GetProperty("details").GetProperty("retry_after_seconds").GetInt32().Should().Be(retryAfter);

        // Other routes are not limited.
        using var health = await client.GetAsync("/health");
        health.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [TestCase("10/minute", 10, 60)]
    [TestCase("100/hour", 100, 3600)]
    [TestCase("5/second", 5, 1)]
    [TestCase(" 1000 / day ", 1000, 86400)]
    [TestCase("3/m", 3, 60)]
    public void Limits_parse(string value, int permits, int seconds)
    {
        RateLimiting.TryParse(value, out var p, out var window).Should().BeTrue();
        p.Should().Be(permits);
        window.Should().Be(TimeSpan.FromSeconds(seconds));
    }

    [TestCase("")]
    [TestCase("10")]
    [TestCase("0/minute")]
    [TestCase("-1/minute")]
    [TestCase("ten/minute")]
    [TestCase("10/fortnight")]
    public void Bad_limits_do_not_parse(string value) => RateLimiting.TryParse(value, out _, out _).Should().BeFalse();
}
