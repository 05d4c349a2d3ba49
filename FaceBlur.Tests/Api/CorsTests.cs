using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Api;

/// <summary>CORS_ALLOW_ORIGINS: the listed origins may call the API, others get no CORS grant.</summary>
[Unit]
public class CorsTests
{
    [Test]
    public async Task Only_the_configured_origins_are_granted()
    {
        using var factory = new FaceBlurFactory(new Dictionary<string, string?> { ["CORS_ALLOW_ORIGINS"] = "https://photos.example.org" });
        using var client = factory.CreateClient();

        using var allowed = new HttpRequestMessage(HttpMethod.Get, "/limits");
        allowed.Headers.Add("Origin", "https://photos.example.org");
        using var allowedResponse = await client.SendAsync(allowed);
        allowedResponse.Headers.GetValues("Access-Control-Allow-Origin").Should().Equal("https://photos.example.org");

        using var other = new HttpRequestMessage(HttpMethod.Get, "/limits");
        other.Headers.Add("Origin", "https://evil.example.net");
        using var otherResponse = await client.SendAsync(other);
        otherResponse.Headers.Contains("Access-Control-Allow-Origin").Should().BeFalse();
    }

    [Test]
    public async Task With_no_origins_configured_only_the_same_origin_may_call()
    {
        using var factory = new FaceBlurFactory();
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/limits");
        request.Headers.Add("Origin", "https://photos.example.org");
        using var response = await client.SendAsync(request);
        response.Headers.Contains("Access-Control-Allow-Origin").Should().BeFalse();
    }
}
