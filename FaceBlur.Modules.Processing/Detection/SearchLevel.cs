using System.Collections.Concurrent;

namespace FaceBlur.Modules.Processing.Detection;

/// <summary>One pass of a tiled level: which network, on the tile or its mirror, and its weight in the fusion.</summary>
internal sealed record TilePass(IYuNetNetwork Network, bool Mirrored, float Weight);

/// <summary>
/// One scale at which a photo is searched in tiles, the passes run on each tile, and what they found (in photo
/// pixels, per pass, collected from all tiles; filled concurrently).
/// </summary>
internal sealed class SearchLevel
{
    /// <summary>
    /// Smallest face, in network-input pixels, a level other than the finest answers for. Smaller faces are the finest
    /// level's: seen that small, a face scores too close to the noise for one pass to tell them apart.
    /// </summary>
    public const float CoarseMinFaceInput = 32;

    public SearchLevel(TileGrid grid, IReadOnlyList<TilePass> passes, bool finest)
    {
        Grid = grid;
        Passes = passes;
        Finest = finest;
        Found = [.. passes.Select(_ => new ConcurrentBag<FaceBox>())];
    }

    public TileGrid Grid { get; }

    public IReadOnlyList<TilePass> Passes { get; }

    /// <summary>The upscaled level: all passes, fused, answering for faces of every size.</summary>
    public bool Finest { get; }

    public IReadOnlyList<ConcurrentBag<FaceBox>> Found { get; }

    /// <summary>Smallest face, in photo pixels, this level answers for.</summary>
    public float MinAnswerSide => Finest ? 0 : CoarseMinFaceInput / Grid.Scale;

    /// <summary>
    /// The scales of the tiled search of a <paramref name="width"/> x <paramref name="height"/> photo, finest first: the
    /// upscale; native resolution (when the photo is larger than one tile); halvings for as long as a face too large to
    /// be whole in the last level's tiles is still too small to be seen in the photo reduced to one tile; and that
    /// one-tile scale, which holds the faces of every larger size.
    /// </summary>
    public static List<float> Scales(int width, int height, DetectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var oneTile = Math.Min(1f, (float)options.TileSize / Math.Max(width, height));
        var scales = new List<float> { options.TileUpscale };
        var scale = options.TileUpscale;
        if (scale > 1 && oneTile < 1)
        {
            scale = 1;
            scales.Add(scale);
        }

        while (scale > oneTile)
        {
            var takesOver = CoarseMinFaceInput / oneTile <= options.TileOverlap / scale;
            scale = takesOver || scale / 2 <= oneTile ? oneTile : scale / 2;
            scales.Add(scale);
        }

        return scales;
    }
}
