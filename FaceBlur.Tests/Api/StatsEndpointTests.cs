using System.Net;
using FaceBlur.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;

namespace FaceBlur.Tests.Api;

/// <summary><c>/stats</c> over real HTTP: the counters, the visitor cookie, and stats failures that never fail an upload.</summary>
[NonParallelizable]
[Unit]
public class StatsEndpointTests
{
    private static readonly string[] Fields =
        ["total_requests", "total_tasks", "total_images", "total_videos", "total_video_seconds", "total_faces", "total_visitors"];

    private static async Task<(Dictionary<string, double> Data, string? SetCookie)> GetStatsAsync(HttpClient client, string? cookie = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/stats");
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        using var response = await client.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
        var json = await Http.JsonAsync(response);
        json.GetProperty("status").GetString().Should().Be("ok");
        var data = json.GetProperty("data").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        data.Keys.Should().BeEquivalentTo(Fields);
        return (data, response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Single() : null);
    }

    private static string CookiePair(string setCookie) => setCookie.Split(';')[0];

    [Test]
    public async Task A_new_visitor_gets_the_cookie_and_is_counted_once()
    {
        using var factory = new FaceBlurFactory();
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });

        var (first, setCookie) = await GetStatsAsync(client);
        first.Should().Equal(Fields.ToDictionary(f => f, f => f == "total_visitors" ? 1d : 0d));
        setCookie.Should().NotBeNull().And.MatchRegex("^visitor_id=[0-9a-f]{32}; ");
        var attributes = setCookie!.ToLowerInvariant().Split("; ").Skip(1).ToList();
        attributes.Should().Contain(["httponly", "samesite=lax", "path=/", "max-age=31536000"]).And.NotContain("secure");

        // The returning visitor sends the cookie back: no new cookie, not counted again.
        var (returning, again) = await GetStatsAsync(client, CookiePair(setCookie));
        again.Should().BeNull();
        returning["total_visitors"].Should().Be(1);

        // Another browser (no cookie) and one with a value this server never issues are new visitors.
        var (other, otherCookie) = await GetStatsAsync(client);
        otherCookie.Should().NotBeNull();
        CookiePair(otherCookie!).Should().NotBe(CookiePair(setCookie));
        other["total_visitors"].Should().Be(2);
        var (forged, forgedCookie) = await GetStatsAsync(client, "visitor_id=../../not-ours");
        forgedCookie.Should().NotBeNull();
        forged["total_visitors"].Should().Be(3);
    }

    [Test]
    public async Task The_cookie_is_Secure_over_HTTPS_and_follows_the_settings()
    {
        using var factory = new FaceBlurFactory(new Dictionary<string, string?> { ["VISITOR_COOKIE_NAME"] = "fb_visitor", ["VISITOR_COOKIE_MAX_AGE_DAYS"] = "30" });
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, BaseAddress = new Uri("https://localhost") });

        var (_, setCookie) = await GetStatsAsync(client);

        setCookie.Should().StartWith("fb_visitor=");
        setCookie!.ToLowerInvariant().Split("; ").Should().Contain(["secure", "httponly", "samesite=lax", "max-age=2592000"]);
    }

    [Test]
    public async Task Every_upload_attempt_is_counted_and_results_when_produced()
    {
        using var factory = new FaceBlurFactory(new Dictionary<string, string?> { ["BLUR_RATE_LIMIT"] = "4/minute" });
        using var client = factory.CreateClient();

        var taskId = await Http.SubmitAsync(client, "/blur", Http.Images(("holiday.jpg", JobFlowTests.Photo())));
        using (var refused = await client.PostAsync("/blur", Http.Images(("notes.txt", "hello"u8.ToArray()))))
        {
            refused.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        }

        using (var refusedVideo = await client.PostAsync("/blur/video", Http.Form([("file", "clip.mp4", new byte[100])])))
        {
            refusedVideo.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        }

        using (var noFile = await client.PostAsync("/blur/video", Http.Form([])))
        {
            noFile.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        }

        using (var limited = await client.PostAsync("/blur", Http.Images(("holiday.jpg", JobFlowTests.Photo()))))
        {
            limited.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        }

        using var result = await Http.WaitForResultAsync(client, taskId);
        result.StatusCode.Should().Be(HttpStatusCode.OK);
        var faces = int.Parse(result.Headers.GetValues("X-Faces-Detected").Single(), System.Globalization.CultureInfo.InvariantCulture);
        faces.Should().BePositive();

        var (stats, _) = await GetStatsAsync(client);
        stats["total_requests"].Should().Be(5, "accepted, refused and rate-limited attempts all count");
        stats["total_tasks"].Should().Be(1);
        stats["total_images"].Should().Be(1);
        stats["total_faces"].Should().Be(faces);
        stats["total_videos"].Should().Be(0);
        stats["total_video_seconds"].Should().Be(0);
    }

    [Test]
    public async Task A_broken_stats_database_never_fails_an_upload_and_is_reported()
    {
        using var factory = new FaceBlurFactory();
        using var client = factory.CreateClient();
        (await GetStatsAsync(client)).Data["total_visitors"].Should().Be(1);

        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(factory.StorageDir, "stats.db*"))
        {
            File.Delete(file);
        }

        var taskId = await Http.SubmitAsync(client, "/blur", Http.Images(("holiday.jpg", JobFlowTests.Photo())));
        using var result = await Http.WaitForResultAsync(client, taskId);
        result.StatusCode.Should().Be(HttpStatusCode.OK, "a stats failure never fails an upload or its job");

        using var health = await client.GetAsync("/health");
        health.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await Http.JsonAsync(health)).GetProperty("data").GetProperty("checks").GetProperty("stats_db").GetString().Should().Be("down");
        using var stats = await client.GetAsync("/stats");
        await Http.ShouldBeErrorAsync(stats, HttpStatusCode.ServiceUnavailable, "service_unavailable");

        var metrics = PrometheusText.Parse(await client.GetStringAsync("/metrics"));
        // The request, the task and the result were lost, each logged and counted; then /stats could not read.
        metrics.Value("faceblur_stats_errors_total", ("operation", "increment")).Should().Be(3);
        metrics.Value("faceblur_stats_errors_total", ("operation", "read")).Should().Be(1);
    }
}
