using System.Net;
using System.Text.Json.Nodes;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Tests.Support;
using FaceBlur.Tests.Video;
using OpenCvSharp;

namespace FaceBlur.Tests.Api;

/// <summary>
/// Regions out and in for a video over real HTTP: the export (tracks with a box on every frame they hid) sent back with
/// detect=false gives the same frames, and a track sent back as kept stays visible on every frame while the other faces
/// stay hidden. Invalid video regions are refused naming their path.
/// </summary>
[NonParallelizable]
[Integration]
public class VideoRegionsTests
{
    private FaceBlurFactory _factory = null!;
    private HttpClient _client = null!;
    private string _dir = null!;
    private byte[] _clip = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _factory = new FaceBlurFactory();
        _client = _factory.CreateClient();
        _dir = Directory.CreateTempSubdirectory("faceblur-video-regions-").FullName;
        var path = Path.Combine(_dir, "clip.mp4");
        TestVideos.Create(path, TestVideos.MovingFace(seconds: 2, audio: false));
        _clip = File.ReadAllBytes(path);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _client.Dispose();
        _factory.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<(List<Mat> Frames, JsonObject Regions)> RunAsync(IReadOnlyDictionary<string, string>? fields = null)
    {
        var taskId = await Http.SubmitAsync(_client, "/blur/video", Http.Form([("file", "clip.mp4", _clip)], fields));
        using var result = await Http.WaitForResultAsync(_client, taskId, TimeSpan.FromSeconds(120));
        result.StatusCode.Should().Be(HttpStatusCode.OK, await result.Content.ReadAsStringAsync());
        var output = Path.Combine(_dir, $"{taskId}.mp4");
        await File.WriteAllBytesAsync(output, await result.Content.ReadAsByteArrayAsync());
        using var regions = await _client.GetAsync($"/results/{taskId}/regions");
        regions.StatusCode.Should().Be(HttpStatusCode.OK);
        var data = JsonNode.Parse(await regions.Content.ReadAsStringAsync())!["data"]!.AsObject();
        return (VideoTestMedia.DecodeFrames(output, 480, 360), data);
    }

    private List<Mat> InputFrames()
    {
        var input = Path.Combine(_dir, "clip.mp4");
        return VideoTestMedia.DecodeFrames(input, 480, 360);
    }

    private static FaceBox Box(JsonNode frame) =>
        new(frame["x"]!.GetValue<float>(), frame["y"]!.GetValue<float>(), frame["w"]!.GetValue<float>(), frame["h"]!.GetValue<float>(), 1);

    private static double Difference(Mat a, Mat b, FaceBox box)
    {
        var rect = box.ToRect(a.Width, a.Height);
        using var diff = new Mat();
        Cv2.Absdiff(a[rect], b[rect], diff);
        return Cv2.Mean(diff).ToDouble();
    }

    /// <summary>Frame index by time: the clip is 25 fps from 0.</summary>
    private static int FrameAt(JsonNode frame) => (int)Math.Round(frame["t"]!.GetValue<double>() * 25);

    [Test]
    public async Task The_export_sent_back_without_detection_gives_the_same_frames()
    {
        var (first, regions) = await RunAsync();
        regions["kind"]!.GetValue<string>().Should().Be("video");
        regions["width"]!.GetValue<int>().Should().Be(480);
        var tracks = regions["tracks"]!.AsArray();
        tracks.Should().NotBeEmpty();
        foreach (var track in tracks)
        {
            track!["source"]!.GetValue<string>().Should().Be("detector");
            track["frames"]!.AsArray().Should().NotBeEmpty();
        }

        var (second, _) = await RunAsync(new Dictionary<string, string> { ["detect"] = "false", ["regions"] = regions.ToJsonString() });

        second.Should().HaveCount(first.Count);
        for (var i = 0; i < first.Count; i++)
        {
            using var diff = new Mat();
            Cv2.Absdiff(first[i], second[i], diff);
            diff.MinMaxLoc(out double _, out double max);
            max.Should().BeLessThanOrEqualTo(1, $"frame {i} is the same (within 1 grey level of the encoder)");
        }
    }

