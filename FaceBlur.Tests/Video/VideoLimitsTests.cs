using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Media;
using FaceBlur.Modules.Processing.Video;
using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Video;

/// <summary>
/// MAX_VIDEO_SECONDS holds for what a video plays, not only for what its header declares; time limits follow what is
/// decoded; videos too small to hold a face are refused when inspected.
/// </summary>
[TestFixture]
[NonParallelizable]
[Integration]
public sealed class VideoLimitsTests
{
    private string dir = "";
    private string twelveSeconds = "";

    [OneTimeSetUp]
    public void CreateClips()
    {
        dir = Path.Combine(Path.GetTempPath(), "faceblur-video-limits-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        twelveSeconds = Out("twelve.mp4");
        TestVideos.Ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=12", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", twelveSeconds);
    }

    [OneTimeTearDown]
    public void RemoveClips() => Directory.Delete(dir, recursive: true);

    [TearDown]
    public void NoFfmpegLeft() => VideoTestMedia.ChildFfmpegProcesses().Should().BeEmpty("every ffmpeg run ends with the call");

    [Test]
    public async Task An_mp4_whose_header_says_2_s_but_which_plays_12_s_is_too_long_for_5_s()
    {
        var forged = Out("forged-duration.mp4");
        await File.WriteAllBytesAsync(forged, Mp4Boxes.WithDeclaredDuration(await File.ReadAllBytesAsync(twelveSeconds), 2));
        var declared = VideoTestMedia.ProbeFile(forged);
        Probe.Num(declared.Video, "duration").Should().Be(2, "mdhd says so");
        declared.Duration.Should().Be(2, "mvhd says so");

        var inspected = await VideoInspector.InspectAsync(forged, new VideoOptions { MaxVideoSeconds = 5 }, CancellationToken.None);

        inspected.Error!.Kind.Should().Be(MediaErrorKind.MediaTooLong);
        inspected.Error.Message.Should().Contain("12 s long").And.Contain("limit is 5 s");
    }

    [Test]
    public async Task A_matroska_file_whose_segment_duration_says_2_s_but_which_plays_12_s_is_too_long_for_5_s()
    {
        var mkv = Out("twelve.mkv");
        TestVideos.Ffmpeg("-i", twelveSeconds, "-c", "copy", mkv);
        var forged = Out("forged-duration.mkv");
        await File.WriteAllBytesAsync(forged, MatroskaElements.WithDeclaredDuration(await File.ReadAllBytesAsync(mkv), 2));
        VideoTestMedia.ProbeFile(forged).Duration.Should().Be(2, "the Segment Duration says so");

        var inspected = await VideoInspector.InspectAsync(forged, new VideoOptions { MaxVideoSeconds = 5 }, CancellationToken.None);

        inspected.Error!.Kind.Should().Be(MediaErrorKind.MediaTooLong);
    }

    [Test]
    public async Task Decoding_stops_with_media_too_long_once_the_video_plays_past_the_limit_whatever_was_declared()
    {
        // What the inspection of a file with no readable frame times and a lying header would carry: 2 s, 20 frames.
        var inspected = await VideoInspector.InspectAsync(twelveSeconds, new VideoOptions(), CancellationToken.None);
        var lying = inspected.Value! with
        {
            Info = inspected.Value.Info with { DurationSeconds = 2, FrameCount = 20, VideoDurationSeconds = 2 },
            Times = FrameTimes.Even(10),
        };
        var output = Out("too-long-out.mp4");

        var result = await new VideoAnonymizer(TestDetector.Video, new VideoOptions { MaxVideoSeconds = 5 })
            .AnonymizeAsync(lying, twelveSeconds, output, AnonymizeOptions.Default, null, CancellationToken.None);

        result.Error!.Kind.Should().Be(MediaErrorKind.MediaTooLong);
        result.Error.Code.Should().Be("media_too_long");
        result.Error.Message.Should().Contain("limit of 5 s");
        File.Exists(output).Should().BeFalse();
    }

    [Test]
    public async Task The_time_limit_follows_the_seconds_decoded_not_the_declared_duration()
    {
        // 60 s of video declared as 0.1 s: a limit of 2 s + 0.5 s per declared second would end the run after 2 s; one
        // that grows by 0.5 s per decoded second lets a pipeline faster than twice real time finish.
        var minute = Out("minute.mp4");
        TestVideos.Ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=25:duration=60", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", minute);
        var inspected = await VideoInspector.InspectAsync(minute, new VideoOptions(), CancellationToken.None);
        var lying = inspected.Value! with
        {
            Info = inspected.Value.Info with { DurationSeconds = 0.1, FrameCount = null, VideoDurationSeconds = 0.1 },
            Times = FrameTimes.Even(25),
        };
        var options = new VideoOptions { TimeoutBaseSeconds = 2, TimeoutPerVideoSecond = 0.5 };

        var result = await new VideoAnonymizer(TestDetector.Video, options)
            .AnonymizeAsync(lying, minute, Out("minute-out.mp4"), AnonymizeOptions.Default, null, CancellationToken.None);

