using System.Diagnostics;
using System.Globalization;
using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Testing.Evaluation;
using Microsoft.Extensions.Configuration;
using OpenCvSharp;

namespace FaceBlur.Bench.Evaluation;

/// <summary>
/// <c>eval --dataset DIR [--dataset DIR...] [--model-dir DIR] [--threads N] [--set DETECTOR_X=V ...] [--score V]
/// [--verbose]</c>: runs the service's default detector over annotated sets and prints the shared eval README's metrics,
/// ending with one summary line (over all sets given).
/// </summary>
public static class EvalCommand
{
    public const string Usage =
        "eval --dataset DIR [--dataset DIR...] [--model-dir DIR] [--threads N (default 1)] [--set DETECTOR_SETTING=VALUE ...] [--score V] [--verbose]";

    public static int Run(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var datasets = new List<string>();
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        string? modelDir = null;
        var threads = 1;
        var verbose = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            switch (arg)
            {
                case "--dataset":
                    datasets.Add(Next());
                    break;
                case "--model-dir":
                    modelDir = Next();
                    break;
                case "--threads":
                    threads = int.Parse(Next(), CultureInfo.InvariantCulture);
                    break;
                case "--score":
                    overrides["DETECTOR_SCORE_THRESHOLD"] = Next();
                    break;
                case "--set":
                    var kv = Next().Split('=', 2);
                    if (kv.Length != 2)
                    {
                        throw new ArgumentException("--set takes DETECTOR_SETTING=VALUE");
                    }

                    overrides[kv[0]] = kv[1];
                    break;
                case "--verbose":
                    verbose = true;
                    break;
                default:
                    throw new ArgumentException($"unknown argument {arg}");
            }
        }

        if (datasets.Count == 0)
        {
            throw new ArgumentException("--dataset is required");
        }

        var options = CreateOptions(modelDir, overrides);
        Cv2.SetNumThreads(threads);
        Console.WriteLine($"detector: {Describe(options)} threads={threads}");

        using var detector = new PhotoFaceDetector(options) { ThreadCount = threads };
        var total = new EvalCounts();
        double totalMs = 0;
        var timedImages = 0;
        foreach (var dir in datasets)
        {
            var set = EvalDataset.Load(dir);
            var (counts, ms) = Evaluate(detector, set, verbose);
            total.Add(counts);
            totalMs += ms * counts.Images;
            timedImages += counts.Images;
        }

        var msPerImage = timedImages == 0 ? 0 : totalMs / timedImages;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"coverage_recall={total.CoverageRecall:0.000} recall_iou50={total.RecallIou50:0.000} false_positives={total.FalsePositives} images={total.Images} ms_per_image={msPerImage:0.0}"));
        return 0;
    }

    /// <summary>The service's default options, models from the model directory, with command-line overrides.</summary>
    public static DetectorOptions CreateOptions(string? modelDir, IReadOnlyDictionary<string, string?> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var options = new DetectorOptions();
        new ConfigurationBuilder().AddInMemoryCollection(overrides).Build().Bind(options);
        options.BasePath = BenchPaths.ModelDir(modelDir);
        if (!overrides.ContainsKey("DETECTOR_MODEL_PATH"))
        {
            options.ModelPath = Path.GetFileName(DetectorOptions.DefaultModelPath);
        }

        if (!overrides.ContainsKey("DETECTOR_MODEL_N_PATH"))
        {
            options.ModelNPath = Path.GetFileName(DetectorOptions.DefaultModelNPath);
        }

        return options;
    }

    private static (EvalCounts Counts, double MsPerImage) Evaluate(PhotoFaceDetector detector, EvalDataset set, bool verbose)
    {
        var images = new List<(EvalImage Info, Mat Pixels)>();
        try
        {
            foreach (var info in set.Images)
            {
                var pixels = Cv2.ImRead(info.Path, ImreadModes.Color);
                if (pixels.Empty())
                {
                    pixels.Dispose();
                    throw new InvalidOperationException($"cannot read {info.Path}");
                }

                images.Add((info, pixels));
            }

            var counts = new EvalCounts();
            if (images.Count == 0)
            {
                return (counts, 0);
            }

            _ = detector.Detect(images[0].Pixels); // warm-up
            double elapsedMs = 0;
            foreach (var (info, pixels) in images)
            {
                var started = Stopwatch.GetTimestamp();
                var found = detector.Detect(pixels);
                elapsedMs += Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                var c = EvalMetrics.Score(info.Faces, found, AnonymizeOptions.DefaultPadding);
                counts.Add(c);
                if (verbose)
                {
                    Console.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"  {Path.GetFileName(info.Path)} {pixels.Width}x{pixels.Height}: faces={c.CountedFaces} covered={c.Covered} iou50={c.MatchedIou50} detections={c.Detections} fp={c.FalsePositives}"));
                }
            }

            var ms = elapsedMs / images.Count;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{set.Name}: images={counts.Images} counted_faces={counts.CountedFaces} detections={counts.Detections} coverage={counts.CoverageRecall:0.000} recall_iou50={counts.RecallIou50:0.000} fp={counts.FalsePositives} ms_per_image={ms:0.0}"));
            string[] labels = ["10-16px", "16-32px", "32-64px", ">=64px"];
            var buckets = labels.Select((label, i) => string.Create(
                CultureInfo.InvariantCulture,
                $"{label} {counts.CoveredBySize[i]}/{counts.FacesBySize[i]}"));
            Console.WriteLine($"  covered by face size: {string.Join(", ", buckets)}");
            string[] fpLabels = ["<16px", "16-32px", "32-64px", ">=64px"];
            var fps = fpLabels.Select((label, i) => string.Create(CultureInfo.InvariantCulture, $"{label} {counts.FalsePositivesBySize[i]}"));
            Console.WriteLine($"  false positives by box size: {string.Join(", ", fps)}; uncovered faces overlapped by a detection: {counts.NearMisses}");
            return (counts, ms);
        }
        finally
        {
            foreach (var (_, pixels) in images)
            {
                pixels.Dispose();
            }
        }
    }

    private static string Describe(DetectorOptions o) => string.Create(
        CultureInfo.InvariantCulture,
        $"score>={o.ScoreThreshold} small_face<{o.SmallFaceSize}:score>={o.SmallFaceScoreThreshold} single_pass_score>={o.SinglePassScoreThreshold} candidates>={o.CandidateThreshold} fusion={o.ScoreFusion}/{o.BoxMerge} fusion_iou={o.FusionIou} nms={o.NmsThreshold} min_face={o.MinFaceSize} min_side={o.MinSide} max_upscale={o.MaxUpscale} max_side={o.MaxSide} max_mp={o.MaxMegapixels} flip={o.Flip} n_model={o.ModelNEnabled} multi_pass_max_mp={o.MultiPassMaxMegapixels} tile={o.TileSize} overlap={o.TileOverlap} tile_upscale={o.TileUpscale} pixel_budget={o.PixelBudget} models={o.BasePath}");
}
