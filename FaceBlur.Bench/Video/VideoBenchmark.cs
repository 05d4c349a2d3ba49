using System.Diagnostics;
using System.Globalization;
using FaceBlur.Bench.Evaluation;
using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Video;
using Microsoft.Extensions.Configuration;

namespace FaceBlur.Bench.Video;

/// <summary>
/// <c>bench video [--seconds S] [--width W --height H] [--fps F] [--coverage] [--cv-threads N] [--keep DIR] [--set VIDEO_X=V ...]</c>:
/// builds a clip of moving, zooming eval photos with a sine audio track, then times side by side (a) a plain ffmpeg
/// decode and re-encode with the pipeline's encoder settings and (b) the whole <see cref="VideoAnonymizer"/>. Prints
/// both, their ratio, frames per second (after one untimed warm-up run of (b) on a 1 s clip), peak memory of this process during (b), the synthetic clip's coverage (frames
/// in which a face of at least 24 px is less than 80% hidden) and one summary line. <c>--coverage</c> skips (a).
/// </summary>
public static partial class VideoBenchmark
{
    public const string Usage =
        "bench video [--seconds S (10)] [--start S (0)] [--width W (1920)] [--height H (1080)] [--fps F (30)] [--coverage] [--cv-threads N] [--keep DIR] [--model-dir DIR] [--set VIDEO_SETTING=VALUE ...] [--detector-set DETECTOR_SETTING=VALUE ...]";

    public static int Run(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var inv = CultureInfo.InvariantCulture;
        var spec = new SyntheticClipSpec();
        var coverageOnly = false;
        var verbose = false;
        string? keep = null;
        string? modelDir = null;
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var detectorSettings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            switch (arg)
            {
                case "--seconds":
                    spec = spec with { Seconds = double.Parse(Next(), inv) };
                    break;
                case "--start":
                    spec = spec with { StartSeconds = double.Parse(Next(), inv) };
                    break;
                case "--width":
                    spec = spec with { Width = int.Parse(Next(), inv) };
                    break;
                case "--height":
                    spec = spec with { Height = int.Parse(Next(), inv) };
                    break;
                case "--fps":
                    spec = spec with { FramesPerSecond = int.Parse(Next(), inv) };
                    break;
                case "--detect-timing":
                    settings["detect-timing"] = "1";
                    break;
                case "--cv-threads":
                    OpenCvSharp.Cv2.SetNumThreads(int.Parse(Next(), inv));
                    break;
                case "--detector-set":
                    var dkv = Next().Split('=', 2);
                    detectorSettings[dkv[0]] = dkv.Length == 2 ? dkv[1] : throw new ArgumentException("--detector-set takes DETECTOR_SETTING=VALUE");
                    break;
                case "--coverage":
                    coverageOnly = true;
                    break;
                case "--verbose":
                    verbose = true;
                    break;
                case "--keep":
                    keep = Next();
                    break;
                case "--model-dir":
                    modelDir = Next();
                    break;
                case "--set":
                    var kv = Next().Split('=', 2);
                    settings[kv[0]] = kv.Length == 2 ? kv[1] : throw new ArgumentException("--set takes VIDEO_SETTING=VALUE");
                    break;
                default:
                    throw new ArgumentException($"unknown argument {arg}");
            }
        }

        var options = new VideoOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().Bind(options);
        if (!settings.ContainsKey("VIDEO_DETECTOR_MODEL_PATH"))
        {
            // Resolved against the model directory, like the photo models (see EvalCommand.CreateOptions).
            options.DetectorModelPath = Path.GetFileName(VideoOptions.DefaultDetectorModelPath);
        }
        if (settings.ContainsKey("detect-timing"))
        {
            return DetectTiming(modelDir);
        }

