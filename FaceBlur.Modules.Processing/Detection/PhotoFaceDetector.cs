using FaceBlur.Modules.Processing.Jobs;
using OpenCvSharp;

namespace FaceBlur.Modules.Processing.Detection;

/// <summary>
/// The photo detector: searches every part of a photo at least at its own resolution. Photos of at most
/// <see cref="DetectorOptions.MultiPassMaxMegapixels"/> get the whole-image search of <see cref="YuNetFaceDetector"/>
/// (every pass on one copy upscaled to <see cref="DetectorOptions.MinSide"/>). Larger photos are searched in tiles (see
/// <see cref="DetectorOptions"/> and <see cref="SearchLevel.Scales"/>): at <see cref="DetectorOptions.TileUpscale"/> with
/// every pass, fused, for the small faces; at native resolution with the main pass, for faces of 32 px and more and as
/// the survey of where small faces are; at coarser scales down to the whole photo in one tile, for the large faces.
/// The tiles of a photo run on one thread per core (<see cref="WorkerThreads"/>), in ONNX Runtime at the default tile
/// size; no copy of the photo larger than the photo itself is made.
/// </summary>
public sealed class PhotoFaceDetector : IFaceDetector, IDisposable
{
    private readonly DetectorOptions options;
    private readonly YuNetFaceDetector whole;
    private readonly IYuNetNetwork tileModel;
    private readonly IYuNetNetwork? tileModelN;
    private readonly Lazy<WorkerThreads> threads;
    private readonly CallsInProgress calls = new();

    /// <summary>
    /// Loads the models named by <paramref name="options"/>; throws like <see cref="YuNetFaceDetector"/>, and with a
    /// message naming DETECTOR_TILE_SIZE when a model cannot take tiles of that size.
    /// </summary>
    public PhotoFaceDetector(DetectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
        whole = new YuNetFaceDetector(options);
        try
        {
            tileModel = LoadTileModel(options.Resolve(options.ModelPath), options.ModelPathSetting, options.TileSize, anySizeFallback: true);
            tileModelN = options.ModelNEnabled
                ? LoadTileModel(options.Resolve(options.ModelNPath), "DETECTOR_MODEL_N_PATH", options.TileSize, anySizeFallback: false)
                : null;
        }
        catch
        {
            tileModel?.Dispose();
            whole.Dispose();
            throw;
        }

        threads = new(() => new WorkerThreads(ThreadCount, ThreadNice, "face-detection"));
    }

    /// <summary>Nice value of the tile threads (Linux; 0 leaves them at normal priority). The service sets the job workers' value.</summary>
    public int ThreadNice { get; init; }

    /// <summary>Diagnostics for tests and benchmarks: called after each tiled search with what it searched.</summary>
    internal Action<TileSearchStats>? SearchObserver { get; init; }

