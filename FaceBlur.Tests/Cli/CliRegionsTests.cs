using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Tests.Api;
using FaceBlur.Tests.Support;
using FaceBlur.Tests.Video;
using OpenCvSharp;

namespace FaceBlur.Tests.Cli;

/// <summary>
/// Regions out and in on the command line: its export given back without detection reproduces its pixels (photos and
/// videos), and the documents travel between it and the service both ways (one schema: the SPEC's).
/// </summary>
[NonParallelizable]
[Integration]
public class CliRegionsTests
{
    private string dir = "";
    private FaceBlurFactory factory = null!;
    private HttpClient client = null!;

    [OneTimeSetUp]
    public void StartService()
    {
        factory = new FaceBlurFactory(new TransportScope(Transport.InProcess).Settings());
        client = factory.CreateClient();
    }

    [OneTimeTearDown]
    public async Task StopService()
    {
        client.Dispose();
        await factory.DisposeAsync();
    }

    [SetUp]
    public void CreateDirectory() => dir = Directory.CreateTempSubdirectory("faceblur-cli-regions-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(dir, recursive: true);

    [Test]
    public async Task Regions_out_then_regions_in_without_detection_reproduces_the_same_pixels()
    {
        CliMedia.JpegWithMetadata("2007_007763.jpg", Path.Combine(dir, "in", "a.jpg"));
        CliMedia.Png("2008_001322.jpg", Path.Combine(dir, "in", "sub", "b.png"));
        File.Copy(TestPaths.DlibImage("2009_004587.jpg"), Path.Combine(dir, "in", "sub", "c.jpg"));

        var detected = await CliProcess.RunAsync(dir, ["in", "-r", "-o", "first", "--regions-out", "regions.json", "--mode", "pixelate"]);
        var given = await CliProcess.RunAsync(dir, ["in", "-r", "-o", "second", "--regions-in", "regions.json", "--no-detect", "--mode", "pixelate"]);

        detected.ExitCode.Should().Be(0, detected.ToString());
        given.ExitCode.Should().Be(0, given.ToString());
        var files = CliMedia.Files(Path.Combine(dir, "first"));
        files.Should().Equal(["a.jpg", "sub/b.png", "sub/c.jpg"]);
        CliMedia.Files(Path.Combine(dir, "second")).Should().Equal(files);
        foreach (var file in files)
        {
            File.ReadAllBytes(Path.Combine(dir, "second", file)).Should().Equal(File.ReadAllBytes(Path.Combine(dir, "first", file)), file);
        }

        var inputs = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "regions.json")))!["inputs"]!.AsObject();
        inputs.Select(p => p.Key).Should().Equal("in/a.jpg", "in/sub/b.png", "in/sub/c.jpg");
        var a = inputs["in/a.jpg"]!;
        a["kind"]!.GetValue<string>().Should().Be("images");
        a["files"]![0]!["name"]!.GetValue<string>().Should().Be("a.jpg");
        a["files"]![0]!["regions"]!.AsArray().Should().HaveCountGreaterThanOrEqualTo(7);
    }

    [Test]
    public async Task A_video_s_regions_out_then_in_without_detection_reproduces_the_same_frames()
    {
        CliMedia.MovingFaceClip(Path.Combine(dir, "in", "street.mp4"), seconds: 2);

        var detected = await CliProcess.RunAsync(dir, ["in", "-o", "first", "--regions-out", "regions.json", "--mode", "solid"]);
        var given = await CliProcess.RunAsync(dir, ["in", "-o", "second", "--regions-in", "regions.json", "--no-detect", "--mode", "solid"]);
        var document = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "regions.json")))!["inputs"]!["in/street.mp4"]!;
        File.WriteAllText(Path.Combine(dir, "bare.json"), document.ToJsonString());
        var bare = await CliProcess.RunAsync(dir, ["in", "-o", "bare", "--regions-in", "bare.json", "--no-detect", "--mode", "solid"]);

        detected.ExitCode.Should().Be(0, detected.ToString());
        given.ExitCode.Should().Be(0, given.ToString());
        bare.ExitCode.Should().Be(0, "a video's document given bare, as the service exports it, applies to the one video: " + bare);
        document["tracks"]!.AsArray().Should().NotBeEmpty();
        File.ReadAllBytes(Path.Combine(dir, "bare", "street.mp4")).Should().Equal(File.ReadAllBytes(Path.Combine(dir, "second", "street.mp4")));
        var first = VideoTestMedia.DecodeFrames(Path.Combine(dir, "first", "street.mp4"), 480, 360);
        var second = VideoTestMedia.DecodeFrames(Path.Combine(dir, "second", "street.mp4"), 480, 360);
        try
        {
            second.Should().HaveCount(first.Count).And.HaveCount(50);
            for (var f = 0; f < first.Count; f++)
            {
                using var diff = new Mat();
                Cv2.Absdiff(first[f], second[f], diff);
                Cv2.CountNonZero(diff.Reshape(1)).Should().Be(0, $"frame {f} is the same");
            }
        }
        finally
        {
            first.ForEach(m => m.Dispose());
            second.ForEach(m => m.Dispose());
        }
    }

    [Test]
    public async Task A_document_of_the_command_line_hides_the_same_pixels_in_the_service()
    {
        CliMedia.Png("2008_002079.jpg", Path.Combine(dir, "group.png"));
        var cli = await CliProcess.RunAsync(dir, ["group.png", "-o", "out", "--regions-out", "regions.json"]);
        cli.ExitCode.Should().Be(0, cli.ToString());
        var document = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "regions.json")))!["inputs"]!["group.png"]!.ToJsonString();

        var service = await ServiceAsync(File.ReadAllBytes(Path.Combine(dir, "group.png")), "group.png", new() { ["regions"] = document, ["detect"] = "false" });

        service.Output.Should().Equal(File.ReadAllBytes(Path.Combine(dir, "out", "group.png")));
    }

    [Test]
    public async Task A_regions_export_of_the_service_given_bare_hides_the_same_pixels_and_a_kept_face_stays_visible()
    {
        CliMedia.Png("2007_007763.jpg", Path.Combine(dir, "group.png"));
        var photo = File.ReadAllBytes(Path.Combine(dir, "group.png"));
        var (output, export) = await ServiceAsync(photo, "group.png", []);
        var regions = export["files"]![0]!["regions"]!.AsArray();
        regions.Count.Should().BeGreaterThan(1);
        File.WriteAllText(Path.Combine(dir, "export.json"), export.ToJsonString());

        var same = await CliProcess.RunAsync(dir, ["group.png", "-o", "same", "--regions-in", "export.json", "--no-detect"]);

        same.ExitCode.Should().Be(0, same.ToString());
        File.ReadAllBytes(Path.Combine(dir, "same", "group.png")).Should().Equal(output);

        // A face apart from the others kept (hidden:false), with detection on: it stays as it was, the others are hidden.
        var apart = regions.Select(r => Box(r!)).ToList();
        var keep = apart.FindIndex(face => apart.Where(other => other != face).All(other => !Overlaps(other.Pad(0.2f), face)));
        keep.Should().BeGreaterThanOrEqualTo(0, "the photo has a face apart from the others");
        regions[keep]!["hidden"] = false;
        File.WriteAllText(Path.Combine(dir, "keep.json"), export.ToJsonString());
        var kept = await CliProcess.RunAsync(dir, ["group.png", "-o", "kept", "--regions-in", "keep.json"]);

        kept.ExitCode.Should().Be(0, kept.ToString());
        using var before = Cv2.ImRead(Path.Combine(dir, "group.png"));
        using var after = Cv2.ImRead(Path.Combine(dir, "kept", "group.png"));
        CliMedia.Difference(before, after, apart[keep]).Should().Be(0, "the kept face is untouched");
        apart.Where((_, i) => i != keep).Should().AllSatisfy(face => CliMedia.Difference(before, after, face).Should().BeGreaterThan(8, "the other faces are still hidden"));
    }

    [TestCase("{\"inputs\":{\"other.png\":{\"kind\":\"images\",\"files\":[]}}}", "--regions-in inputs[\"other.png\"]: names no photo or video of this run")]
    [TestCase("{\"inputs\":{\"group.png\":{\"kind\":\"video\",\"tracks\":[]}}}", "--regions-in inputs[\"group.png\"].kind: kind must be \"images\"")]
    [TestCase("{\"inputs\":{\"group.png\":{\"kind\":\"images\",\"files\":[{\"index\":0,\"regions\":[{\"x\":1,\"y\":1,\"w\":-4,\"h\":5}]}]}}}", "--regions-in inputs[\"group.png\"].files[0].regions[0].w: w must be a positive number")]
    [TestCase("{\"inputs\":{\"group.png\":{\"kind\":\"images\",\"files\":[{\"index\":0,\"regions\":[{\"x\":1,\"y\":1,\"w\":4,\"h\":5,\"hiden\":false}]}]}}}", "--regions-in inputs[\"group.png\"].files[0].regions[0].hiden: Unknown key")]
    [TestCase("{\"kind\":\"images\",\"files\":[{\"index\":1,\"regions\":[]}]}", "--regions-in files[0].index: There is no photo number 1")]
    [TestCase("{\"input\":{}}", "--regions-in input: Unknown key")]
    [TestCase("{\"inputs\":", "--regions-in : not valid JSON")]
    public async Task An_unusable_regions_file_names_the_offending_path_and_exits_with_2(string json, string problem)
    {
        CliMedia.Png("2008_002079.jpg", Path.Combine(dir, "group.png"));
        File.WriteAllText(Path.Combine(dir, "regions.json"), json);

        var run = await CliProcess.RunAsync(dir, ["group.png", "-o", "out", "--regions-in", "regions.json"]);

        run.ExitCode.Should().Be(2, run.ToString());
        run.Error.Should().Contain("faceblur: " + problem.Replace("--regions-in : ", "--regions-in ", StringComparison.Ordinal));
        Directory.Exists(Path.Combine(dir, "out")).Should().BeFalse("nothing is written");
    }

    [Test]
    public async Task Regions_made_for_another_picture_fail_that_input_and_no_detect_without_regions_for_an_input_is_refused()
    {
        CliMedia.Png("2008_002079.jpg", Path.Combine(dir, "a.png"));
        CliMedia.Png("2008_001009.jpg", Path.Combine(dir, "b.png"));
        File.WriteAllText(Path.Combine(dir, "wrong.json"), "{\"inputs\":{\"a.png\":{\"kind\":\"images\",\"files\":[{\"index\":0,\"width\":640,\"regions\":[]}]}}}");

        var wrong = await CliProcess.RunAsync(dir, ["a.png", "b.png", "-o", "out", "--regions-in", "wrong.json"]);

        wrong.ExitCode.Should().Be(1, wrong.ToString());
        wrong.Output.Should().Contain("a.png: --regions-in inputs[\"a.png\"].files[0].width: The media is 500 pixels on this side, not 640");
        CliMedia.Files(Path.Combine(dir, "out")).Should().Equal(["b.png"]);

        var missing = await CliProcess.RunAsync(dir, ["a.png", "b.png", "-o", "none", "--regions-in", "wrong.json", "--no-detect"]);

        missing.ExitCode.Should().Be(2, missing.ToString());
        missing.Error.Should().Contain("--no-detect: --regions-in gives no regions for b.png");
        Directory.Exists(Path.Combine(dir, "none")).Should().BeFalse();
    }

    private static bool Overlaps(FaceBox a, FaceBox b) => a.X < b.Right && b.X < a.Right && a.Y < b.Bottom && b.Y < a.Bottom;

    private static FaceBox Box(JsonNode region) => new(
        region["x"]!.GetValue<float>(), region["y"]!.GetValue<float>(), region["w"]!.GetValue<float>(), region["h"]!.GetValue<float>(), 1);

    /// <summary>One photo through the service's API: its output and its regions export.</summary>
    private async Task<(byte[] Output, JsonObject Regions)> ServiceAsync(byte[] photo, string name, Dictionary<string, string> fields)
    {
        var taskId = await Http.SubmitAsync(client, "/blur", Http.Form([("files", name, photo)], fields));
        using var result = await Http.WaitForResultAsync(client, taskId);
        result.StatusCode.Should().Be(HttpStatusCode.OK, await result.Content.ReadAsStringAsync());
        var output = await result.Content.ReadAsByteArrayAsync();
        using var regions = await client.GetAsync($"/results/{taskId}/regions");
        var envelope = JsonNode.Parse(Encoding.UTF8.GetString(await regions.Content.ReadAsByteArrayAsync()))!.AsObject();
        return (output, envelope["data"]!.AsObject());
    }
}
