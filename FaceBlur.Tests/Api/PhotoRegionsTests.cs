using System.Net;
using System.Text.Json.Nodes;
using FaceBlur.Tests.Support;
using OpenCvSharp;

namespace FaceBlur.Tests.Api;

/// <summary>
/// Regions out and in for photos over real HTTP, on both transports: the export is the whole truth (sent back with
/// detect=false it gives the same pixels), a kept face stays visible, a given region is hidden, and every invalid
/// regions field is refused before anything is queued, naming its path.
/// </summary>
[TestFixture(Transport.InProcess, Category = TestCategory.Unit)]
[TestFixture(Transport.RabbitMqRedis, Category = TestCategory.Integration)]
[NonParallelizable]
public class PhotoRegionsTests(Transport transport)
{
    private TransportHost _host = null!;
    private FaceBlurFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = await TransportHost.StartAsync(transport);
        (_factory, _client) = (_host.Factory, _host.Client);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    /// <summary>A dlib photo with several faces as a PNG, so output pixels compare exactly (no JPEG noise).</summary>
    private static byte[] PngPhoto()
    {
        using var photo = Cv2.ImDecode(JobFlowTests.Photo(), ImreadModes.Color);
        return photo.ImEncode(".png");
    }

    private async Task<(byte[] Output, JsonObject Regions)> RunAsync(byte[] photo, IReadOnlyDictionary<string, string>? fields = null, string name = "group.png")
    {
        var taskId = await Http.SubmitAsync(_client, "/blur", Http.Form([("files", name, photo)], fields));
        using var result = await Http.WaitForResultAsync(_client, taskId);
        result.StatusCode.Should().Be(HttpStatusCode.OK, await result.Content.ReadAsStringAsync());
        var output = await result.Content.ReadAsByteArrayAsync();
        using var regions = await _client.GetAsync($"/results/{taskId}/regions");
        regions.StatusCode.Should().Be(HttpStatusCode.OK, "the regions stay readable after the result was downloaded");
        var envelope = JsonNode.Parse(await regions.Content.ReadAsStringAsync())!.AsObject();
        envelope["status"]!.GetValue<string>().Should().Be("ok");
        return (output, envelope["data"]!.AsObject());
    }

    private static JsonArray RegionsOf(JsonObject document) => document["files"]![0]!["regions"]!.AsArray();

    private static Rect BoxOf(JsonNode region, Size size, double padding = 0.2)
    {
        var (x, y, w, h) = (region["x"]!.GetValue<double>(), region["y"]!.GetValue<double>(), region["w"]!.GetValue<double>(), region["h"]!.GetValue<double>());
        var left = (int)Math.Max(0, Math.Floor(x - (w * padding)));
        var top = (int)Math.Max(0, Math.Floor(y - (h * padding)));
        var right = (int)Math.Min(size.Width, Math.Ceiling(x + w + (w * padding)));
        var bottom = (int)Math.Min(size.Height, Math.Ceiling(y + h + (h * padding)));
        return new Rect(left, top, right - left, bottom - top);
    }

    private static double MeanDifference(byte[] a, byte[] b, Rect? within = null)
    {
        using var first = Cv2.ImDecode(a, ImreadModes.Color);
        using var second = Cv2.ImDecode(b, ImreadModes.Color);
        using var diff = new Mat();
        Cv2.Absdiff(within is { } r ? first[r] : first, within is { } s ? second[s] : second, diff);
        return Cv2.Mean(diff).ToDouble();
    }

    [Test]
    public async Task The_export_sent_back_without_detection_gives_the_same_pixels()
    {
        var photo = PngPhoto();
        var (first, regions) = await RunAsync(photo, new Dictionary<string, string> { ["mode"] = "pixelate", ["padding"] = "0.3" });
        var exported = RegionsOf(regions);
        exported.Should().HaveCountGreaterThanOrEqualTo(7);
        regions["kind"]!.GetValue<string>().Should().Be("images");
        regions["files"]![0]!["name"]!.GetValue<string>().Should().Be("group.png");
        foreach (var region in exported)
        {
            region!["source"]!.GetValue<string>().Should().Be("detector");
            region["hidden"]!.GetValue<bool>().Should().BeTrue();
            region["score"]!.GetValue<double>().Should().BeInRange(0, 1);
        }

        exported.Select(r => r!["id"]!.GetValue<string>()).Should().OnlyHaveUniqueItems().And.StartWith("r1");

        var (second, _) = await RunAsync(
            photo,
            new Dictionary<string, string> { ["mode"] = "pixelate", ["padding"] = "0.3", ["detect"] = "false", ["regions"] = regions.ToJsonString() });

        MeanDifference(first, second).Should().Be(0, "the export is everything that was hidden, exactly");
    }

