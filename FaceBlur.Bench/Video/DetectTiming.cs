using System.Diagnostics;
using System.Globalization;
using FaceBlur.Bench.Evaluation;
using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Video;

namespace FaceBlur.Bench.Video;

/// <summary><c>bench video --detect-timing</c>: the cost of one frame's detection, detection copy and hiding.</summary>
public static class DetectTiming
{
    /// <summary>Detection time per frame copy of a few sizes (a 1080p frame of the clip scaled down), one thread and two.</summary>
    public static int Run(string? modelDir)
    {
        var inv = CultureInfo.InvariantCulture;
        var images = Directory.GetFiles(Path.Combine(VideoBenchmark.EvalDir(), "dlib-faces", "images"));
        using var src = OpenCvSharp.Cv2.ImRead(images[0]);
        using var frame = new OpenCvSharp.Mat();
        OpenCvSharp.Cv2.Resize(src, frame, new OpenCvSharp.Size(1920, 1080));
        foreach (var side in new[] { 480, 640, 832, 960, 1088, 1280 })
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

        // The detection copy of one 1080p and one 4K I420 frame (planes resized, then converted to BGR), and its signature.
        foreach (var (fw, fh) in new[] { (1920, 1080), (3840, 2160) })
        {
            using var frameI420 = new VideoFrame(fw, fh);
            Random.Shared.NextBytes(frameI420.Buffer);
            foreach (var side in new[] { 640, 832, 960, 1280 })
            {
                var (w, h) = FrameGeometry.DetectionSize(fw, fh, side);
                using var copy = new DetectionCopy(w, h);
                var ms = MillisecondsPerCall(() => copy.Fill(frameI420), 50);
                Console.WriteLine(string.Create(inv, $"detection copy {w}x{h}: {ms:0.00} ms per {fw}x{fh} frame"));
            }

            var signature = MillisecondsPerCall(() => frameI420.Signature.Compute(frameI420.Planes.Y), 50);
            using var small = new DetectionCopy(832, 468);
            small.Fill(frameI420);
            var fromCopy = MillisecondsPerCall(() => frameI420.Signature.Compute(small.Luma), 50);
            Console.WriteLine(string.Create(inv, $"shot signature: {signature:0.00} ms from a {fw}x{fh} frame, {fromCopy:0.00} ms from its 832 px copy"));
        }

        using var frame1080 = new VideoFrame(1920, 1080);
        Random.Shared.NextBytes(frame1080.Buffer);

        // Hiding faces in one I420 frame, as the pipeline's writer does: 20 faces of 60-150 px, every mode.
        var faces = Enumerable.Range(0, 20).Select(i => new FaceBox(60 + (i % 10) * 180, 100 + (i / 10) * 500, 60 + (i * 5), 60 + (i * 5), 0.9f)).ToList();
        foreach (var mode in new[] { AnonymizationMode.Blur, AnonymizationMode.Pixelate, AnonymizationMode.Solid })
        {
            var anonymize = AnonymizeOptions.Default with { Mode = mode };
            var ms = MillisecondsPerCall(() => frame1080.Anonymize(faces, anonymize), 50);
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
}
