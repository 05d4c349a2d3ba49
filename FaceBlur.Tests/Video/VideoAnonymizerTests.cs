using System.Collections.Concurrent;
using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Media;
using FaceBlur.Modules.Processing.Video;
using FaceBlur.Testing.Video;
using FaceBlur.Tests.Support;
using OpenCvSharp;

namespace FaceBlur.Tests.Video;

[TestFixture]
[NonParallelizable]
[Integration]
public sealed class VideoAnonymizerTests
{
    private const int Fps = 25;
    private static readonly AnonymizeOptions Solid = new() { Mode = AnonymizationMode.Solid, Shape = MaskShape.Rect };

    private string dir = "";
    private string moving = "";
    private IReadOnlyList<IReadOnlyList<FaceBox>> movingTruth = [];

    [OneTimeSetUp]
    public void CreateClips()
    {
        dir = Path.Combine(Path.GetTempPath(), "faceblur-video-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        moving = Path.Combine(dir, "moving.mp4");
        movingTruth = TestVideos.Create(moving, TestVideos.MovingFace());
    }

    [OneTimeTearDown]
    public void RemoveClips() => Directory.Delete(dir, recursive: true);

    [TearDown]
    public void NoFfmpegLeft() => VideoTestMedia.ChildFfmpegProcesses().Should().BeEmpty("every ffmpeg run ends with the call");

    [Test]
    public async Task Mp4_KeepsFramesDurationAndAudio_AsH264Yuv420pAacWithFaststart_AndCoversTheMovingFaceInEveryFrame()
    {
        var output = Out("moving-out.mp4");
        var progress = new List<VideoProgress>();
        var anonymizer = new VideoAnonymizer(TestDetector.Video, new VideoOptions());

        var result = await anonymizer.AnonymizeAsync(moving, output, AnonymizeOptions.Default, progress.Add, CancellationToken.None);

        result.IsSuccess.Should().BeTrue(result.Error?.Message);
        var input = VideoTestMedia.ProbeFile(moving);
        var probe = VideoTestMedia.ProbeFile(output);
        Probe.Str(probe.Video, "codec_name").Should().Be("h264");
        Probe.Str(probe.Video, "pix_fmt").Should().Be("yuv420p");
        probe.Audio.Should().ContainSingle().Which.GetProperty("codec_name").GetString().Should().Be("aac");
        probe.Frames.Should().Be(input.Frames).And.Be(movingTruth.Count);
        Probe.Rate(probe.Video, "avg_frame_rate").Should().BeApproximately(Fps, 0.01);
        Probe.Num(probe.Video, "duration").Should().BeApproximately(Probe.Num(input.Video, "duration"), 1.0 / Fps);
        Probe.Num(probe.Audio[0], "duration").Should().BeApproximately(Probe.Num(input.Audio[0], "duration"), 0.1);
        var boxes = VideoTestMedia.TopLevelBoxes(output);
        boxes.IndexOf("moov").Should().BeLessThan(boxes.IndexOf("mdat"), "faststart puts the index first");

        result.Value!.Frames.Should().Be(movingTruth.Count);
        result.Value.HasAudio.Should().BeTrue();
        result.Value.FacesDetected.Should().BeGreaterThan(0);
        progress.Select(p => p.Fraction).Should().BeInAscendingOrder().And.HaveCountGreaterThan(10);
        progress[^1].Should().Be(new VideoProgress(VideoStage.Encoding, 1));
        progress.Select(p => p.Fraction).Should().OnlyContain(f => f == Math.Round(f, 3), "progress has 3 decimals");
        progress.Select(p => p.Stage).Should().BeInAscendingOrder("detecting, then encoding, never back");
        progress[0].Stage.Should().Be(VideoStage.Detecting);
        progress.Count(p => p.Stage == VideoStage.Encoding && p.Fraction < 1).Should().BeGreaterThan(1, "the last frames are encoded after every frame was searched");
        var coverage = ClipMeasures.Coverage(movingTruth, ClipMeasures.RegionsByFrame(result.Value.Tracks), AnonymizeOptions.Default, 480, 360);
        coverage.FacesChecked.Should().BeGreaterThan(movingTruth.Count);
        coverage.UncoveredFrames.Should().Be(0, $"worst coverage {coverage.WorstCoverage:0.00}");
    }

    [Test]
    public async Task HoldAndLookAhead_HideTheFaceInFramesTheDetectorMisses()
    {
        // The detector sees nothing before frame 4 (look-ahead must cover 0-3) and nothing in 20-30 (hold must cover).
        var blind = new HashSet<int>([0, 1, 2, 3, .. Enumerable.Range(20, 11)]);
        var detector = new ScriptedDetector(movingTruth, blind);
        var options = new VideoOptions { DetectionParallelism = 1, HoldSeconds = 0.5, LookAheadFrames = 5 };
        var anonymizer = new VideoAnonymizer(detector, options);
        var output = Out("held.mp4");

        var result = await anonymizer.AnonymizeAsync(moving, output, Solid, null, CancellationToken.None);

        result.IsSuccess.Should().BeTrue(result.Error?.Message);
        detector.Calls.Should().Be(movingTruth.Count);
        var coverage = ClipMeasures.Coverage(movingTruth, ClipMeasures.RegionsByFrame(result.Value!.Tracks), Solid, 480, 360);
        coverage.UncoveredFrames.Should().Be(0, $"worst coverage {coverage.WorstCoverage:0.00}");

        // And in the pixels: the middle of every face is the solid fill (dark grey) in the blind frames.
        var frames = VideoTestMedia.DecodeFrames(output, 480, 360);
        try
        {
            frames.Should().HaveCount(movingTruth.Count);
            foreach (var f in blind)
            {
                foreach (var face in movingTruth[f].Where(b => Math.Min(b.Width, b.Height) >= 24 && b.X >= 0 && b.Y >= 0 && b.Right <= 480 && b.Bottom <= 360))
                {
                    var mean = VideoTestMedia.MeanOfCenter(frames[f], face);
                    new[] { mean.Val0, mean.Val1, mean.Val2 }.Should().AllSatisfy(v => v.Should().BeInRange(16, 52), $"frame {f}");
                }
            }
        }
        finally
        {
            frames.ForEach(m => m.Dispose());
        }
    }

    [Test]
    public async Task ThreadNice_RunsDetectionAndFfmpegBelowNormalPriority()
    {
        var detector = new PriorityProbeDetector();
        var anonymizer = new VideoAnonymizer(detector, new VideoOptions()) { ThreadNice = 7 };

        var result = await anonymizer.AnonymizeAsync(moving, Out("niced.mp4"), AnonymizeOptions.Default, null, CancellationToken.None);

        result.IsSuccess.Should().BeTrue(result.Error?.Message);
        detector.ThreadNice.Should().HaveCount(movingTruth.Count).And.OnlyContain(n => n == 7, "every detection runs on a lowered thread");
        detector.FfmpegNice.Should().NotBeEmpty().And.OnlyContain(n => n == 7, "the decoder and encoder inherit the lowered priority");
    }

    [Test]
    public async Task Vfr_KeepsEveryFrameAtItsOwnTime()
    {
        var input = Out("vfr.mkv");
        // 30 frames at 25 fps, then 20 frames at 12.5 fps.
        TestVideos.Ffmpeg("-i", moving, "-vf", "setpts='if(lt(N,30),N*0.04,1.2+(N-30)*0.08)/TB'", "-fps_mode", "vfr", "-c:v", "libx264", "-preset", "ultrafast", "-an", input);
        var source = VideoTestMedia.ProbeFile(input, countFrames: true);
        var output = Out("vfr-out.mp4");

        var result = await new VideoAnonymizer(TestDetector.Video, new VideoOptions()).AnonymizeAsync(input, output, AnonymizeOptions.Default, null, CancellationToken.None);

        result.IsSuccess.Should().BeTrue(result.Error?.Message);
        var probe = VideoTestMedia.ProbeFile(output, countFrames: true);
        probe.Frames.Should().Be(source.Frames);
        VideoTestMedia.FrameTimes(output).Should().Equal(VideoTestMedia.FrameTimes(input), (a, b) => Math.Abs(a - b) < 0.0005, "every frame keeps its time");
        VideoTestMedia.FrameTimes(output)[29..32].Should().Equal([1.16, 1.2, 1.28], (a, b) => Math.Abs(a - b) < 0.0005);
        probe.Duration.Should().BeApproximately(source.Duration, 0.001, "the last frame is shown as long as in the input");
        result.Value!.DurationSeconds.Should().BeApproximately(source.Duration, 0.001, "the duration counted in the stats");
        probe.Audio.Should().BeEmpty();
        result.Value!.HasAudio.Should().BeFalse();
    }

    [Test]
    public async Task An_edit_list_that_hides_the_first_frames_keeps_only_the_shown_frames_at_their_times()
    {
        // Cut by stream copy at 0.5 s: the file starts at the keyframe before, an edit list hides the frames up to 0.5 s
        // (the container declares them all, the demuxer marks them discarded).
        var input = Out("edited.mp4");
        TestVideos.Ffmpeg("-ss", "0.5", "-i", moving, "-c", "copy", input);
        var source = VideoTestMedia.ProbeFile(input, countFrames: true);
        var shown = VideoTestMedia.FrameTimes(input, decoded: true);
        Probe.Num(source.Video, "nb_frames").Should().BeGreaterThan(shown.Count, "the test needs frames hidden by the edit list");
        var output = Out("edited-out.mp4");

        var result = await new VideoAnonymizer(TestDetector.Video, new VideoOptions()).AnonymizeAsync(input, output, AnonymizeOptions.Default, null, CancellationToken.None);

        result.IsSuccess.Should().BeTrue(result.Error?.Message);
        var probe = VideoTestMedia.ProbeFile(output, countFrames: true);
        probe.Frames.Should().Be(shown.Count);
        VideoTestMedia.FrameTimes(output).Should().Equal(shown, (a, b) => Math.Abs(a - b) < 0.0005);
        Probe.Num(probe.Audio[0], "duration").Should().BeApproximately(Probe.Num(source.Audio[0], "duration"), 0.1);
    }

    [Test]
    public async Task Ntsc_rate_keeps_its_exact_clock_and_stays_in_step_with_the_sound()
    {
        // 29.97 fps (30000/1001) with sound: the frame times and the track's clock come out exactly as they went in.
        var input = Out("ntsc.mp4");
        TestVideos.Ffmpeg("-i", moving, "-vf", "fps=30000/1001", "-c:v", "libx264", "-preset", "ultrafast", "-video_track_timescale", "30000", "-c:a", "copy", input);
        var output = Out("ntsc-out.mp4");

        var result = await new VideoAnonymizer(TestDetector.Video, new VideoOptions()).AnonymizeAsync(input, output, AnonymizeOptions.Default, null, CancellationToken.None);

        result.IsSuccess.Should().BeTrue(result.Error?.Message);
        var source = VideoTestMedia.ProbeFile(input, countFrames: true);
        var probe = VideoTestMedia.ProbeFile(output, countFrames: true);
        probe.Frames.Should().Be(source.Frames);
        Probe.Str(probe.Video, "r_frame_rate").Should().Be("30000/1001");
        Probe.Str(probe.Video, "avg_frame_rate").Should().Be(Probe.Str(source.Video, "avg_frame_rate"));
        Probe.Str(probe.Video, "time_base").Should().Be("1/30000");
        VideoTestMedia.FrameTimes(output).Should().Equal(VideoTestMedia.FrameTimes(input), (a, b) => Math.Abs(a - b) < 0.00001);
        Probe.Num(probe.Audio[0], "duration").Should().BeApproximately(Probe.Num(source.Audio[0], "duration"), 0.1);
        probe.Duration.Should().BeApproximately(source.Duration, 1001.0 / 30000);
    }

    [Test]
    public async Task Rotated_ComesOutUprightAndAnonymized()
    {
        var input = Out("rotated.mp4");
        // The stored picture is turned a quarter clockwise; the rotate=90 tag (a display matrix of 90 degrees
        // counter-clockwise, as ffprobe reports it) tells players to turn it back.
        var stored = Out("stored.mp4");
        TestVideos.Ffmpeg("-i", moving, "-vf", "transpose=1", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "copy", stored);
        TestVideos.Ffmpeg("-i", stored, "-c", "copy", "-metadata:s:v:0", "rotate=90", input);
        var anonymizer = new VideoAnonymizer(TestDetector.Video, new VideoOptions());
        var output = Out("rotated-out.mp4");

        var result = await anonymizer.AnonymizeAsync(input, output, AnonymizeOptions.Default, null, CancellationToken.None);

        result.IsSuccess.Should().BeTrue(result.Error?.Message);
        var probe = VideoTestMedia.ProbeFile(output);
        Probe.Num(probe.Video, "width").Should().Be(480);
        Probe.Num(probe.Video, "height").Should().Be(360);
        probe.Video.TryGetProperty("side_data_list", out _).Should().BeFalse("the output is stored upright");
        var coverage = ClipMeasures.Coverage(movingTruth, ClipMeasures.RegionsByFrame(result.Value!.Tracks), AnonymizeOptions.Default, 480, 360);
        coverage.UncoveredFrames.Should().Be(0, "the faces of the upright picture are where the unrotated clip has them");
    }

    [Test]
    public async Task Anamorphic_keeps_its_pixel_shape_and_its_faces_are_found_in_their_true_shape()
    {
        // Stored squeezed to half the width with 2:1 pixels (as DV and DVD store video): shown 480x360 like the clip.
        var input = Out("anamorphic.mp4");
        TestVideos.Ffmpeg("-i", moving, "-vf", "scale=240:360,setsar=2/1", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "copy", input);
        var anonymizer = new VideoAnonymizer(TestDetector.Video, new VideoOptions());
        var output = Out("anamorphic-out.mp4");

        var result = await anonymizer.AnonymizeAsync(input, output, AnonymizeOptions.Default, null, CancellationToken.None);

        result.IsSuccess.Should().BeTrue(result.Error?.Message);
        var probe = VideoTestMedia.ProbeFile(output);
        Probe.Num(probe.Video, "width").Should().Be(240);
        Probe.Str(probe.Video, "sample_aspect_ratio").Should().Be("2:1");
        Probe.Str(probe.Video, "display_aspect_ratio").Should().Be("4:3");
        var squeezed = movingTruth.Select(faces => (IReadOnlyList<FaceBox>)[.. faces.Select(f => f with { X = f.X / 2, Width = f.Width / 2 })]).ToList();
        ClipMeasures.Coverage(squeezed, ClipMeasures.RegionsByFrame(result.Value!.Tracks), AnonymizeOptions.Default, 240, 360).UncoveredFrames.Should().Be(0);
    }

    [Test]
    public async Task WebmVp9Opus_BecomesH264Aac()
    {
        var input = Out("clip.webm");
        TestVideos.Ffmpeg("-i", moving, "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "500k", "-c:a", "libopus", input);
        var output = Out("webm-out.mp4");

        var result = await new VideoAnonymizer(TestDetector.Video, new VideoOptions()).AnonymizeAsync(input, output, AnonymizeOptions.Default, null, CancellationToken.None);

        result.IsSuccess.Should().BeTrue(result.Error?.Message);
        var source = VideoTestMedia.ProbeFile(input, countFrames: true);
        var probe = VideoTestMedia.ProbeFile(output);
        Probe.Str(probe.Video, "codec_name").Should().Be("h264");
        probe.Audio.Should().ContainSingle().Which.GetProperty("codec_name").GetString().Should().Be("aac");
        probe.Frames.Should().Be(source.Frames);
        Probe.Num(probe.Audio[0], "duration").Should().BeApproximately(source.Duration, 0.1);
    }

    [Test]
    public async Task MovWithPcmAudio_TranscodesTheAudioToAac()
    {
        var input = Out("clip.mov");
        TestVideos.Ffmpeg("-i", moving, "-c:v", "copy", "-c:a", "pcm_s16le", input);
        var output = Out("mov-out.mp4");

        var result = await new VideoAnonymizer(TestDetector.Video, new VideoOptions()).AnonymizeAsync(input, output, AnonymizeOptions.Default, null, CancellationToken.None);

        result.IsSuccess.Should().BeTrue(result.Error?.Message);
        var probe = VideoTestMedia.ProbeFile(output);
        probe.Audio.Should().ContainSingle().Which.GetProperty("codec_name").GetString().Should().Be("aac");
        probe.Frames.Should().Be(movingTruth.Count);
    }

    [Test]
    public async Task NoAudioIn_NoAudioOut()
    {
        var input = Out("silent.mp4");
        TestVideos.Ffmpeg("-i", moving, "-c", "copy", "-an", input);
        var output = Out("silent-out.mp4");

        var result = await new VideoAnonymizer(TestDetector.Video, new VideoOptions()).AnonymizeAsync(input, output, AnonymizeOptions.Default, null, CancellationToken.None);

        result.IsSuccess.Should().BeTrue(result.Error?.Message);
        result.Value!.HasAudio.Should().BeFalse();
        VideoTestMedia.ProbeFile(output).Audio.Should().BeEmpty();
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Truncated_IsCorruptMedia_AndLeavesNoOutput(bool faststart)
    {
        var whole = Out($"whole-{faststart}.mp4");
        TestVideos.Ffmpeg(["-i", moving, "-c", "copy", .. (faststart ? new[] { "-movflags", "+faststart" } : []), whole]);
        var bytes = await File.ReadAllBytesAsync(whole);
        var input = Out($"truncated-{faststart}.mp4");
        await File.WriteAllBytesAsync(input, bytes[..(bytes.Length / 2)]);
        var output = Out($"truncated-out-{faststart}.mp4");

        var result = await new VideoAnonymizer(TestDetector.Video, new VideoOptions()).AnonymizeAsync(input, output, AnonymizeOptions.Default, null, CancellationToken.None);

        result.IsSuccess.Should().BeFalse();
        result.Error!.Kind.Should().Be(MediaErrorKind.CorruptMedia);
        result.Error.Message.Should().MatchRegex("truncated|damaged|incomplete");
        File.Exists(output).Should().BeFalse();
    }

    [Test]
    public async Task Garbage_IsRefusedWithATypedError()
    {
        var random = new Random(7);
        var noise = new byte[50_000];
        random.NextBytes(noise);
        var plain = Out("noise.mp4");
        await File.WriteAllBytesAsync(plain, noise);
        var boxed = Out("boxed-noise.mp4");
        await File.WriteAllBytesAsync(boxed, [0, 0, 0, 24, .. "ftypisom"u8, 0, 0, 2, 0, .. "isommp41"u8, .. noise]);
        var anonymizer = new VideoAnonymizer(TestDetector.Video, new VideoOptions());

        var unrecognised = await anonymizer.AnonymizeAsync(plain, Out("noise-out.mp4"), AnonymizeOptions.Default, null, CancellationToken.None);
        var undecodable = await anonymizer.AnonymizeAsync(boxed, Out("boxed-out.mp4"), AnonymizeOptions.Default, null, CancellationToken.None);

        unrecognised.Error!.Kind.Should().Be(MediaErrorKind.UnsupportedMediaType);
        undecodable.Error!.Kind.Should().Be(MediaErrorKind.CorruptMedia);
        undecodable.Error.Message.Should().NotContain(dir, "messages carry no paths");
        File.Exists(Out("boxed-out.mp4")).Should().BeFalse();
    }

    [Test]
    public async Task An_mp4_whose_data_reference_names_another_file_never_makes_ffmpeg_open_it()
    {
        // The video track's data reference is a Mac alias naming a FIFO by absolute path: a reader opening the FIFO is
        // seen by the writer's open completing (and a reader that opened it would hang until the time limit).
        var fifo = Out("external-media");
        TestVideos.Run("mkfifo", fifo);
        var plain = Out("self-contained.mp4");
        TestVideos.Ffmpeg("-i", moving, "-t", "1", "-c:v", "libx264", "-preset", "ultrafast", "-an", plain);
        var input = Out("external-ref.mp4");
        await File.WriteAllBytesAsync(input, Mp4Boxes.WithAliasDataReference(await File.ReadAllBytesAsync(plain), fifo));
        TestVideos.Run("ffprobe", "-v", "error", "-show_entries", "stream=codec_type", input).Should().Contain("video", "the file is still an MP4");
        using var stop = new CancellationTokenSource();
        var opened = Task.Run(() =>
        {
            using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write);
            return !stop.IsCancellationRequested;
        });
        var output = Out("external-ref-out.mp4");

        var result = await new VideoAnonymizer(TestDetector.Video, new VideoOptions { TimeoutBaseSeconds = 10 })
            .AnonymizeAsync(input, output, AnonymizeOptions.Default, null, CancellationToken.None);

        await stop.CancelAsync();
        if (!opened.IsCompleted)
        {
            // Lets the writer above return: nothing else opened the FIFO (ffmpeg and ffprobe have exited).
            using var reader = new FileStream(fifo, FileMode.Open, FileAccess.Read);
        }

        (await opened).Should().BeFalse("neither ffprobe nor ffmpeg opened the file the data reference names");
        if (!result.IsSuccess)
        {
            result.Error!.Kind.Should().Be(MediaErrorKind.CorruptMedia);
            File.Exists(output).Should().BeFalse();
        }
    }

    [Test]
    public async Task TooLong_IsMediaTooLong()
    {
        var result = await new VideoAnonymizer(TestDetector.Video, new VideoOptions { MaxVideoSeconds = 1 })
            .AnonymizeAsync(moving, Out("long-out.mp4"), AnonymizeOptions.Default, null, CancellationToken.None);

        result.Error!.Kind.Should().Be(MediaErrorKind.MediaTooLong);
        result.Error.Message.Should().Contain("limit");
    }

    [Test]
    public async Task Cancellation_KillsFfmpeg_AndLeavesNoOutput()
    {
        using var cts = new CancellationTokenSource();
        var output = Out("cancelled.mp4");
        var anonymizer = new VideoAnonymizer(TestDetector.Video, new VideoOptions());

        var run = anonymizer.AnonymizeAsync(moving, output, AnonymizeOptions.Default, p =>
        {
            if (p.Fraction > 0.2)
            {
                cts.Cancel();
            }
        }, cts.Token);

        await FluentActions.Awaiting(() => run).Should().ThrowAsync<OperationCanceledException>();
        File.Exists(output).Should().BeFalse();
    }

    private string Out(string name) => Path.Combine(dir, name);

    /// <summary>The nice value of a /proc task ("self", "thread-self" or a pid): field 19 of its stat line.</summary>
    private static int NiceOf(string task) =>
        int.Parse(VideoTestMedia.Stat(task).Fields[16], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Finds nothing; records the priority of the thread it runs on and of the ffmpeg processes running meanwhile.</summary>
    private sealed class PriorityProbeDetector : IFaceDetector
    {
        public ConcurrentBag<int> ThreadNice { get; } = [];

        public ConcurrentBag<int> FfmpegNice { get; } = [];

        public IReadOnlyList<FaceBox> Detect(Mat bgrImage, CancellationToken cancellationToken = default)
        {
            ThreadNice.Add(NiceOf("thread-self"));
            foreach (var pid in VideoTestMedia.ChildFfmpegProcesses())
            {
                try
                {
                    FfmpegNice.Add(NiceOf(pid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                }
                catch (IOException)
                {
                    // Exited meanwhile.
                }
            }

            return [];
        }
    }

    /// <summary>Returns the ground-truth boxes of the frame it is called for (calls in frame order), nothing in blind frames.</summary>
    private sealed class ScriptedDetector(IReadOnlyList<IReadOnlyList<FaceBox>> truth, IReadOnlySet<int> blind) : IFaceDetector
    {
        private int calls;

        public int Calls => calls;

        public IReadOnlyList<FaceBox> Detect(Mat bgrImage, CancellationToken cancellationToken = default)
        {
            var frame = Interlocked.Increment(ref calls) - 1;
            bgrImage.Width.Should().Be(480, "a 480x360 clip is detected at its own size");
            return blind.Contains(frame) ? [] : truth[frame];
        }
    }
}
