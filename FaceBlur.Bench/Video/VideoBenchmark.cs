using System.Diagnostics;
using System.Globalization;
using FaceBlur.Bench.Evaluation;
using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Media;
using FaceBlur.Modules.Processing.Regions;
using FaceBlur.Modules.Processing.Video;
using FaceBlur.Testing.Video;

namespace FaceBlur.Bench.Video;

/// <summary>
/// <c>bench video</c> (see <see cref="VideoBenchArguments.Usage"/>): builds a clip from the annotated eval photos with a
/// sine audio track (<c>--scenario drift</c>: photos drifting and zooming in one shot; <c>cuts</c>: six shots with cuts,
/// a fade, a flash, a pan and faces entering and leaving at every edge), then times side by side (a) a plain ffmpeg
/// decode and re-encode with the pipeline's encoder settings and (b) the whole <see cref="VideoAnonymizer"/> (after one
/// untimed warm-up run of (b) on a 1 s clip). Prints both, their ratio, the CPU and peak memory of (b), the clip's
/// coverage (frames in which a face of at least 24 px at 1080p, 48 px at 4K, is less than 80% hidden) and ghost frames
/// (more than 3 frames after a cut, a hidden region covers no face of the shot), and one summary line.
/// </summary>
public static class VideoBenchmark
{
    public const string Usage = VideoBenchArguments.Usage;

    public static int Run(IReadOnlyList<string> args)
    {
        var arguments = VideoBenchArguments.Parse(args);
        if (arguments.DetectTiming)
        {
            return Video.DetectTiming.Run(arguments.ModelDir);
        }

        var dir = arguments.Keep ?? Path.Combine(Path.GetTempPath(), "faceblur-bench-video-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        try
        {
            return RunIn(dir, arguments, arguments.VideoOptions());
        }
        finally
        {
            if (arguments.Keep is null)
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static int RunIn(string dir, VideoBenchArguments arguments, VideoOptions options)
    {
        var inv = CultureInfo.InvariantCulture;
        var spec = arguments.Spec;
        var clip = Path.Combine(dir, "clip.mp4");
        var evalDir = Path.Combine(EvalDir(), "dlib-faces");
        var sw = Stopwatch.StartNew();
        var truth = arguments.Scenario == "cuts"
            ? ShotClip.Create(evalDir, clip, spec, ShotClip.CutsScenario(), options.FfmpegPath)
            : new ShotClipTruth([.. SyntheticClip.Create(evalDir, clip, spec, options.FfmpegPath).Select(f => new FrameFaces(f, f))], []);
        Console.WriteLine(string.Create(inv, $"clip: {arguments.Scenario} {spec.Width}x{spec.Height} {spec.FramesPerSecond} fps {spec.Seconds:0.0} s, {truth.Faces.Count} frames, {truth.Faces.Sum(t => t.Count)} face boxes, cuts at frames [{string.Join(", ", truth.Cuts)}], built in {sw.Elapsed.TotalSeconds:0.0} s"));

        using var detector = new YuNetFaceDetector(VideoAnonymizer.DetectorOptionsFor(EvalCommand.CreateOptions(arguments.ModelDir, arguments.DetectorSettings), options));
        Console.WriteLine("detector: service defaults" + string.Concat(arguments.DetectorSettings.Select(kv => $" {kv.Key}={kv.Value}")));
        using (var warm = OpenCvSharp.Cv2.ImRead(Directory.GetFiles(Path.Combine(evalDir, "images"))[0]))
        {
            _ = detector.Detect(warm);
        }

        double transcodeSeconds = 0;
        if (!arguments.CoverageOnly)
        {
            sw.Restart();
            Transcode(clip, Path.Combine(dir, "transcoded.mp4"), options);
            transcodeSeconds = sw.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(inv, $"(a) ffmpeg decode+encode (libx264 {options.EncoderPreset} crf {options.Crf}, audio copy): {transcodeSeconds:0.00} s, {truth.Faces.Count / transcodeSeconds:0.0} fps"));
        }

        // A running service has its code compiled: one untimed run over a 1 s clip first, so (b) does not time the JIT.
        var warmClip = Path.Combine(dir, "warm.mp4");
        _ = SyntheticClip.Create(evalDir, warmClip, spec with { Seconds = 1 }, options.FfmpegPath);
        _ = new VideoAnonymizer(detector, options).AnonymizeAsync(warmClip, Path.Combine(dir, "warm-out.mp4"), AnonymizeOptions.Default, null, CancellationToken.None)
            .GetAwaiter().GetResult();

        var run = TimePipeline(clip, Path.Combine(dir, "anonymized.mp4"), detector, options);
        if (!run.Result.IsSuccess)
        {
            Console.Error.WriteLine($"anonymizer failed: {run.Result.Error!.Code}: {run.Result.Error.Message}");
            return 1;
        }

        Report(arguments, options, truth, run, transcodeSeconds);
        if (arguments.NoDetect)
        {
            TimeRenderOfExport(clip, Path.Combine(dir, "rendered.mp4"), run.Result.Value!, detector, options, transcodeSeconds);
        }
        if (arguments.Keep is not null)
        {
            // For a closer look: what was hidden (per track and frame) and the ground truth, beside the clips.
            File.WriteAllText(Path.Combine(dir, "tracks.json"), System.Text.Json.JsonSerializer.Serialize(run.Result.Value!.Tracks));
            File.WriteAllText(Path.Combine(dir, "truth.json"), System.Text.Json.JsonSerializer.Serialize(truth));
        }

        return 0;
    }

    /// <summary>(b): the pipeline on the clip, with its wall time, CPU (this process and ffmpeg) and peak memory.</summary>
    private static PipelineRun TimePipeline(string clip, string output, IFaceDetector detector, VideoOptions options)
    {
        // Building the clip left garbage on the managed heap: collected (and the heap given back) so that (b)'s peak is the pipeline's.
        var before = Environment.WorkingSet / 1048576.0;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"before (b): this process {before:0} MB resident, {Environment.WorkingSet / 1048576.0:0} MB after a full collection"));
        ProcessMeasures.ResetPeakMemory();
        var timed = new TimedDetector(detector);
        var anonymizer = new VideoAnonymizer(timed, options);
        var cpuBefore = ProcessMeasures.CpuSeconds();
        var sw = Stopwatch.StartNew();
        using var sampling = new CancellationTokenSource();
        var withChildren = Task.Run(() => ProcessMeasures.SampleTreeMemoryMb(sampling.Token));
        var result = anonymizer.AnonymizeAsync(clip, output, AnonymizeOptions.Default, null, CancellationToken.None).GetAwaiter().GetResult();
        var wall = sw.Elapsed.TotalSeconds;
        var cpuAfter = ProcessMeasures.CpuSeconds();
        sampling.Cancel();
        var tree = withChildren.GetAwaiter().GetResult();
        return new PipelineRun(
            result, wall, cpuAfter.Self - cpuBefore.Self, cpuAfter.Children - cpuBefore.Children, ProcessMeasures.PeakMemoryMb(), tree.Rss, tree.Pss, timed.Elapsed);
    }

