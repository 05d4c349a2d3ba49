using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Media;
using FaceBlur.Modules.Processing.Video;
using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Video;

/// <summary>A video is inspected once (one ffprobe pass), and what that learned travels as JSON to the anonymizer.</summary>
[TestFixture]
[NonParallelizable]
[Integration]
public sealed class VideoSourceTests
{
    /// <summary>The options a queue message is read with (see JobMessageSerializer): strict about nulls and required values.</summary>
    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.General)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    private string dir = "";
    private string moving = "";
    private int movingFrames;

    [OneTimeSetUp]
    public void CreateClip()
    {
        dir = Path.Combine(Path.GetTempPath(), "faceblur-video-source-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        moving = Path.Combine(dir, "moving.mp4");
        movingFrames = TestVideos.Create(moving, TestVideos.MovingFace(seconds: 1)).Count;
    }

    [OneTimeTearDown]
    public void RemoveClip() => Directory.Delete(dir, recursive: true);

    [TearDown]
    public void NoFfmpegLeft() => VideoTestMedia.ChildFfmpegProcesses().Should().BeEmpty("every ffmpeg run ends with the call");

    [Test]
    public async Task Inspecting_runs_ffprobe_once_and_anonymizing_the_source_runs_it_never()
    {
        // ffprobe behind a script that counts its runs, then one that marks any run and fails.
        var runs = Path.Combine(dir, "ffprobe-runs");
        var counting = Script("counting-ffprobe.sh", $"echo run >> '{runs}'\nexec ffprobe \"$@\"\n");
        var marker = Path.Combine(dir, "ffprobe-ran");
        var failing = Script("failing-ffprobe.sh", $"touch '{marker}'\nexit 1\n");

        var source = await VideoInspector.InspectAsync(moving, new VideoOptions { FfprobePath = counting }, CancellationToken.None);

        source.IsSuccess.Should().BeTrue(source.Error?.Message);
        (await File.ReadAllLinesAsync(runs)).Should().HaveCount(1, "sniff, probe and frame times come from one ffprobe pass");
        source.Value!.Container.Should().Be(VideoContainer.IsoMedia);
        source.Value.Info.FrameCount.Should().Be(movingFrames);
        source.Value.Times.Count.Should().Be(movingFrames);

        var travelled = JsonSerializer.Deserialize<VideoSource>(JsonSerializer.Serialize(source.Value), Strict)!;
        var output = Path.Combine(dir, "from-source.mp4");
        var result = await new VideoAnonymizer(TestDetector.Video, new VideoOptions { FfprobePath = failing })
            .AnonymizeAsync(travelled, moving, output, AnonymizeOptions.Default, null, CancellationToken.None);

        result.IsSuccess.Should().BeTrue(result.Error?.Message);
        File.Exists(marker).Should().BeFalse("the worker probes nothing again");
        result.Value!.Frames.Should().Be(movingFrames);
        VideoTestMedia.FrameTimes(output).Should().Equal(VideoTestMedia.FrameTimes(moving), (a, b) => Math.Abs(a - b) < 0.0005);
    }

    [Test]
    public async Task Inspecting_refuses_what_the_anonymizer_refuses()
    {
        var text = Path.Combine(dir, "list.mp4");
        await File.WriteAllTextAsync(text, "#EXTM3U\n#EXTINF:10,\nfile:///etc/passwd\n");

        var playlist = await VideoInspector.InspectAsync(text, new VideoOptions(), CancellationToken.None);
        var tooLong = await VideoInspector.InspectAsync(moving, new VideoOptions { MaxVideoSeconds = 0.5 }, CancellationToken.None);
        var missing = await VideoInspector.InspectAsync(Path.Combine(dir, "none.mp4"), new VideoOptions(), CancellationToken.None);

        playlist.Error!.Kind.Should().Be(MediaErrorKind.UnsupportedMediaType);
        tooLong.Error!.Kind.Should().Be(MediaErrorKind.MediaTooLong);
        missing.Error!.Kind.Should().Be(MediaErrorKind.CorruptMedia);
    }

    [TestCase("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n#EXTINF:10,\nhttp://127.0.0.1:{PORT}/a.ts\n#EXT-X-ENDLIST\n", "list.mp4")]
    [TestCase("#EXTM3U\n#EXTINF:10,\nhttp://127.0.0.1:9/\n", "list.m3u8")]
    [TestCase("ffconcat version 1.0\nfile /etc/passwd\nfile http://127.0.0.1:{PORT}/x.mp4\n", "list.mp4")]
    [TestCase("v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\nm=video {PORT} RTP/AVP 96\na=rtpmap:96 H264/90000\n", "session.sdp")]
    public async Task Playlists_AreRefusedBeforeFfmpegRuns(string content, string name)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var input = Path.Combine(dir, name);
        await File.WriteAllTextAsync(input, content.Replace("{PORT}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

        // ffmpeg and ffprobe replaced by a script that leaves a mark: it must never run.
        var marker = Path.Combine(dir, "ran-" + name);
        var fake = Path.Combine(dir, "fake-ffmpeg.sh");
        await File.WriteAllTextAsync(fake, $"#!/bin/sh\ntouch '{marker}'\nexit 1\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var options = new VideoOptions { FfmpegPath = fake, FfprobePath = fake };

        var result = await new VideoAnonymizer(TestDetector.Video, options).AnonymizeAsync(input, Path.Combine(dir, "list-out.mp4"), AnonymizeOptions.Default, null, CancellationToken.None);

        result.Error!.Kind.Should().Be(MediaErrorKind.UnsupportedMediaType);
        File.Exists(marker).Should().BeFalse("the refusal happens before ffmpeg or ffprobe is started");
        listener.Pending().Should().BeFalse("nothing connected to the address in the playlist");
        VideoSniffer.Sniff(await File.ReadAllBytesAsync(input)).Should().BeNull();
    }

    [Test]
    public void A_source_round_trips_through_json_with_its_fixed_names()
    {
        const string Probe = """
            {"streams":[{"index":1,"codec_type":"video","codec_name":"h264","width":720,"height":576,"sample_aspect_ratio":"16:15",
              "side_data_list":[{"rotation":-90}],"r_frame_rate":"25/1","avg_frame_rate":"25/1","nb_frames":"3","color_space":"bt709",
              "start_time":"0.04"},{"index":0,"codec_type":"audio","codec_name":"pcm_s16le"}],
             "format":{"duration":"2.0","start_time":"0"}}
            """;
        var info = VideoProbe.Interpret(Probe, new VideoLimits(300)).Value!;
        var source = new VideoSource(VideoContainer.Matroska, info, FrameTimes.FromTicks([0, 1, 3], 1, 25, 2, 1, 25));

        var json = JsonSerializer.Serialize(source);
        var back = JsonSerializer.Deserialize<VideoSource>(json, Strict)!;

        using (var doc = JsonDocument.Parse(json))
        {
            var root = doc.RootElement;
            root.GetProperty("container").GetString().Should().Be("matroska");
            root.GetProperty("info").GetProperty("pixel_aspect").GetProperty("width").GetInt32().Should().Be(16);
            root.GetProperty("info").GetProperty("audio_codecs")[0].GetString().Should().Be("pcm_s16le");
            root.GetProperty("frame_times").GetProperty("time_base").GetString().Should().Be("1/25");
        }

        back.Container.Should().Be(VideoContainer.Matroska);
        back.Info.Should().BeEquivalentTo(info);
        (back.Info.DisplayWidth, back.Info.DisplayHeight, back.Info.DisplayPixelAspect).Should().Be((576, 720, new PixelAspect(15, 16)));
        back.Info.VideoStreamIndex.Should().Be(1);
        back.Info.VideoStartOffset.Should().Be(0.04);
        back.Info.ColorSpace.Should().Be("bt709");
        SameTimes(back.Times, source.Times, 5);
        back.Times.Discarded.Should().Be(1);
    }

    [TestCase(60, 15_360, 256, 0, 1_000)]
    [TestCase(60, 90_000, 1_500, 1, 10_000)]
    [TestCase(30, 600, 20, 1, 10_000)]
    public void Five_minutes_of_frame_times_travel_in_a_few_kilobytes(int fps, int timeScale, int gap, int jitter, int maxBytes)
    {
        // Constant rates, and a phone's rate whose gaps wander by a tick either way (the worst case for compression).
        var random = new Random(5);
        var ticks = new long[300 * fps];
        for (var i = 1; i < ticks.Length; i++)
        {
            ticks[i] = ticks[i - 1] + gap + random.Next(-jitter, jitter + 1);
        }

        var times = FrameTimes.FromTicks(ticks, 1, timeScale, gap, 0, fps);

        var json = JsonSerializer.Serialize(times);
        var back = JsonSerializer.Deserialize<FrameTimes>(json, Strict)!;

        TestContext.Out.WriteLine($"{ticks.Length} frame times: {json.Length} bytes of JSON");
        json.Length.Should().BeLessThan(maxBytes);
        SameTimes(back, times, ticks.Length + 2);
        back.TimeScale.Should().Be(timeScale);
    }

    [Test]
    public void Evenly_spaced_frames_round_trip_by_their_rate()
    {
        var times = FrameTimes.Even(30000 / 1001.0);

        var json = JsonSerializer.Serialize(times);
        var back = JsonSerializer.Deserialize<FrameTimes>(json, Strict)!;

        json.Should().Contain("frames_per_second");
        SameTimes(back, times, 100);
        back.Count.Should().Be(0);
    }

    [TestCase("""{"time_base":"1/25","ticks":"not base64!","frames":3,"last_duration":1,"discarded":0}""")]
    [TestCase("""{"time_base":"1/25","ticks":"","frames":3,"last_duration":1,"discarded":0}""")]
    [TestCase("""{"time_base":"0/0","ticks":"","frames":1,"last_duration":1,"discarded":0}""")]
    [TestCase("""{"ticks":"","frames":3}""")]
    [TestCase("""{"frames_per_second":0}""")]
    [TestCase("""{"time_base":"1/25","ticks":"","frames":3,"what":1}""")]
    [TestCase("[1,2,3]")]
    public void Damaged_frame_times_are_a_json_error(string json) =>
        FluentActions.Invoking(() => JsonSerializer.Deserialize<FrameTimes>(json, Strict)).Should().Throw<JsonException>();

    private static void SameTimes(FrameTimes actual, FrameTimes expected, int frames)
    {
        actual.Count.Should().Be(expected.Count);
        actual.LastFrameMicroseconds.Should().Be(expected.LastFrameMicroseconds);
        Enumerable.Range(0, frames).Select(i => actual.MicrosecondsOf(i)).Should().Equal(Enumerable.Range(0, frames).Select(i => expected.MicrosecondsOf(i)));
    }

    private string Script(string name, string body)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }
}
