using System.Net;
using FaceBlur.Tests.Support;
using FaceBlur.Web.Monitoring;

namespace FaceBlur.Tests.Api;

/// <summary>METRICS_TOKEN: when set, <c>/metrics</c> answers only a scrape that sends it as a bearer token.</summary>
[Unit]
public class MetricsTokenTests
{
    private const string Token = "s3cret-metrics-token-0123456789";

    private static FaceBlurFactory WithToken(string token) => new(new Dictionary<string, string?> { ["METRICS_TOKEN"] = token });

    private static async Task<HttpResponseMessage> ScrapeAsync(HttpClient client, string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return await client.SendAsync(request);
    }

    [TestCase(null)]
    [TestCase("Bearer ")]
    [TestCase("Bearer wrong")]
    [TestCase("Bearer s3cret-metrics-token-012345678")]
    [TestCase("Bearer s3cret-metrics-token-01234567890")]
    [TestCase("Basic czNjcmV0LW1ldHJpY3MtdG9rZW4tMDEyMzQ1Njc4OQ==")]
    [TestCase("s3cret-metrics-token-0123456789")]
    public async Task Without_the_token_the_metrics_are_401_in_the_envelope(string? authorization)
    {
        using var factory = WithToken(Token);
        using var client = factory.CreateClient();

        using var response = await ScrapeAsync(client, authorization);

        var json = await Http.ShouldBeErrorAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        response.Headers.WwwAuthenticate.Should().ContainSingle().Which.Scheme.Should().Be("Bearer");
        json.GetRawText().Should().NotContain(Token);
    }

    [TestCase("Bearer " + Token)]
    [TestCase("bearer " + Token)]
    [TestCase("Bearer  " + Token + " ")]
    public async Task With_the_token_the_metrics_are_served(string authorization)
    {
        using var factory = WithToken(Token);
        using var client = factory.CreateClient();

        using var response = await ScrapeAsync(client, authorization);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var text = await response.Content.ReadAsStringAsync();
        PrometheusText.Parse(text).Should().Contain(s => s.Name.StartsWith("dotnet_", StringComparison.Ordinal));
    }

    [Test]
    public async Task The_token_guards_only_the_metrics()
    {
        using var factory = WithToken(Token);
        using var client = factory.CreateClient();

        using var health = await client.GetAsync("/health");
        using var limits = await client.GetAsync("/limits");

        health.StatusCode.Should().Be(HttpStatusCode.OK);
        limits.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Test]
    public async Task Without_a_token_set_the_metrics_are_open()
    {
        using var factory = new FaceBlurFactory();
        using var client = factory.CreateClient();

        using var plain = await ScrapeAsync(client, null);
        using var withHeader = await ScrapeAsync(client, "Bearer anything");

        plain.StatusCode.Should().Be(HttpStatusCode.OK);
        withHeader.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [TestCase("short-token")]
    [TestCase("a token with spaces in it, long enough")]
    [TestCase("token-with-a-non-ascii-character-é")]
    public void A_token_that_cannot_be_used_is_refused_without_showing_it(string token)
    {
        // The app stops at start with this line (StartupValidationTests runs the real process); a secret never shows.
        var errors = new MetricsToken.MetricsOptions { Token = token }.Validate().ToList();

        errors.Should().ContainSingle().Which.Should().Contain("METRICS_TOKEN").And.NotContain(token);
    }
}