        result.IsSuccess.Should().BeTrue(result.Error?.Message);
        result.Value!.Frames.Should().Be(1500);
    }

    [TestCase(1, 1, "-c:v mjpeg -pix_fmt yuvj444p", "avi")]
    [TestCase(8, 8, "-c:v libx264 -pix_fmt yuv420p", "mp4")]
    [TestCase(640, 14, "-c:v libx264 -pix_fmt yuv420p", "mp4")]
    public async Task A_video_smaller_than_16x16_is_refused_when_inspected(int width, int height, string codec, string extension)
    {
        var tiny = Out($"tiny-{width}x{height}.{extension}");
        TestVideos.Ffmpeg(["-f", "lavfi", "-i", $"testsrc=size={width}x{height}:rate=10:duration=1", .. codec.Split(' '), tiny]);

        var inspected = await VideoInspector.InspectAsync(tiny, new VideoOptions(), CancellationToken.None);

        inspected.Error!.Kind.Should().Be(MediaErrorKind.MediaTooSmall);
        inspected.Error.Code.Should().Be("validation_error");
        inspected.Error.Message.Should().Be($"The video is {width}x{height}; videos must be at least 16x16.");
    }

    [Test]
    public async Task A_16x16_video_is_taken_and_anonymized()
    {
        var small = Out("small.mp4");
        TestVideos.Ffmpeg("-f", "lavfi", "-i", "testsrc=size=16x16:rate=10:duration=1", "-c:v", "libx264", "-pix_fmt", "yuv420p", small);

        var result = await new VideoAnonymizer(TestDetector.Video, new VideoOptions())
            .AnonymizeAsync(small, Out("small-out.mp4"), AnonymizeOptions.Default, null, CancellationToken.None);

        result.IsSuccess.Should().BeTrue(result.Error?.Message);
        (result.Value!.Width, result.Value.Height, result.Value.Frames).Should().Be((16, 16, 10L));
    }

    [Test]
    public void The_minimum_applies_to_the_upright_picture()
    {
        const string Rotated = """{"streams":[{"index":0,"codec_type":"video","codec_name":"h264","width":640,"height":12,"r_frame_rate":"25/1","avg_frame_rate":"25/1","side_data_list":[{"rotation":-90}]}],"format":{"duration":"2.0"}}""";

        var info = VideoProbe.Interpret(Rotated, new VideoLimits(300));

        info.Error!.Kind.Should().Be(MediaErrorKind.MediaTooSmall);
        info.Error.Message.Should().Contain("12x640");
    }

    [Test]
    public void Probe_RefusesAbove4k_AndWithoutVideo()
    {
        const string Big = """{"streams":[{"index":0,"codec_type":"video","codec_name":"h264","width":4096,"height":2160,"r_frame_rate":"25/1","avg_frame_rate":"25/1"}],"format":{"duration":"2.0"}}""";
        const string AudioOnly = """{"streams":[{"index":0,"codec_type":"audio","codec_name":"aac"}],"format":{"duration":"2.0"}}""";
        const string Portrait = """{"streams":[{"index":0,"codec_type":"video","codec_name":"h264","width":2160,"height":3840,"r_frame_rate":"30/1","avg_frame_rate":"30/1","side_data_list":[{"rotation":-90}]}],"format":{"duration":"2.0"}}""";

        VideoProbe.Interpret(Big, new VideoLimits(300)).Error!.Kind.Should().Be(MediaErrorKind.MediaTooLarge);
        VideoProbe.Interpret(AudioOnly, new VideoLimits(300)).Error!.Kind.Should().Be(MediaErrorKind.UnsupportedMediaType);
        var portrait = VideoProbe.Interpret(Portrait, new VideoLimits(300));
        portrait.IsSuccess.Should().BeTrue();
        portrait.Value!.Rotation.Should().Be(270);
        (portrait.Value.DisplayWidth, portrait.Value.DisplayHeight).Should().Be((3840, 2160));
    }

    [TestCase("\"sample_aspect_ratio\":\"4:3\",", 0, 4, 3)]
    [TestCase("\"sample_aspect_ratio\":\"4:3\",\"side_data_list\":[{\"rotation\":-90}],", 270, 3, 4)]
    [TestCase("\"sample_aspect_ratio\":\"0:1\",", 0, 1, 1)]
    [TestCase("\"sample_aspect_ratio\":\"1000:1\",", 0, 1, 1)]
    [TestCase("", 0, 1, 1)]
    public void Probe_reads_the_pixel_shape_and_turns_it_with_the_picture(string field, int rotation, int width, int height)
    {
        var json = "{\"streams\":[{\"index\":0,\"codec_type\":\"video\",\"codec_name\":\"h264\",\"width\":720,\"height\":576," + field
            + "\"r_frame_rate\":\"25/1\",\"avg_frame_rate\":\"25/1\"}],\"format\":{\"duration\":\"2.0\"}}";

        var info = VideoProbe.Interpret(json, new VideoLimits(300)).Value!;

        info.Rotation.Should().Be(rotation);
        info.DisplayPixelAspect.Should().Be(new PixelAspect(width, height));
    }

    private string Out(string name) => Path.Combine(dir, name);
}