    [Test]
    public async Task A_kept_face_stays_visible_while_every_other_face_is_hidden()
    {
        var photo = PngPhoto();
        var (_, regions) = await RunAsync(photo);
        var exported = RegionsOf(regions);
        var kept = exported[0]!;
        var send = new JsonObject
        {
            ["kind"] = "images",
            ["files"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["regions"] = new JsonArray(new JsonObject { ["id"] = "me", ["x"] = kept["x"]!.GetValue<double>() + 1, ["y"] = kept["y"]!.GetValue<double>(), ["w"] = kept["w"]!.GetValue<double>(), ["h"] = kept["h"]!.GetValue<double>(), ["hidden"] = false }),
            }),
        };

        var (output, after) = await RunAsync(photo, new Dictionary<string, string> { ["regions"] = send.ToJsonString() });

        using var original = Cv2.ImDecode(photo, ImreadModes.Color);
        MeanDifference(photo, output, BoxOf(kept, original.Size(), padding: 0)).Should().Be(0, "the kept face is untouched");
        foreach (var other in exported.Skip(1))
        {
            MeanDifference(photo, output, BoxOf(other!, original.Size(), padding: 0)).Should().BeGreaterThan(2, $"face {other!["id"]} is hidden");
        }

        RegionsOf(after).Should().ContainSingle(r => !r!["hidden"]!.GetValue<bool>()).Which!["id"]!.GetValue<string>().Should().Be("me");
    }

    [Test]
    public async Task A_given_region_is_hidden_without_detection_and_nothing_else_changes()
    {
        var photo = PngPhoto();
        var given = """{"files":[{"index":0,"regions":[{"x":5,"y":6,"w":40,"h":30}]}]}""";

        var (output, regions) = await RunAsync(photo, new Dictionary<string, string> { ["detect"] = "false", ["regions"] = given, ["mode"] = "solid", ["shape"] = "rect", ["padding"] = "0" });

        using var original = Cv2.ImDecode(photo, ImreadModes.Color);
        using var result = Cv2.ImDecode(output, ImreadModes.Color);
        var box = new Rect(5, 6, 40, 30);
        MeanDifference(photo, output, box).Should().BeGreaterThan(20, "the given region is filled");
        using var outside = new Mat(original.Size(), MatType.CV_8UC1, Scalar.All(255));
        outside[box].SetTo(Scalar.All(0));
        using var diff = new Mat();
        Cv2.Absdiff(original, result, diff);
        using var gray = diff.CvtColor(ColorConversionCodes.BGR2GRAY);
        using var changedOutside = new Mat();
        Cv2.BitwiseAnd(gray, outside, changedOutside);
        Cv2.CountNonZero(changedOutside).Should().Be(0, "no pixel outside the region changes, and no face was looked for");
        var region = RegionsOf(regions).Should().ContainSingle().Subject!;
        region["source"]!.GetValue<string>().Should().Be("given");
        region.AsObject().ContainsKey("score").Should().BeFalse();
    }

    [TestCase("""{"files":[{"index":0,"regions":[{"x":1,"y":2,"w":3}]}]}""", "files[0].regions[0].h")]
    [TestCase("""{"files":[{"index":1,"regions":[]}]}""", "files[0].index")]
    [TestCase("""{"files":[{"index":0,"name":"other.jpg","regions":[]}]}""", "files[0].name")]
    [TestCase("""{"files":[{"index":0,"regions":[{"x":490,"y":2,"w":30,"h":30}]}]}""", "files[0].regions[0].w")]
    [TestCase("""{"files":[{"index":0,"regions":[{"x":1,"y":2,"w":3,"h":4,"hidden":"yes"}]}]}""", "files[0].regions[0].hidden")]
    [TestCase("""{"kind":"video","tracks":[]}""", "kind")]
    [TestCase("""not json""", "regions")]
    public async Task An_invalid_regions_field_is_refused_naming_its_path_and_nothing_is_queued(string regions, string path)
    {
        var photo = JpegMetadataBuilder.PlainJpeg(500, 375);

        using var response = await _client.PostAsync("/blur", Http.Form([("files", "group.jpg", photo)], new Dictionary<string, string> { ["regions"] = regions }));

        var error = await Http.ShouldBeErrorAsync(response, HttpStatusCode.BadRequest, "validation_error");
        error.GetProperty("details").GetProperty("path").GetString().Should().Be(path);
        _factory.JobFiles().Should().BeEmpty();
    }

    [Test]
    public async Task A_regions_field_over_five_megabytes_is_refused()
    {
        var regions = "{\"files\":[],\"x\":\"" + new string('a', 5 * 1024 * 1024) + "\"}";

        using var response = await _client.PostAsync("/blur", Http.Form([("files", "a.jpg", JobFlowTests.Photo())], new Dictionary<string, string> { ["regions"] = regions }));

        var error = await Http.ShouldBeErrorAsync(response, HttpStatusCode.BadRequest, "validation_error");
        error.GetProperty("details").GetProperty("path").GetString().Should().Be("regions");
        _factory.JobFiles().Should().BeEmpty();
    }

    [TestCase("maybe")]
    [TestCase("")]
    public async Task An_unknown_detect_value_is_refused(string value)
    {
        using var response = await _client.PostAsync("/blur", Http.Form([("files", "a.jpg", JobFlowTests.Photo())], new Dictionary<string, string> { ["detect"] = value }));

        var error = await Http.ShouldBeErrorAsync(response, HttpStatusCode.BadRequest, "validation_error");
        error.GetProperty("details").GetProperty("field").GetString().Should().Be("detect");
    }

    [Test]
    public async Task Regions_of_a_failed_job_are_task_failed_and_of_an_unknown_one_not_found()
    {
        var broken = JobFlowTests.Photo()[..2000];
        var taskId = await Http.SubmitAsync(_client, "/blur", Http.Images(("broken.jpg", broken)));
        (await Http.WaitForResultAsync(_client, taskId)).Dispose();

        using var failed = await _client.GetAsync($"/results/{taskId}/regions");
        await Http.ShouldBeErrorAsync(failed, HttpStatusCode.UnprocessableEntity, "task_failed");
        using var unknown = await _client.GetAsync($"/results/{new string('a', 32)}/regions");
        await Http.ShouldBeErrorAsync(unknown, HttpStatusCode.NotFound, "task_not_found");
    }

    [Test]
    public async Task Regions_of_a_rotated_photo_are_in_upright_pixels()
    {
        // The photo stored sideways with EXIF orientation 6: the output (and the regions) are upright.
        using var upright = Cv2.ImDecode(JobFlowTests.Photo(), ImreadModes.Color);
        using var stored = new Mat();
        Cv2.Rotate(upright, stored, RotateFlags.Rotate90Counterclockwise);
        var jpeg = JpegMetadataBuilder.InsertAfterSoi(
            stored.ImEncode(".jpg", [new ImageEncodingParam(ImwriteFlags.JpegQuality, 95)]),
            [JpegMetadataBuilder.ExifSegment(JpegMetadataBuilder.BuildOrientationTiff(6, bigEndian: false))]);

        var (output, regions) = await RunAsync(jpeg, name: "rotated.jpg");

        using var result = Cv2.ImDecode(output, ImreadModes.Color);
        result.Size().Should().Be(upright.Size());
        regions["files"]![0]!["width"]!.GetValue<int>().Should().Be(upright.Width);
        foreach (var region in RegionsOf(regions))
        {
            var box = BoxOf(region!, upright.Size(), padding: 0);
            box.Width.Should().BeGreaterThan(0);
            box.Height.Should().BeGreaterThan(0);
            (box.X + box.Width).Should().BeLessThanOrEqualTo(upright.Width);
            (box.Y + box.Height).Should().BeLessThanOrEqualTo(upright.Height);
            MeanDifference(upright.ImEncode(".png"), result.ImEncode(".png"), box).Should().BeGreaterThan(2, "the export's box is where the upright output was hidden");
        }
    }
}
