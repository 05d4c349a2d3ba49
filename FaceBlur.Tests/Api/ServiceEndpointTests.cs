using System.Net;
using FaceBlur.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace FaceBlur.Tests.Api;

[Unit]
public class ServiceEndpointTests
{
    private FaceBlurFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _factory = new FaceBlurFactory(
            new Dictionary<string, string?> { ["MAX_UPLOAD_FILES"] = "7", ["ALLOWED_EXTENSIONS"] = "jpg,png", ["MAX_VIDEO_SECONDS"] = "120" },
            services => services.AddSingleton<IStartupFilter, ThrowingRouteFilter>());
        _client = _factory.CreateClient();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _client.Dispose();
        _factory.Dispose();
    }

    [Test]
    public async Task Health_reports_each_dependency()
    {
        using var response = await _client.GetAsync("/health");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var json = await Http.JsonAsync(response);
        json.GetProperty("status").GetString().Should().Be("ok");
        var checks = json.GetProperty("data").GetProperty("checks");
        checks.GetProperty("queue").GetString().Should().Be("ok");
        checks.GetProperty("result_store").GetString().Should().Be("ok");
        checks.GetProperty("stats_db").GetString().Should().Be("ok");
        checks.GetProperty("detector_model").GetString().Should().Be("ok");
    }

    [Test]
    public async Task Limits_come_from_the_settings()
    {
        var json = await Http.JsonAsync(await _client.GetAsync("/limits"));
        var data = json.GetProperty("data");
        data.GetProperty("image_extensions").EnumerateArray().Select(e => e.GetString()).Should().Equal("jpg", "png");
        data.GetProperty("video_extensions").EnumerateArray().Select(e => e.GetString()).Should().Equal("mp4", "mov", "webm", "mkv", "avi");
        data.GetProperty("max_upload_files").GetInt32().Should().Be(7);
        data.GetProperty("max_upload_mb").GetDouble().Should().Be(25);
        data.GetProperty("max_video_mb").GetDouble().Should().Be(200);
        data.GetProperty("max_video_seconds").GetDouble().Should().Be(120);
        data.GetProperty("modes").EnumerateArray().Select(e => e.GetString()).Should().Equal("blur", "pixelate", "solid");
        data.GetProperty("shapes").EnumerateArray().Select(e => e.GetString()).Should().Equal("ellipse", "rect");
    }

    [Test]
    public async Task Queue_reports_depth_consumers_and_work_in_progress()
    {
        var json = await Http.JsonAsync(await _client.GetAsync("/queue"));
        json.GetProperty("status").GetString().Should().Be("ok");
        var data = json.GetProperty("data");
        data.GetProperty("queued").GetInt64().Should().Be(0);
        data.GetProperty("consumers").GetInt32().Should().Be(1);
        data.GetProperty("processing").GetInt32().Should().Be(0);
        data.GetProperty("available").GetBoolean().Should().BeTrue();
    }

    [Test]
    public async Task The_API_is_described_and_has_a_reference_page()
    {
        using var document = await _client.GetAsync("/openapi/v1.json");
        document.StatusCode.Should().Be(HttpStatusCode.OK);
        var json = await Http.JsonAsync(document);
        var paths = json.GetProperty("paths");
        foreach (var path in new[] { "/health", "/blur", "/blur/video", "/results/{task_id}", "/queue", "/limits", "/stats" })
        {
            paths.TryGetProperty(path, out _).Should().BeTrue(path);
        }

        using var page = await _client.GetAsync("/api-reference");
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
    }

    [Test]
    public async Task Unknown_routes_are_404_in_the_envelope()
    {
        using var response = await _client.GetAsync("/no/such/thing");
        await Http.ShouldBeErrorAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    [Test]
    public async Task A_wrong_method_is_405_in_the_envelope()
    {
        using var response = await _client.GetAsync("/blur");
        await Http.ShouldBeErrorAsync(response, HttpStatusCode.MethodNotAllowed, "method_not_allowed");
        using var delete = await _client.DeleteAsync("/health");
        await Http.ShouldBeErrorAsync(delete, HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }

    [Test]
    public async Task An_unexpected_error_is_500_internal_error_without_details()
    {
        using var response = await _client.GetAsync(ThrowingRouteFilter.Path);
        var json = await Http.ShouldBeErrorAsync(response, HttpStatusCode.InternalServerError, "internal_error");
        json.ToString().Should().NotContain(ThrowingRouteFilter.Secret);
    }

    [TestCase("/health")]
    [TestCase("/")]
    [TestCase("/no/such/thing")]
    [TestCase(ThrowingRouteFilter.Path)]
    public async Task Every_response_forbids_sniffing_framing_and_foreign_content(string path)
    {
        using var response = await _client.GetAsync(path);
        response.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        response.Headers.GetValues("X-Frame-Options").Should().Equal("DENY");
        response.Headers.GetValues("Referrer-Policy").Should().Equal("no-referrer");
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        csp.Should().Contain("frame-ancestors 'none'").And.Contain("script-src 'self';").And.Contain("object-src 'none'");
    }

    [Test]
    public async Task The_API_reference_page_may_not_be_framed_and_phones_nowhere()
    {
        using var response = await _client.GetAsync("/api-reference/");
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        csp.Should().Contain("frame-ancestors 'none'").And.Contain("connect-src 'self';").And.Contain("default-src 'self';");
        response.Headers.GetValues("X-Frame-Options").Should().Equal("DENY");
        var page = await response.Content.ReadAsStringAsync();
        page.Should().Contain("\"telemetry\":false").And.Contain("\"withDefaultFonts\":false").And.Contain("\"agent\":{\"disabled\":true}");
    }

    [Test]
    public async Task The_server_does_not_announce_itself()
    {
        using var response = await _client.GetAsync("/health");
        response.Headers.Contains("Server").Should().BeFalse();
    }

    /// <summary>Adds a route that throws, to see what an unexpected failure answers.</summary>
    private sealed class ThrowingRouteFilter : IStartupFilter
    {
        public const string Path = "/test-only/throw";
        public const string Secret = "connection-string-with-password";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            // After the app's own pipeline, so its exception handler is outside this middleware.
            next(app);
            app.Use(async (context, nextMiddleware) =>
            {
                if (context.Request.Path == Path)
                {
                    throw new InvalidOperationException(Secret);
                }

                await nextMiddleware(context);
            });
        };
    }
}