        var dir = keep ?? Path.Combine(Path.GetTempPath(), "faceblur-bench-video-" + Environment.ProcessId.ToString(inv));
        Directory.CreateDirectory(dir);
        try
        {
            return RunIn(dir, spec, options, modelDir, detectorSettings, coverageOnly, verbose);
        }
        finally
        {
            if (keep is null)
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static int RunIn(
        string dir, SyntheticClipSpec spec, VideoOptions options, string? modelDir, Dictionary<string, string?> detectorSettings, bool coverageOnly, bool verbose)
    {
        var inv = CultureInfo.InvariantCulture;
        var clip = Path.Combine(dir, "clip.mp4");
        var evalDir = Path.Combine(EvalDir(), "dlib-faces");
        var sw = Stopwatch.StartNew();
        var truth = SyntheticClip.Create(evalDir, clip, spec, options.FfmpegPath);
        Console.WriteLine(string.Create(inv, $"clip: {spec.Width}x{spec.Height} {spec.FramesPerSecond} fps {spec.Seconds:0.0} s, {truth.Count} frames, {truth.Sum(t => t.Count)} face boxes, built in {sw.Elapsed.TotalSeconds:0.0} s"));

        using var detector = new YuNetFaceDetector(VideoAnonymizer.DetectorOptionsFor(EvalCommand.CreateOptions(modelDir, detectorSettings), options));
        Console.WriteLine("detector: service defaults" + string.Concat(detectorSettings.Select(kv => $" {kv.Key}={kv.Value}")));
        using (var warm = OpenCvSharp.Cv2.ImRead(Directory.GetFiles(Path.Combine(evalDir, "images"))[0]))
        {
            _ = detector.Detect(warm);
        }

        double transcodeSeconds = 0;
        if (!coverageOnly)
        {
            sw.Restart();
            Transcode(clip, Path.Combine(dir, "transcoded.mp4"), options);
            transcodeSeconds = sw.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(inv, $"(a) ffmpeg decode+encode (libx264 {options.EncoderPreset} crf {options.Crf}, audio copy): {transcodeSeconds:0.00} s, {truth.Count / transcodeSeconds:0.0} fps"));
        }

        // A running service has its code compiled: one untimed run over a 1 s clip first, so (b) does not time the JIT.
        var warmClip = Path.Combine(dir, "warm.mp4");
        _ = SyntheticClip.Create(evalDir, warmClip, spec with { Seconds = 1 }, options.FfmpegPath);
        _ = new VideoAnonymizer(detector, options).AnonymizeAsync(warmClip, Path.Combine(dir, "warm-out.mp4"), AnonymizeOptions.Default, null, CancellationToken.None)
            .GetAwaiter().GetResult();

        ResetPeakMemory();
        var timed = new TimedDetector(detector);
        var anonymizer = new VideoAnonymizer(timed, options);
        var cpuBefore = CpuSeconds();
        sw.Restart();
        using var sampling = new CancellationTokenSource();
        var withChildren = Task.Run(() => SampleTreeMemoryMb(sampling.Token));
        var result = anonymizer.AnonymizeAsync(clip, Path.Combine(dir, "anonymized.mp4"), AnonymizeOptions.Default, null, CancellationToken.None)
            .GetAwaiter().GetResult();
        var wall = sw.Elapsed.TotalSeconds;
        var cpuAfter = CpuSeconds();
        sampling.Cancel();
        var peakWithChildrenMb = withChildren.GetAwaiter().GetResult();
        if (!result.IsSuccess)
        {
            Console.Error.WriteLine($"anonymizer failed: {result.Error!.Code}: {result.Error.Message}");
            return 1;
        }

        var peakMb = PeakMemoryMb();
        var value = result.Value!;
        Console.WriteLine(string.Create(inv, $"(b) VideoAnonymizer: {wall:0.00} s, {value.Frames / wall:0.0} fps, {value.Frames} frames, {value.FacesDetected} face tracks, audio={value.HasAudio}, detection max side {options.DetectionMaxSide}, interval {options.DetectionInterval}, parallel {options.DetectionParallelism}"));
        Console.WriteLine(string.Create(inv, $"    opencv threads {OpenCvSharp.Cv2.GetNumThreads()}, detection {timed.Elapsed.TotalSeconds:0.00} s ({timed.Elapsed.TotalMilliseconds / value.Frames:0.0} ms/frame, summed over parallel runs; the network alone, see --detect-timing)"));
        if (!coverageOnly)
        {
            Console.WriteLine(string.Create(inv, $"ratio b/a: {wall / transcodeSeconds:0.00}"));
        }

        Console.WriteLine(string.Create(
            inv,
            $"CPU during (b): this process {cpuAfter.Self - cpuBefore.Self:0.00} s, ffmpeg processes {cpuAfter.Children - cpuBefore.Children:0.00} s, used {(cpuAfter.Self + cpuAfter.Children - cpuBefore.Self - cpuBefore.Children) / (wall * Environment.ProcessorCount):P0} of {Environment.ProcessorCount} cores"));
        Console.WriteLine(string.Create(inv, $"peak memory of this process during (b): {peakMb:0} MB (ffmpeg children not included); with the ffmpeg processes, sampled every 0.5 s: {peakWithChildrenMb.Rss:0} MB summed RSS, {peakWithChildrenMb.Pss:0} MB summed PSS"));
        var regions = SyntheticClip.RegionsByFrame(value.Tracks);
        var (uncovered, worst, checkedFaces) = SyntheticClip.Coverage(truth, regions, AnonymizeOptions.Default, spec.Width, spec.Height, report: verbose ? line => Console.WriteLine("box: " + line) : null);
        Console.WriteLine(string.Create(inv, $"coverage (padded boxes, eval README metric): uncovered_frames={uncovered} (frames with a face >= 24 px less than 80% covered) worst_coverage={worst:0.000} faces_checked={checkedFaces}"));
        var ellipse = SyntheticClip.Coverage(truth, regions, AnonymizeOptions.Default, spec.Width, spec.Height, shape: MaskShape.Ellipse, report: verbose ? Console.WriteLine : null);
        Console.WriteLine(string.Create(inv, $"coverage (inscribed ellipses, the default mask): uncovered_frames={ellipse.UncoveredFrames} worst_coverage={ellipse.WorstCoverage:0.000}"));
        Console.WriteLine(string.Create(
            inv,
            $"video_seconds={spec.Seconds:0.0} wall_seconds={wall:0.0} realtime_factor={spec.Seconds / wall:0.00} vs_transcode={(coverageOnly ? 0 : wall / transcodeSeconds):0.00} peak_mb={peakMb:0}"));
        return 0;
    }