    /// <summary>(c): the regions (b) hid, exported and sent back with detect=false, as a review's "Apply" renders them.</summary>
    private static void TimeRenderOfExport(string clip, string output, VideoResult detected, IFaceDetector detector, VideoOptions options, double transcodeSeconds)
    {
        var source = VideoInspector.InspectAsync(clip, options, CancellationToken.None).GetAwaiter().GetResult().Value!;
        var request = new VideoRegionRequest(false, RegionsBinding.BindVideo(VideoExport.Of(detected), source));
        var timed = new TimedDetector(detector);
        var sw = Stopwatch.StartNew();
        var result = new VideoAnonymizer(timed, options)
            .AnonymizeAsync(source, clip, output, AnonymizeOptions.Default, request, null, CancellationToken.None).GetAwaiter().GetResult();
        var wall = sw.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"(c) detect=false render of the exported tracks: {(result.IsSuccess ? "ok" : result.Error!.Message)}, {wall:0.00} s, detector time {timed.Elapsed.TotalSeconds:0.00} s, ratio c/a {(transcodeSeconds > 0 ? wall / transcodeSeconds : 0):0.00} no_detect_wall_seconds={wall:0.0}"));
    }

    private static void Report(VideoBenchArguments arguments, VideoOptions options, ShotClipTruth truth, PipelineRun run, double transcodeSeconds)
    {
        var inv = CultureInfo.InvariantCulture;
        var (spec, value, wall) = (arguments.Spec, run.Result.Value!, run.WallSeconds);
        Console.WriteLine(string.Create(inv, $"(b) VideoAnonymizer: {wall:0.00} s, {value.Frames / wall:0.0} fps, {value.Frames} frames, {value.FacesDetected} face tracks, audio={value.HasAudio}, detection max side {options.DetectionMaxSide}, interval {options.DetectionInterval}, parallel {options.DetectionParallelism}"));
        Console.WriteLine(string.Create(inv, $"    opencv threads {OpenCvSharp.Cv2.GetNumThreads()}, detection {run.Detection.TotalSeconds:0.00} s ({run.Detection.TotalMilliseconds / value.Frames:0.0} ms/frame, summed over parallel runs; the network alone, see --detect-timing)"));
        if (!arguments.CoverageOnly)
        {
            Console.WriteLine(string.Create(inv, $"ratio b/a: {wall / transcodeSeconds:0.00}"));
        }

        Console.WriteLine(string.Create(
            inv,
            $"CPU during (b): this process {run.CpuSelf:0.00} s, ffmpeg processes {run.CpuChildren:0.00} s, used {(run.CpuSelf + run.CpuChildren) / (wall * Environment.ProcessorCount):P0} of {Environment.ProcessorCount} cores"));
        Console.WriteLine(string.Create(inv, $"peak memory of this process during (b): {run.PeakMb:0} MB (ffmpeg children not included); with the ffmpeg processes, sampled every 0.5 s: {run.TreeRssMb:0} MB summed RSS, {run.TreePssMb:0} MB summed PSS"));

        // The smallest face that must be hidden is the same on screen at any size: 24 px at 1080p, 48 px at 4K.
        var minFace = 24f * Math.Min(spec.Width, spec.Height) / 1080;
        var regions = ClipMeasures.RegionsByFrame(value.Tracks);
        var verbose = arguments.Verbose;
        var (uncovered, worst, checkedFaces) = ClipMeasures.Coverage(truth.Faces, regions, AnonymizeOptions.Default, spec.Width, spec.Height, minFace, report: verbose ? line => Console.WriteLine("box: " + line) : null);
        Console.WriteLine(string.Create(inv, $"coverage (padded boxes, eval README metric): uncovered_frames={uncovered} (frames with a face >= {minFace:0} px less than 80% covered) worst_coverage={worst:0.000} faces_checked={checkedFaces}"));
        var ellipse = ClipMeasures.Coverage(truth.Faces, regions, AnonymizeOptions.Default, spec.Width, spec.Height, minFace, shape: MaskShape.Ellipse, report: verbose ? Console.WriteLine : null);
        Console.WriteLine(string.Create(inv, $"coverage (inscribed ellipses, the default mask): uncovered_frames={ellipse.UncoveredFrames} worst_coverage={ellipse.WorstCoverage:0.000}"));
        var window = (2 * (int)Math.Ceiling(options.HoldSeconds * spec.FramesPerSecond)) + options.LookAheadFrames;
        var (ghosts, strays) = ClipMeasures.Ghosts(truth, value.Tracks, AnonymizeOptions.Default, spec.Width, spec.Height, window, report: verbose ? line => Console.WriteLine("ghost: " + line) : null);
        Console.WriteLine(string.Create(inv, $"after cuts: ghost_frames={ghosts} (frames more than 3 after a cut in which a region carried over from the previous shot covers no face of this shot) stray_frames={strays} (... in which any region covers no face of the shot: also detector false positives and faces the annotations miss; faces of the last {window} frames count)"));
        Console.WriteLine(string.Create(
            inv,
            $"video_seconds={spec.Seconds:0.0} wall_seconds={wall:0.0} realtime_factor={spec.Seconds / wall:0.00} vs_transcode={(arguments.CoverageOnly ? 0 : wall / transcodeSeconds):0.00} peak_mb={run.PeakMb:0} tree_pss_mb={run.TreePssMb:0} uncovered_frames={uncovered} ghost_frames={ghosts} stray_frames={strays}"));
    }

    private static void Transcode(string input, string output, VideoOptions options)
    {
        var start = new ProcessStartInfo(options.FfmpegPath) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var a in new[]
                 {
                     "-hide_banner", "-nostdin", "-v", "error", "-y", "-protocol_whitelist", "file,pipe", "-i", "file:" + input,
                     "-c:v", "libx264", "-preset", options.EncoderPreset, "-crf", options.Crf.ToString(CultureInfo.InvariantCulture),
                     "-pix_fmt", "yuv420p", "-c:a", "copy", "-movflags", "+faststart", "-f", "mp4", "file:" + output,
                 })
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start");
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("transcode failed: " + stderr);
        }
    }

    public static string EvalDir()
    {
        var env = Environment.GetEnvironmentVariable("FACEBLUR_EVAL_DIR");
        if (!string.IsNullOrEmpty(env))
        {
            return env;
        }

        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "FaceBlur.sln")))
            {
                return Path.Combine(d.FullName, "..", "shared", "eval");
            }
        }

        throw new DirectoryNotFoundException("eval images not found: set FACEBLUR_EVAL_DIR");
    }

    private sealed record PipelineRun(
        MediaResult<VideoResult> Result, double WallSeconds, double CpuSelf, double CpuChildren, double PeakMb, double TreeRssMb, double TreePssMb, TimeSpan Detection);
}
