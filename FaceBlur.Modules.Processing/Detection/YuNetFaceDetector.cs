using OpenCvSharp;

namespace FaceBlur.Modules.Processing.Detection;

/// <summary>
/// The whole-image face detector: YuNet (the any-size main model in OpenCV DNN, or ONNX Runtime for the video detector;
/// the n model in ONNX Runtime) on one resized copy of the image, with an explicit detection-size policy and, for small
/// images, extra passes merged by score fusion; see <see cref="DetectorOptions"/> for the strategy and its settings. Video frames use it alone; photos use it through
/// <see cref="PhotoFaceDetector"/>, which adds the tiled search. Models are loaded once, in the constructor; networks
/// are pooled, so <see cref="Detect"/> is safe to call from several threads.
/// </summary>
public sealed class YuNetFaceDetector : IFaceDetector, IDisposable
{
    private const int Alignment = 32;
    private const int NInputSize = 640;

    private readonly DetectorOptions options;
    private readonly IYuNetNetwork model;
    private readonly OnnxYuNetModel? modelN;
    private readonly CallsInProgress calls = new();

    /// <summary>
    /// Loads the models named by <paramref name="options"/> (relative paths against <see cref="DetectorOptions.BasePath"/>).
    /// Throws <see cref="FileNotFoundException"/> when a model file is missing and <see cref="InvalidOperationException"/>
    /// when it cannot be loaded or the options are invalid, with a one-line message naming the setting.
    /// </summary>
    public YuNetFaceDetector(DetectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join("; ", errors));
        }

        this.options = options;
        var path = options.Resolve(options.ModelPath);
        model = options.Runtime == DetectorRuntime.OnnxRuntime
            ? new OnnxYuNetModel(path, options.ModelPathSetting, options.RuntimeThreads)
            : new YuNetModel(path, options.ModelPathSetting, null);
        if (model.FixedInputSize is not null)
        {
            model.Dispose();
            throw new DetectorModelException($"{options.ModelPathSetting}: {path} takes one fixed input size; the main model must take any size");
        }

        if (options.ModelNEnabled)
        {
            try
            {
                // ONNX Runtime: about three times as fast as OpenCV DNN on this model (docs/BENCHMARKS.md).
                var n = new OnnxYuNetModel(options.Resolve(options.ModelNPath), "DETECTOR_MODEL_N_PATH", options.RuntimeThreads);
                if (n.FixedInputSize is { } fixedSize && fixedSize != NInputSize)
                {
                    n.Dispose();
                    throw new DetectorModelException($"DETECTOR_MODEL_N_PATH: {options.Resolve(options.ModelNPath)} takes {fixedSize}x{fixedSize} inputs; the n pass needs {NInputSize}x{NInputSize} or any size");
                }

                modelN = n;
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// Faces in <paramref name="bgrImage"/> (CV_8UC3 BGR; gray and BGRA are converted), in its pixel coordinates, clipped
    /// to the image, best score first. Empty and tiny images give an empty list or the faces found, never an exception.
    /// </summary>
    public IReadOnlyList<FaceBox> Detect(Mat bgrImage, CancellationToken cancellationToken = default)
    {
        using var call = calls.Enter(this);
        return BgrInput.Detect(bgrImage, image => DetectBgr(image, cancellationToken));
    }

    private List<FaceBox> DetectBgr(Mat bgrImage, CancellationToken cancellationToken)
    {
        var width = bgrImage.Width;
        var height = bgrImage.Height;
        var scale = DetectionScale(width, height, options);
        var detWidth = Math.Max(1, (int)Math.Round(width * scale));
        var detHeight = Math.Max(1, (int)Math.Round(height * scale));
        var multiPass = IsMultiPass(width, height);
        var passes = new List<IReadOnlyList<FaceBox>>(4);
        var threshold = multiPass ? Math.Min(options.ScoreThreshold, options.SmallFaceScoreThreshold) : options.SinglePassScoreThreshold;
        var candidateScore = multiPass ? Math.Min(options.CandidateThreshold, threshold) : threshold;

        using (var canvas = Letterbox(bgrImage, detWidth, detHeight, AlignUp(detWidth), AlignUp(detHeight)))
        {
            passes.Add(Suppress(model.Detect(canvas, candidateScore), 1 / scale));
            if (multiPass && options.Flip)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var mirrored = new Mat();
                Cv2.Flip(canvas, mirrored, FlipMode.Y);
                var found = model.Detect(mirrored, candidateScore);
                var mirroredBack = found.Select(b => b with { X = canvas.Width - b.X - b.Width });
                passes.Add(Suppress(mirroredBack, 1 / scale));
            }
        }

        var nPassStart = passes.Count;
        if (multiPass && modelN is not null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            passes.Add(DetectN(bgrImage, modelN, candidateScore, mirrored: false));
            if (options.Flip)
            {
                cancellationToken.ThrowIfCancellationRequested();
                passes.Add(DetectN(bgrImage, modelN, candidateScore, mirrored: true));
            }
        }

        var weights = new float[passes.Count];
        Array.Fill(weights, 1f);
        for (var p = nPassStart; p < passes.Count; p++)
        {
            weights[p] = options.ModelNWeight;
        }

        var fused = BoxFusion.Fuse(passes, options.FusionIou, threshold, options.ScoreFusion, weights, options.BoxMerge);
        if (passes.Count > 1)
        {
            fused = BoxFusion.Nms(fused.Where(f => f.Score >= options.FusedThresholdFor(f)), options.NmsThreshold);
        }

        var result = new List<FaceBox>(fused.Count);
        foreach (var face in fused)
        {
            var clipped = Clip(face, width, height);
            if (clipped.Width >= 1 && clipped.Height >= 1 && Math.Min(face.Width, face.Height) >= options.MinFaceSize)
            {
                result.Add(clipped);
            }
        }

        return result;
    }

    public void Dispose()
    {
        if (!calls.TryEndAll(CallsInProgress.DisposeWait))
        {
            return;
        }

        model.Dispose();
        modelN?.Dispose();
        calls.Dispose();
    }

    /// <summary>Whether an image of this size gets the extra passes (and so needs no tiled search).</summary>
    internal bool IsMultiPass(int width, int height) =>
        (double)width * height <= options.MultiPassMaxMegapixels * 1_000_000d && (options.Flip || modelN is not null);

    /// <summary>
    /// The factor from image to detection copy: small images up to <see cref="DetectorOptions.MinSide"/> (at most
    /// <see cref="DetectorOptions.MaxUpscale"/>), large ones down to <see cref="DetectorOptions.MaxSide"/> and
    /// <see cref="DetectorOptions.MaxMegapixels"/>.
    /// </summary>
    public static float DetectionScale(int width, int height, DetectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var longSide = (float)Math.Max(width, height);
        var scale = 1f;
        if (longSide < options.MinSide)
        {
            scale = Math.Min(options.MinSide / longSide, options.MaxUpscale);
        }

        scale = Math.Min(scale, options.MaxSide / longSide);
        var megapixels = (double)width * height / 1_000_000d;
        if (megapixels * scale * scale > options.MaxMegapixels)
        {
            scale = (float)Math.Sqrt(options.MaxMegapixels / megapixels);
        }

        return scale;
    }

    /// <summary>
    /// The n model's pass: the image resized so its long side is <see cref="DetectorOptions.ModelNSide"/> (no more than
    /// <see cref="DetectorOptions.MaxUpscale"/> times its own), letterboxed into one 640x640 input or, when larger, cut into
    /// overlapping 640x640 tiles; boxes cut by an inner tile edge are dropped (a neighbouring tile holds them whole).
    /// </summary>
    private List<FaceBox> DetectN(Mat image, OnnxYuNetModel n, float candidateScore, bool mirrored)
    {
        var longSide = Math.Max(image.Width, image.Height);
        var scale = Math.Min((float)options.ModelNSide / longSide, options.MaxUpscale);
        var width = Math.Max(1, (int)Math.Round(image.Width * scale));
        var height = Math.Max(1, (int)Math.Round(image.Height * scale));
        var canvasWidth = Math.Max(width, NInputSize);
        var canvasHeight = Math.Max(height, NInputSize);
        using var canvas = Letterbox(image, width, height, canvasWidth, canvasHeight);
        if (mirrored)
        {
            // Mirrors the content to the right edge: the same tiles then see the mirrored image.
            Cv2.Flip(canvas, canvas, FlipMode.Y);
        }

        var found = new List<FaceBox>();
        foreach (var x in TileStarts(canvasWidth))
        {
            foreach (var y in TileStarts(canvasHeight))
            {
                using var tile = new Mat(canvas, new Rect(x, y, NInputSize, NInputSize));
                using var input = tile.Clone();
                foreach (var b in n.Detect(input, candidateScore))
                {
                    const float Margin = 2;
                    var cut = (x > 0 && b.X < Margin) || (y > 0 && b.Y < Margin)
                        || (x + NInputSize < canvasWidth && b.Right > NInputSize - Margin)
                        || (y + NInputSize < canvasHeight && b.Bottom > NInputSize - Margin);
                    if (!cut)
                    {
                        found.Add(b with { X = b.X + x, Y = b.Y + y });
                    }
                }
            }
        }

        if (mirrored)
        {
            found = [.. found.Select(b => b with { X = canvasWidth - b.X - b.Width })];
        }

        return Suppress(found, 1 / scale);
    }

    /// <summary>Left (or top) edges of 640 px tiles covering <paramref name="length"/>, evenly spread, overlapping >= 96 px.</summary>
    private static IEnumerable<int> TileStarts(int length)
    {
        const int MinOverlap = 96;
        if (length <= NInputSize)
        {
            yield return 0;
            yield break;
        }

        var count = (int)Math.Ceiling((double)(length - MinOverlap) / (NInputSize - MinOverlap));
        for (var i = 0; i < count; i++)
        {
            yield return (int)Math.Round((double)(length - NInputSize) * i / (count - 1));
        }
    }

    private static int AlignUp(int size) => (size + Alignment - 1) / Alignment * Alignment;

    /// <summary>The image resized to <paramref name="width"/> x <paramref name="height"/>, top-left in a black canvas.</summary>
    private static Mat Letterbox(Mat image, int width, int height, int canvasWidth, int canvasHeight)
    {
        var canvas = new Mat(canvasHeight, canvasWidth, MatType.CV_8UC3, Scalar.All(0));
        using var target = new Mat(canvas, new Rect(0, 0, width, height));
        if (width == image.Width && height == image.Height)
        {
            image.CopyTo(target);
        }
        else
        {
            var interpolation = width < image.Width ? InterpolationFlags.Area : InterpolationFlags.Linear;
            Cv2.Resize(image, target, new Size(width, height), 0, 0, interpolation);
        }

        return canvas;
    }

    /// <summary>One pass's candidates: non-maximum suppressed, mapped back to image coordinates.</summary>
    private List<FaceBox> Suppress(IEnumerable<FaceBox> candidates, float factor) =>
        [.. BoxFusion.Nms(candidates, options.NmsThreshold).Select(b => b.Scale(factor))];

    /// <summary>The box clipped to an image of the given size.</summary>
    internal static FaceBox Clip(FaceBox box, int width, int height)
    {
        var x1 = Math.Clamp(box.X, 0, width);
        var y1 = Math.Clamp(box.Y, 0, height);
        var x2 = Math.Clamp(box.Right, 0, width);
        var y2 = Math.Clamp(box.Bottom, 0, height);
        return new FaceBox(x1, y1, x2 - x1, y2 - y1, box.Score);
    }
}