    /// <summary>Detection time per frame copy of a few sizes (a 1080p frame of the clip scaled down), one thread and two.</summary>
    private static int DetectTiming(string? modelDir)
    {
        var inv = CultureInfo.InvariantCulture;
        var images = Directory.GetFiles(Path.Combine(EvalDir(), "dlib-faces", "images"));
        using var src = OpenCvSharp.Cv2.ImRead(images[0]);
        using var frame = new OpenCvSharp.Mat();
        OpenCvSharp.Cv2.Resize(src, frame, new OpenCvSharp.Size(1920, 1080));
        foreach (var side in new[] { 480, 640, 832, 960, 1280 })
        {
            // The video detector detects at VIDEO_DETECTION_MAX_SIDE: one detector per size.
            using var detector = new YuNetFaceDetector(VideoAnonymizer.DetectorOptionsFor(
                EvalCommand.CreateOptions(modelDir, new Dictionary<string, string?>()), new VideoOptions { DetectionMaxSide = side, DetectorModelPath = Path.GetFileName(VideoOptions.DefaultDetectorModelPath) }));
            using var copy = new OpenCvSharp.Mat();
            OpenCvSharp.Cv2.Resize(frame, copy, new OpenCvSharp.Size(side, side * 9 / 16));
            var one = MillisecondsPerCall(() => detector.Detect(copy), 20);
            const int N = 20;
            var sw = Stopwatch.StartNew();
            Parallel.For(0, N, new ParallelOptions { MaxDegreeOfParallelism = 2 }, _ => detector.Detect(copy));
            var two = sw.Elapsed.TotalMilliseconds / N;
            Console.WriteLine(string.Create(inv, $"side {side}: {one:0.0} ms/frame sequential, {two:0.0} ms/frame with 2 in parallel"));
        }

        // The detection copy of one 1080p I420 frame (planes resized, then converted to BGR).
        using var frameI420 = new VideoFrame(1920, 1080);
        Random.Shared.NextBytes(frameI420.Buffer);
        foreach (var side in new[] { 640, 832, 960 })
        {
            var (w, h) = FrameGeometry.DetectionSize(1920, 1080, side);
            var ms = MillisecondsPerCall(() => frameI420.PrepareDetectionCopy(w, h), 50);
            Console.WriteLine(string.Create(inv, $"detection copy {w}x{h}: {ms:0.00} ms per 1080p frame"));
        }

        // Hiding faces in one I420 frame, as the pipeline's writer does: 20 faces of 60-150 px, every mode.
        var faces = Enumerable.Range(0, 20).Select(i => new FaceBox(60 + (i % 10) * 180, 100 + (i / 10) * 500, 60 + (i * 5), 60 + (i * 5), 0.9f)).ToList();
        foreach (var mode in new[] { AnonymizationMode.Blur, AnonymizationMode.Pixelate, AnonymizationMode.Solid })
        {
            var anonymize = AnonymizeOptions.Default with { Mode = mode };
            var ms = MillisecondsPerCall(() => frameI420.Anonymize(faces, anonymize), 50);
            Console.WriteLine(string.Create(inv, $"anonymize {mode}: {ms:0.00} ms per 1080p frame with {faces.Count} faces"));
        }

        return 0;
    }

