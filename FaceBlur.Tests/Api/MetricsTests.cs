using System.Globalization;
using System.Net;
using System.Text.Json;
using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Api;

/// <summary>
/// <c>/metrics</c> after one image job, one video job and one refused upload: the service's own metrics with the
/// right values, the HTTP server and runtime metrics, and every metric the Grafana dashboard queries.
/// </summary>
[NonParallelizable]
[Integration]
public class MetricsTests
{
    private FaceBlurFactory _factory = null!;
    private HttpClient _client = null!;
    private int _imageFaces;
    private double _videoSeconds;

    [OneTimeSetUp]
    public async Task RunOneImageAndOneVideoJobAsync()
    {
        _factory = new FaceBlurFactory();
        _client = _factory.CreateClient();

        var imageTask = await Http.SubmitAsync(_client, "/blur", Http.Images(("holiday.jpg", JobFlowTests.Photo())));
        _videoSeconds = 2;
        var video = await TestVideos.ColourBarsAsync(_videoSeconds);
        var videoTask = await Http.SubmitAsync(_client, "/blur/video", Http.Form([("file", "clip.mp4", video)]));
        using (var refused = await _client.PostAsync("/blur", Http.Images(("notes.txt", "hello"u8.ToArray()))))
        {
            refused.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        }

        using var image = await Http.WaitForResultAsync(_client, imageTask);
        image.StatusCode.Should().Be(HttpStatusCode.OK);
        _imageFaces = int.Parse(image.Headers.GetValues("X-Faces-Detected").Single(), CultureInfo.InvariantCulture);

        using var videoResult = await Http.WaitForResultAsync(_client, videoTask, TimeSpan.FromMinutes(2));
        videoResult.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    private async Task<IReadOnlyList<PromSample>> ScrapeAsync()
    {
        using var response = await _client.GetAsync("/metrics");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().BeOneOf("text/plain", "application/openmetrics-text");
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task The_service_metrics_have_the_right_values()
    {
        var m = await ScrapeAsync();

        m.Value("faceblur_jobs_submitted_total", ("kind", "images")).Should().Be(1);
        m.Value("faceblur_jobs_submitted_total", ("kind", "video")).Should().Be(1);
        m.Value("faceblur_jobs_completed_total", ("kind", "images"), ("outcome", "succeeded")).Should().Be(1);
        m.Value("faceblur_jobs_completed_total", ("kind", "images"), ("outcome", "failed")).Should().Be(0);
        m.Value("faceblur_jobs_completed_total", ("kind", "video"), ("outcome", "succeeded")).Should().Be(1);
        m.Value("faceblur_jobs_completed_total", ("kind", "video"), ("outcome", "failed")).Should().Be(0);
        m.Value("faceblur_job_duration_seconds_count", ("kind", "images")).Should().Be(1);
        m.Value("faceblur_job_duration_seconds_count", ("kind", "video")).Should().Be(1);
        m.Value("faceblur_job_duration_seconds_sum", ("kind", "images")).Should().BePositive();
        m.Value("faceblur_job_duration_seconds_bucket", ("kind", "images"), ("le", "+Inf")).Should().Be(1);
        m.Value("faceblur_queue_wait_seconds_count").Should().Be(2);
        m.Value("faceblur_faces_detected_total", ("kind", "images")).Should().Be(_imageFaces);
        m.Value("faceblur_rejected_uploads_total", ("code", "unsupported_media_type")).Should().Be(1);
        m.Value("faceblur_rejected_uploads_total").Should().Be(1);
        m.Value("faceblur_queue_depth").Should().Be(0);
        m.Value("faceblur_jobs_in_progress").Should().Be(0);
        m.Value("faceblur_stats_errors_total").Should().Be(0);
        m.Value("faceblur_video_frames_processed_total").Should().BeGreaterThanOrEqualTo(_videoSeconds * 10 * 0.9, "a 10 fps clip");
    }

    [Test]
    public async Task The_stats_count_the_same_jobs()
    {
        var json = await Http.JsonAsync(await _client.GetAsync("/stats"));
        var data = json.GetProperty("data");

        data.GetProperty("total_requests").GetInt64().Should().Be(3);
        data.GetProperty("total_tasks").GetInt64().Should().Be(2);
        data.GetProperty("total_images").GetInt64().Should().Be(1);
        data.GetProperty("total_videos").GetInt64().Should().Be(1);
        data.GetProperty("total_video_seconds").GetDouble().Should().BeApproximately(_videoSeconds, 0.2);
        data.GetProperty("total_faces").GetInt64().Should().BeGreaterThanOrEqualTo(_imageFaces);
    }

    [Test]
    public async Task HTTP_server_and_runtime_metrics_are_exported()
    {
        var m = await ScrapeAsync();

        m.Value("http_server_request_duration_seconds_count", ("http_route", "/blur"), ("http_response_status_code", "202")).Should().Be(1);
        m.Value("http_server_request_duration_seconds_count", ("http_route", "/blur"), ("http_response_status_code", "415")).Should().Be(1);
        m.Value("http_server_request_duration_seconds_count", ("http_route", "/blur/video"), ("http_response_status_code", "202")).Should().Be(1);
        m.Should().Contain(s => s.Name == "dotnet_gc_collections_total");
        m.Should().Contain(s => s.Name == "dotnet_process_memory_working_set_bytes");
    }

    [Test]
    public async Task Every_metric_the_dashboard_queries_is_exported()
    {
        var exported = (await ScrapeAsync()).Select(s => s.Name).ToHashSet();
        var queried = DashboardExpressions().SelectMany(PromQl.MetricNames).ToHashSet();

        queried.Should().Contain(
            [
                "http_server_request_duration_seconds_count", "http_server_request_duration_seconds_bucket", "faceblur_jobs_completed_total",
                "faceblur_job_duration_seconds_bucket", "faceblur_queue_depth", "faceblur_faces_detected_total",
                "faceblur_video_frames_processed_total", "faceblur_rejected_uploads_total",
            ],
            "the dashboard shows request rate and latency, jobs by outcome, job duration, queue depth, faces, video frames and rejected uploads");
        queried.Except(exported).Should().BeEmpty("every metric the dashboard queries must be exported by the app");
    }

    [Test]
    public void The_PromQL_reader_finds_metric_names_only()
    {
        PromQl.MetricNames("""histogram_quantile(0.95, sum by (le, kind) (rate(faceblur_job_duration_seconds_bucket{kind=~"video|images"}[$__rate_interval])))""")
            .Should().BeEquivalentTo(["faceblur_job_duration_seconds_bucket"]);
        PromQl.MetricNames("sum(a_total offset 5m) / on (job) group_left max(b:rule[1h:5m]) > bool 1e3")
            .Should().BeEquivalentTo(["a_total", "b:rule"]);
    }

    /// <summary>Every <c>expr</c> of every panel target in the provisioned dashboard (rows and nested panels included).</summary>
    internal static List<string> DashboardExpressions()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "monitoring", "grafana", "dashboards", "faceblur.json")));
        var expressions = new List<string>();
        Collect(dashboard.RootElement);
        expressions.Should().NotBeEmpty();
        return expressions;

        void Collect(JsonElement element)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name == "expr" && property.Value.ValueKind == JsonValueKind.String)
                    {
                        expressions.Add(property.Value.GetString()!);
                    }
                    else
                    {
                        Collect(property.Value);
                    }
                }
            }
            else if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item);
                }
            }
        }
    }
}
