using System.Globalization;
using FaceBlur.Bench.Evaluation;
using FaceBlur.Modules.Processing;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Images;

namespace FaceBlur.Bench.Images;

/// <summary><c>bench images [--repeats N] [--model-dir DIR]</c>: the image pipeline end to end at 1080p and 12 MP.</summary>
internal static class ImagesCommand
{
    public const string Usage = "bench images [--repeats N (default 15)] [--model-dir DIR]";

    public static int Run(IReadOnlyList<string> args)
    {
        var repeats = 15;
        string? modelDir = null;
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
                default:
                    throw new ArgumentException($"unknown argument {args[i]}");
            }
        }

        using var detector = new YuNetFaceDetector(EvalCommand.CreateOptions(modelDir, new Dictionary<string, string?>()));
        var processor = new ImageProcessor(detector, new ProcessingOptions());
        return ImageBenchmark.Run(processor, BenchPaths.DlibImages(), repeats, Console.Out);
    }
}