    /// <summary>How many tiles run at once (one per core; the evaluation measures with one).</summary>
    internal int ThreadCount { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Faces in <paramref name="bgrImage"/> (CV_8UC3 BGR; gray and BGRA are converted), in its pixel coordinates, clipped
    /// to the image, best score first. <paramref name="cancellationToken"/> is checked between tiles.
    /// </summary>
    public IReadOnlyList<FaceBox> Detect(Mat bgrImage, CancellationToken cancellationToken = default)
    {
        using var call = calls.Enter(this);
        return BgrInput.Detect(bgrImage, image => DetectBgr(image, cancellationToken));
    }

    private IReadOnlyList<FaceBox> DetectBgr(Mat bgrImage, CancellationToken cancellationToken)
    {
        if (whole.IsMultiPass(bgrImage.Width, bgrImage.Height))
        {
            return whole.Detect(bgrImage, cancellationToken);
        }

        var scales = SearchLevel.Scales(bgrImage.Width, bgrImage.Height, options);
        var levels = scales.Select((s, i) => CreateLevel(bgrImage.Width, bgrImage.Height, s, finest: i == 0)).ToList();
        var scaledCopies = new List<Mat>();
        try
        {
            Search(bgrImage, levels, scaledCopies, cancellationToken);
        }
        finally
        {
            foreach (var copy in scaledCopies)
            {
                copy.Dispose();
            }
        }

        return Merge(levels, bgrImage.Width, bgrImage.Height);
    }

    public void Dispose()
    {
        if (!calls.TryEndAll(CallsInProgress.DisposeWait))
        {
            return;
        }

        calls.Dispose();
        if (threads.IsValueCreated)
        {
            threads.Value.Dispose();
        }

        whole.Dispose();
        tileModel.Dispose();
        tileModelN?.Dispose();
    }

    /// <summary>Minimum score of a native-resolution candidate that sends its tile to the upscaled search.</summary>
    private float EvidenceScore => options.CandidateThreshold;

    /// <summary>
    /// The main model (any-size models fall back to OpenCV DNN when ONNX Runtime's fixed input differs from the tile),
    /// or the n model, which must take the tile size.
    /// </summary>
    private static IYuNetNetwork LoadTileModel(string path, string setting, int tileSize, bool anySizeFallback)
    {
        var onnx = new OnnxYuNetModel(path, setting, threads: 1);
        if (onnx.FixedInputSize is not { } fixedSize || fixedSize == tileSize)
        {
            return onnx;
        }

        onnx.Dispose();
        return anySizeFallback
            ? new YuNetModel(path, setting, null)
            : throw new DetectorModelException(
                $"DETECTOR_TILE_SIZE: {path} ({setting}) takes only {fixedSize}x{fixedSize} inputs; set DETECTOR_TILE_SIZE={fixedSize} or use a model with a dynamic input size");
    }

    private SearchLevel CreateLevel(int width, int height, float scale, bool finest)
    {
        var passes = new List<TilePass> { new(tileModel, false, 1) };
        if (finest)
        {
            if (options.Flip)
            {
                passes.Add(new(tileModel, true, 1));
            }

            if (tileModelN is not null)
            {
                passes.Add(new(tileModelN, false, options.ModelNWeight));
                if (options.Flip)
                {
                    passes.Add(new(tileModelN, true, options.ModelNWeight));
                }
            }
        }

        return new SearchLevel(new TileGrid(width, height, scale, options.TileSize, options.TileOverlap), passes, finest);
    }

    /// <summary>
    /// Runs the tiles of every level. The coarser levels run first, with the finest level too when it searches every
    /// tile; when the finest level's full search would exceed <see cref="DetectorOptions.PixelBudget"/> and a
    /// native-resolution level can tell where small faces are, the finest level then searches only those tiles.
    /// </summary>
    private void Search(Mat photo, List<SearchLevel> levels, List<Mat> scaledCopies, CancellationToken cancellationToken)
    {
        var finest = levels[0];
        var native = levels.Skip(1).FirstOrDefault(l => l.Grid.Scale == 1);
        var gated = finest.Grid.Scale > 1 && native is not null
            && finest.Grid.InputMegapixels * finest.Passes.Count > options.PixelBudget;
        var jobs = new List<Action>();
        foreach (var level in levels.Skip(1))
        {
            jobs.AddRange(TileJobs(photo, ScaledCopy(photo, level.Grid, scaledCopies), level, level.Grid.Tiles, EvidenceScore));
        }

        if (!gated)
        {
            jobs.AddRange(TileJobs(photo, null, finest, finest.Grid.Tiles, options.CandidateThreshold));
        }

        threads.Value.RunAll(jobs, cancellationToken);
        var finestTiles = gated ? TilesWithSmallFaces(finest.Grid, native!) : finest.Grid.Tiles;
        if (gated)
        {
            threads.Value.RunAll([.. TileJobs(photo, null, finest, finestTiles, options.CandidateThreshold)], cancellationToken);
        }

        SearchObserver?.Invoke(new TileSearchStats(
            [.. levels.Select(l => (l.Grid.Scale, l == finest ? finestTiles.Count : l.Grid.Tiles.Count, l.Grid.Tiles.Count, l.Passes.Count))]));
    }

    /// <summary>The photo at a level's scale below 1 (kept in <paramref name="copies"/> for disposal), else null.</summary>
    private static Mat? ScaledCopy(Mat photo, TileGrid grid, List<Mat> copies)
    {
        if (grid.Scale >= 1)
        {
            return null;
        }

        var copy = new Mat();
        copies.Add(copy);
        Cv2.Resize(photo, copy, new Size(grid.ScaledWidth, grid.ScaledHeight), 0, 0, InterpolationFlags.Area);
        return copy;
    }

    /// <summary>
    /// One job per tile and orientation: the tile's input is made once, and each pass on that orientation (the main and
    /// the n model) runs on it; the candidates are mapped to photo pixels.
    /// </summary>
    private IEnumerable<Action> TileJobs(Mat photo, Mat? scaled, SearchLevel level, IEnumerable<Tile> tiles, float minScore)
    {
        var nmsThreshold = options.NmsThreshold;
        foreach (var tile in tiles)
        {
            foreach (var mirrored in level.Passes.Select(p => p.Mirrored).Distinct())
            {
                yield return () =>
                {
                    using var input = level.Grid.Input(photo, scaled, tile, mirrored);
                    for (var p = 0; p < level.Passes.Count; p++)
                    {
                        if (level.Passes[p].Mirrored != mirrored)
                        {
                            continue;
                        }

                        var candidates = BoxFusion.Nms(level.Passes[p].Network.Detect(input, minScore), nmsThreshold);
                        foreach (var face in level.Grid.ToPhoto(candidates, tile, mirrored))
                        {
                            level.Found[p].Add(face);
                        }
                    }
                };
            }
        }
    }

    /// <summary>
    /// The upscaled tiles holding the centre of a native-resolution candidate that level does not answer for: too small,
    /// or scoring below the single-pass threshold.
    /// </summary>
    private List<Tile> TilesWithSmallFaces(TileGrid upscaled, SearchLevel native)
    {
        var evidence = native.Found[0]
            .Where(f => f.Score >= EvidenceScore && (Math.Min(f.Width, f.Height) < native.MinAnswerSide || f.Score < options.SinglePassScoreThreshold))
            .ToList();
        var scale = upscaled.Scale;
        return [.. upscaled.Tiles.Where(t => evidence.Any(f => t.Contains((f.X + (f.Width / 2)) * scale, (f.Y + (f.Height / 2)) * scale)))];
    }

    /// <summary>
    /// The faces of all levels: the finest level's fused faces, then each coarser level's faces large enough for it to
    /// answer for; a face found again by a coarser level grows to the union of both boxes.
    /// </summary>
    private List<FaceBox> Merge(List<SearchLevel> levels, int width, int height)
    {
        var faces = FuseFinest(levels[0]);
        foreach (var level in levels.Skip(1))
        {
            var answers = BoxFusion.Nms(level.Found[0].Where(f => f.Score >= options.SinglePassScoreThreshold), options.NmsThreshold);
            BoxFusion.UnionInto(faces, answers.Where(f => Math.Min(f.Width, f.Height) >= level.MinAnswerSide), options.FusionIou);
        }

        var result = new List<FaceBox>(faces.Count);
        foreach (var face in BoxFusion.Nms(faces, options.NmsThreshold))
        {
            var clipped = YuNetFaceDetector.Clip(face, width, height);
            if (clipped.Width >= 1 && clipped.Height >= 1 && Math.Min(face.Width, face.Height) >= options.MinFaceSize)
            {
                result.Add(clipped);
            }
        }

        return result;
    }

    /// <summary>The upscaled level's passes fused as the whole-image search fuses its passes.</summary>
    private List<FaceBox> FuseFinest(SearchLevel level)
    {
        var passes = level.Found.Select(f => (IReadOnlyList<FaceBox>)BoxFusion.Nms(f, options.NmsThreshold)).ToList();
        var threshold = Math.Min(options.ScoreThreshold, options.SmallFaceScoreThreshold);
        var weights = level.Passes.Select(p => p.Weight).ToList();
        var fused = BoxFusion.Fuse(passes, options.FusionIou, threshold, options.ScoreFusion, weights, options.BoxMerge);
        return BoxFusion.Nms(fused.Where(f => f.Score >= (passes.Count > 1 ? options.FusedThresholdFor(f) : options.SinglePassScoreThreshold)), options.NmsThreshold);
    }
}

/// <summary>What one tiled search searched: per level, its scale, the tiles searched of all its tiles, and its passes.</summary>
internal sealed record TileSearchStats(IReadOnlyList<(float Scale, int Searched, int Tiles, int Passes)> Levels);