    [Test]
    public async Task A_kept_track_stays_visible_on_every_frame_while_the_other_faces_stay_hidden()
    {
        var (hidden, regions) = await RunAsync();
        var tracks = regions["tracks"]!.AsArray().OrderByDescending(t => t!["frames"]!.AsArray().Count).ToList();
        tracks.Should().HaveCountGreaterThanOrEqualTo(2, "the clip's photo shows several faces");
        var kept = tracks[0]!.DeepClone().AsObject();
        kept["hidden"] = false;
        var send = new JsonObject { ["kind"] = "video", ["tracks"] = new JsonArray(kept) };

        var (output, after) = await RunAsync(new Dictionary<string, string> { ["regions"] = send.ToJsonString() });

        var input = InputFrames();
        foreach (var frame in kept["frames"]!.AsArray())
        {
            var i = FrameAt(frame!);
            var box = Box(frame!);
            var visible = Difference(input[i], output[i], box);
            var whenHidden = Difference(input[i], hidden[i], box);
            visible.Should().BeLessThan(whenHidden / 3, $"the kept face stays visible in frame {i}");
        }

        foreach (var other in tracks.Skip(1))
        {
            foreach (var frame in other!["frames"]!.AsArray().Where(f => !Overlaps(f!, kept)))
            {
                var i = FrameAt(frame!);
                var box = Box(frame!);
                Difference(input[i], output[i], box).Should().BeGreaterThan(Difference(input[i], hidden[i], box) / 2, $"track {other["id"]} stays hidden in frame {i}");
            }
        }

        after["tracks"]!.AsArray().Should().Contain(t => t!["hidden"]!.GetValue<bool>() == false && t["source"]!.GetValue<string>() == "given");
    }

    [Test]
    public async Task Without_detection_and_regions_nothing_is_hidden()
    {
        var (hidden, found) = await RunAsync();
        var (output, regions) = await RunAsync(new Dictionary<string, string> { ["detect"] = "false" });

        regions["tracks"]!.AsArray().Should().BeEmpty();
        var input = InputFrames();
        var faces = found["tracks"]!.AsArray().SelectMany(t => t!["frames"]!.AsArray()).Select(f => (I: FrameAt(f!), Box: Box(f!))).ToList();
        faces.Should().NotBeEmpty();
        var untouched = faces.Average(f => Difference(input[f.I], output[f.I], f.Box));
        var whenHidden = faces.Average(f => Difference(input[f.I], hidden[f.I], f.Box));
        untouched.Should().BeLessThan(whenHidden / 3, "over every face the detector would have hidden, only the encoder's noise");
    }

    [TestCase("""{"tracks":[{"frames":[{"t":0.04,"x":1000,"y":10,"w":40,"h":40}]}]}""", "tracks[0].frames[0].x")]
    [TestCase("""{"tracks":[{"frames":[{"t":100,"x":10,"y":10,"w":40,"h":40}]}]}""", "tracks[0].frames[0].t")]
    [TestCase("""{"width":640,"tracks":[]}""", "width")]
    [TestCase("""{"tracks":[{"id":"a","frames":[]},{"id":"a","frames":[]}]}""", "tracks[1].id")]
    [TestCase("""{"tracks":[{"frames":[{"t":0.04,"x":10,"y":10,"w":0,"h":40}]}]}""", "tracks[0].frames[0].w")]
    public async Task Invalid_video_regions_are_refused_naming_their_path(string regions, string path)
    {
        using var response = await _client.PostAsync("/blur/video", Http.Form([("file", "clip.mp4", _clip)], new Dictionary<string, string> { ["regions"] = regions }));

        var error = await Http.ShouldBeErrorAsync(response, HttpStatusCode.BadRequest, "validation_error");
        error.GetProperty("details").GetProperty("path").GetString().Should().Be(path);
        _factory.JobFiles().Should().BeEmpty();
    }

    /// <summary>True when another track's box in a frame overlaps the kept track's box in that frame (then it is kept too).</summary>
    private static bool Overlaps(JsonNode frame, JsonObject kept) =>
        kept["frames"]!.AsArray().Any(k => FrameAt(k!) == FrameAt(frame) && Box(k!).IoU(Box(frame)) > 0);
}
