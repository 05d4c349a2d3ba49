using System.Globalization;
using FaceBlur.Modules.Processing.Video;
using FaceBlur.Testing.Video;
using Microsoft.Extensions.Configuration;

namespace FaceBlur.Bench.Video;

/// <summary>The command line of <c>bench video</c>.</summary>
public sealed record VideoBenchArguments
{
    public const string Usage =
        "bench video [--scenario drift|cuts] [--seconds S (10)] [--start S (0)] [--size WxH (1920x1080)] [--fps F (30)] [--zoom MIN-MAX] [--coverage] [--verbose] [--cv-threads N] [--keep DIR] [--model-dir DIR] [--set VIDEO_SETTING=VALUE ...] [--detector-set DETECTOR_SETTING=VALUE ...] [--no-detect] | bench video --detect-timing";

    /// <summary>The clip: size, rate, length, and for the drifting scenario its photos' zoom and start.</summary>
    public SyntheticClipSpec Spec { get; init; } = new();

    /// <summary><c>drift</c> (photos drifting in one shot, the default) or <c>cuts</c> (<see cref="ShotClip.CutsScenario"/>).</summary>
    public string Scenario { get; init; } = "drift";

    /// <summary>Skip the plain transcode (a): coverage and the pipeline's own time only.</summary>
    public bool CoverageOnly { get; init; }

    /// <summary>List every uncovered face and ghost region.</summary>
    public bool Verbose { get; init; }

    public bool DetectTiming { get; init; }

    /// <summary>Also time (c): the tracks (b) exported, sent back with detect=false (a review's "Apply"; no detector runs).</summary>
    public bool NoDetect { get; init; }

    public string? Keep { get; init; }

    public string? ModelDir { get; init; }

    public Dictionary<string, string?> Settings { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, string?> DetectorSettings { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static VideoBenchArguments Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var inv = CultureInfo.InvariantCulture;
        var parsed = new VideoBenchArguments();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            parsed = arg switch
            {
                "--scenario" => parsed with { Scenario = ScenarioNamed(Next()) },
                "--seconds" => parsed with { Spec = parsed.Spec with { Seconds = double.Parse(Next(), inv) } },
                "--start" => parsed with { Spec = parsed.Spec with { StartSeconds = double.Parse(Next(), inv) } },
                "--size" => parsed with { Spec = Sized(parsed.Spec, Next()) },
                "--width" => parsed with { Spec = parsed.Spec with { Width = int.Parse(Next(), inv) } },
                "--height" => parsed with { Spec = parsed.Spec with { Height = int.Parse(Next(), inv) } },
                "--fps" => parsed with { Spec = parsed.Spec with { FramesPerSecond = int.Parse(Next(), inv) } },
                "--zoom" => parsed with { Spec = Zoomed(parsed.Spec, Next()) },
                "--coverage" => parsed with { CoverageOnly = true },
                "--verbose" => parsed with { Verbose = true },
                "--detect-timing" => parsed with { DetectTiming = true },
                "--no-detect" => parsed with { NoDetect = true },
                "--keep" => parsed with { Keep = Next() },
                "--model-dir" => parsed with { ModelDir = Next() },
                "--cv-threads" => WithThreads(parsed, int.Parse(Next(), inv)),
                "--set" => With(parsed, parsed.Settings, Next(), "--set takes VIDEO_SETTING=VALUE"),
                "--detector-set" => With(parsed, parsed.DetectorSettings, Next(), "--detector-set takes DETECTOR_SETTING=VALUE"),
                _ => throw new ArgumentException($"unknown argument {arg}"),
            };
        }

        return parsed;
    }

    /// <summary>The pipeline's settings: the service defaults with <c>--set</c> applied, the video model beside the others.</summary>
    public VideoOptions VideoOptions()
    {
        var options = new VideoOptions();
        new ConfigurationBuilder().AddInMemoryCollection(Settings).Build().Bind(options);
        if (!Settings.ContainsKey("VIDEO_DETECTOR_MODEL_PATH"))
        {
            // Resolved against the model directory, like the photo models (see EvalCommand.CreateOptions).
            options.DetectorModelPath = Path.GetFileName(Modules.Processing.Video.VideoOptions.DefaultDetectorModelPath);
        }

        return options;
    }

    private static string ScenarioNamed(string name) =>
        name is "drift" or "cuts" ? name : throw new ArgumentException("--scenario is drift or cuts");

    private static SyntheticClipSpec Sized(SyntheticClipSpec spec, string size) =>
        size.Split('x') is [var w, var h]
            ? spec with { Width = int.Parse(w, CultureInfo.InvariantCulture), Height = int.Parse(h, CultureInfo.InvariantCulture) }
            : throw new ArgumentException("--size takes WIDTHxHEIGHT");

    private static SyntheticClipSpec Zoomed(SyntheticClipSpec spec, string range) =>
        range.Split('-') is [var min, var max]
            ? spec with { MinZoom = double.Parse(min, CultureInfo.InvariantCulture), MaxZoom = double.Parse(max, CultureInfo.InvariantCulture) }
            : throw new ArgumentException("--zoom takes MIN-MAX (photo height in frame heights)");

    private static VideoBenchArguments WithThreads(VideoBenchArguments parsed, int threads)
    {
        OpenCvSharp.Cv2.SetNumThreads(threads);
        return parsed;
    }

    private static VideoBenchArguments With(VideoBenchArguments parsed, Dictionary<string, string?> settings, string pair, string usage)
    {
        var kv = pair.Split('=', 2);
        settings[kv[0]] = kv.Length == 2 ? kv[1] : throw new ArgumentException(usage);
        return parsed;
    }
}
