using System.Globalization;
using FaceBlur.Bench.Evaluation;
using FaceBlur.Modules.Processing;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Images;

namespace FaceBlur.Bench.Images;

/// <summary><c>bench images [--repeats N] [--model-dir DIR]</c>: the image pipeline end to end at 1080p, 12 MP and on a 11 MP crowd.</summary>
internal static class ImagesCommand
{
    public const string Usage = "bench images [--repeats N (default 15)] [--model-dir DIR] [--case 1920x1080|4032x3024|crowd_3744x2912] [--set DETECTOR_SETTING=VALUE ...] [--no-detect (time the render of exported regions, detect=false)]";

    public static int Run(IReadOnlyList<string> args)
    {
        var repeats = 15;
        string? modelDir = null;
        string? only = null;
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var noDetect = args.Contains("--no-detect");
        args = [.. args.Where(a => a != "--no-detect")];
        for (var i = 0; i + 1 < args.Count; i += 2)
        {
            switch (args[i])
            {
                case "--repeats":
                    repeats = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--model-dir":
                    modelDir = args[i + 1];
                    break;
                case "--case":
                    only = args[i + 1];
                    break;
                case "--set" when args[i + 1].Split('=', 2) is [var key, var value]:
                    settings[key] = value;
                    break;
                default:
                    throw new ArgumentException($"unknown argument {args[i]}");
            }
        }

        // The last tiled search, to print what a photo of each size costs (tiles searched, passes) beside its time.
        TileSearchStats? lastSearch = null;
        using var detector = new PhotoFaceDetector(EvalCommand.CreateOptions(modelDir, settings)) { SearchObserver = s => lastSearch = s };
        var processor = new ImageProcessor(detector, new ProcessingOptions());
        return ImageBenchmark.Run(processor, BenchPaths.DlibImages(), BenchPaths.CrowdImage(), repeats, only, noDetect, () =>
        {
            var described = Describe(lastSearch);
            lastSearch = null;
            return described;
        },
        Console.Out);
    }

    private static string Describe(TileSearchStats? search) => search is null
        ? "whole image"
        : string.Join(", ", search.Levels.Select(l => string.Create(CultureInfo.InvariantCulture, $"x{l.Scale:0.###} {l.Searched}/{l.Tiles}x{l.Passes}")));
}