    /// <summary>Mean time of one call over <paramref name="times"/> calls, after one untimed call (warm-up).</summary>
    private static double MillisecondsPerCall(Action call, int times)
    {
        call();
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < times; i++)
        {
            call();
        }

        return sw.Elapsed.TotalMilliseconds / times;
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

    /// <summary>
    /// The largest sums, over samples every half second (reading PSS walks the page tables: kept rare), of the memory
    /// of this process and its children (ffmpeg): resident (RSS; shared libraries counted once per process) and
    /// proportional (PSS; shared pages split between the processes that map them: what the tree costs the machine).
    /// </summary>
    private static (double Rss, double Pss) SampleTreeMemoryMb(CancellationToken token)
    {
        var me = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        double peakRss = 0, peakPss = 0;
        while (!token.IsCancellationRequested)
        {
            double rss = 0, pss = 0;
            foreach (var procDir in Directory.GetDirectories("/proc"))
            {
                var pid = Path.GetFileName(procDir);
                try
                {
                    var stat = File.ReadAllText(Path.Combine(procDir, "stat"));

                    // The fields after the command's closing parenthesis, from field 3: [1] is the parent.
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    if (pid != me && fields[1] != me)
                    {
                        continue;
                    }

                    foreach (var line in File.ReadLines(Path.Combine(procDir, "smaps_rollup")))
                    {
                        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        var kb = parts.Length >= 2 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0;
                        (rss, pss) = parts[0] switch
                        {
                            "Rss:" => (rss + (kb / 1024), pss),
                            "Pss:" => (rss, pss + (kb / 1024)),
                            _ => (rss, pss),
                        };
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
                {
                    // Not a process, or gone meanwhile.
                }
            }

            (peakRss, peakPss) = (Math.Max(peakRss, rss), Math.Max(peakPss, pss));
            token.WaitHandle.WaitOne(500);
        }

        return (peakRss, peakPss);
    }

    /// <summary>CPU time (user + system) of this process and of its children that have ended and been waited for.</summary>
    internal static (double Self, double Children) CpuSeconds()
    {
        static double Seconds(in ResourceUsage usage) =>
            usage.UserSeconds + (usage.UserMicroseconds / 1e6) + usage.SystemSeconds + (usage.SystemMicroseconds / 1e6);

        const int Self = 0, Children = -1;
        return GetResourceUsage(Self, out var self) == 0 && GetResourceUsage(Children, out var children) == 0
            ? (Seconds(self), Seconds(children))
            : (double.NaN, double.NaN);
    }

    /// <summary>The leading fields of Linux's <c>struct rusage</c> on 64-bit: two timevals, then fourteen longs.</summary>
    private struct ResourceUsage
    {
#pragma warning disable CS0649 // written by getrusage
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public Rest Rest;
#pragma warning restore CS0649
    }

    [System.Runtime.CompilerServices.InlineArray(14)]
    private struct Rest
    {
#pragma warning disable IDE0044, IDE0051, CS0169 // storage only
        private long first;
#pragma warning restore IDE0044, IDE0051, CS0169
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetResourceUsage(int who, out ResourceUsage usage);

    /// <summary>Resets the kernel's peak resident set (VmHWM) so that the next reading covers (b) only.</summary>
    private static void ResetPeakMemory()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or not allowed: the peak then covers the whole run.
        }
    }

    private static double PeakMemoryMb()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
                }
            }
        }
        catch (IOException)
        {
            // Fall through.
        }

        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64 / (1024.0 * 1024.0);
    }

    private static string EvalDir()
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
}
