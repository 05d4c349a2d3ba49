using OpenCvSharp;

namespace FaceBlur.Modules.Processing.Detection;

/// <summary>One tile of a search level: its square of network input, placed in the photo scaled by the level's scale.</summary>
/// <param name="X">Left edge in scaled-photo pixels.</param>
/// <param name="Y">Top edge in scaled-photo pixels.</param>
/// <param name="Width">Width of the photo's content in the tile (less than the tile size only when the photo is smaller).</param>
/// <param name="Height">Height of the photo's content in the tile.</param>
internal readonly record struct Tile(int X, int Y, int Width, int Height)
{
    /// <summary>Whether a point of the scaled photo lies in the tile (left and top edges included, right and bottom not).</summary>
    public bool Contains(float x, float y) => x >= X && x < X + Width && y >= Y && y < Y + Height;
}

/// <summary>
/// The tiles that cover a photo scaled by one factor, and the network input of each: evenly spread squares of the tile
/// size, overlapping by at least the configured overlap, so that a face up to the overlap is whole in some tile. A box
/// touching a tile's inner edge (one inside the photo) is cut there and dropped; its whole self is in a neighbour.
/// </summary>
internal sealed class TileGrid
{
    /// <summary>Distance, in input pixels, from an inner edge within which a box counts as cut by it.</summary>
    private const float CutMargin = 2;

    private readonly int tileSize;

    public TileGrid(int width, int height, float scale, int tileSize, int overlap)
    {
        Scale = scale;
        this.tileSize = tileSize;
        ScaledWidth = Math.Max(1, (int)Math.Round(width * scale));
        ScaledHeight = Math.Max(1, (int)Math.Round(height * scale));
        var xs = Starts(ScaledWidth, tileSize, overlap);
        var ys = Starts(ScaledHeight, tileSize, overlap);
        Tiles = [.. ys.SelectMany(y => xs.Select(x => new Tile(x, y, Math.Min(tileSize, ScaledWidth - x), Math.Min(tileSize, ScaledHeight - y))))];
    }

    public float Scale { get; }

    public int ScaledWidth { get; }

    public int ScaledHeight { get; }

    public IReadOnlyList<Tile> Tiles { get; }

    /// <summary>Network input pixels fed for one pass over every tile.</summary>
    public double InputMegapixels => Tiles.Count * (double)tileSize * tileSize / 1_000_000d;

    /// <summary>Left (or top) edges of tiles covering <paramref name="length"/>, evenly spread, overlapping by at least <paramref name="overlap"/>.</summary>
    public static int[] Starts(int length, int tile, int overlap)
    {
        if (length <= tile)
        {
            return [0];
        }

        var count = (int)Math.Ceiling((double)(length - overlap) / (tile - overlap));
        return [.. Enumerable.Range(0, count).Select(i => (int)Math.Round((double)(length - tile) * i / (count - 1)))];
    }

    /// <summary>
    /// The network input of <paramref name="tile"/>: a black square of the tile size holding that part of the photo at
    /// the grid's scale (mirrored when asked). <paramref name="scaledPhoto"/> is the photo already at the grid's scale
    /// when the scale is at most 1 (a plain copy); above 1 the part is interpolated from <paramref name="photo"/> alone,
    /// so that no upscaled copy of the whole photo ever exists.
    /// </summary>
    public Mat Input(Mat photo, Mat? scaledPhoto, Tile tile, bool mirrored)
    {
        var input = new Mat(tileSize, tileSize, MatType.CV_8UC3, Scalar.All(0));
        using var content = new Mat(input, new Rect(0, 0, tile.Width, tile.Height));
        if (Scale <= 1)
        {
            using var part = new Mat(scaledPhoto ?? photo, new Rect(tile.X, tile.Y, tile.Width, tile.Height));
            part.CopyTo(content);
        }
        else
        {
            Interpolate(photo, tile, content);
        }

        if (mirrored)
        {
            Cv2.Flip(content, content, FlipMode.Y);
        }

        return input;
    }

    /// <summary>
    /// The candidates a network found in <paramref name="tile"/>'s input, mapped to photo pixels: mirrored back when the
    /// input was mirrored, and without the boxes cut by an inner edge of the tile.
    /// </summary>
    public IEnumerable<FaceBox> ToPhoto(IEnumerable<FaceBox> candidates, Tile tile, bool mirrored)
    {
        foreach (var c in candidates)
        {
            var b = mirrored ? c with { X = tile.Width - c.X - c.Width } : c;
            var cut = (tile.X > 0 && b.X < CutMargin) || (tile.Y > 0 && b.Y < CutMargin)
                || (tile.X + tile.Width < ScaledWidth && b.Right > tile.Width - CutMargin)
                || (tile.Y + tile.Height < ScaledHeight && b.Bottom > tile.Height - CutMargin);
            if (!cut)
            {
                yield return new FaceBox((b.X + tile.X) / Scale, (b.Y + tile.Y) / Scale, b.Width / Scale, b.Height / Scale, b.Score);
            }
        }
    }

    /// <summary>
    /// Bilinear interpolation of the tile's part of the photo, with the pixel-centre convention of <c>Cv2.Resize</c>
    /// (input pixel centre u + 0.5 maps to photo (u + 0.5) / scale), from a small region of the photo only.
    /// </summary>
    private void Interpolate(Mat photo, Tile tile, Mat content)
    {
        const int Margin = 2;
        var x0 = Math.Max(0, (int)Math.Floor(tile.X / Scale) - Margin);
        var y0 = Math.Max(0, (int)Math.Floor(tile.Y / Scale) - Margin);
        var x1 = Math.Min(photo.Width, (int)Math.Ceiling((tile.X + tile.Width) / Scale) + Margin);
        var y1 = Math.Min(photo.Height, (int)Math.Ceiling((tile.Y + tile.Height) / Scale) + Margin);
        using var region = new Mat(photo, new Rect(x0, y0, x1 - x0, y1 - y0));
        var half = 0.5 * (Scale - 1);
        using var transform = new Mat(2, 3, MatType.CV_64FC1);
        transform.Set(0, 0, (double)Scale);
        transform.Set(0, 1, 0d);
        transform.Set(0, 2, (x0 * Scale) - tile.X + half);
        transform.Set(1, 0, 0d);
        transform.Set(1, 1, (double)Scale);
        transform.Set(1, 2, (y0 * Scale) - tile.Y + half);
        Cv2.WarpAffine(region, content, transform, new Size(tile.Width, tile.Height), InterpolationFlags.Linear, BorderTypes.Replicate);
    }
}
