using OpenCvSharp;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>How a frame relates to the one before it.</summary>
internal enum ShotChange
{
    /// <summary>The same shot goes on (motion, a pan, a flash, a fade that still shows something).</summary>
    None,

    /// <summary>A new shot starts: the picture's content changed at once.</summary>
    Cut,

    /// <summary>The frame shows nothing (black or white, as in the middle of a fade): no face can be seen in it.</summary>
    Blank,
}

/// <summary>
/// A frame's fingerprint for telling shots apart: its luma averaged down to a thumbnail about 36 px high (by a whole
/// factor, so that the averaging is exact and fast), brought to zero mean and unit spread so that a change of brightness
/// or contrast (a flash, a fade, exposure) leaves it unchanged while a change of content does not. Computed on the
/// detection threads; one per frame of the pool, reused.
/// </summary>
internal sealed class FrameSignature : IDisposable
{
    /// <summary>Thumbnail height aimed at: enough to see a picture's layout, too coarse for motion to matter.</summary>
    private const int ThumbnailSide = 36;

    private readonly Mat thumbnail = new();
    private byte[] pixels = [];
    private float[] values = [];

    /// <summary>The normalized thumbnail (empty before the first computation or for a blank frame).</summary>
    public ReadOnlySpan<float> Values => values;

    /// <summary>The thumbnail's width: <see cref="Values"/> are its rows one after the other.</summary>
    public int Columns { get; private set; }

    /// <summary>The spread of the thumbnail's luma, 0..255 (how much the frame shows).</summary>
    public float Spread { get; private set; }

    /// <summary>Fills the signature from <paramref name="luma"/> (an 8-bit plane).</summary>
    public void Compute(Mat luma)
    {
        var (width, height) = (luma.Width, luma.Height);
        var factor = Math.Max(1, Math.Min(width, height) / ThumbnailSide);
        var (columns, rows) = (width / factor, height / factor);
        using (var whole = new Mat(luma, new Rect(0, 0, columns * factor, rows * factor)))
        {
            Cv2.Resize(whole, thumbnail, new Size(columns, rows), 0, 0, InterpolationFlags.Area);
        }

        Columns = columns;
        if (values.Length != columns * rows)
        {
            pixels = new byte[columns * rows];
            values = new float[columns * rows];
        }

        // A new matrix from Resize is continuous: its bytes are the rows one after the other.
        System.Runtime.InteropServices.Marshal.Copy(thumbnail.Data, pixels, 0, pixels.Length);
        var sum = 0.0;
        var squares = 0.0;
        for (var i = 0; i < pixels.Length; i++)
        {
            float v = pixels[i];
            values[i] = v;
            sum += v;
            squares += v * v;
        }

        var mean = sum / values.Length;
        Spread = (float)Math.Sqrt(Math.Max(0, (squares / values.Length) - (mean * mean)));
        var scale = Spread > 0 ? 1 / Spread : 0;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)((values[i] - mean) * scale);
        }
    }

    public void Dispose() => thumbnail.Dispose();
}

/// <summary>
/// Tells where shots change, frame after frame in order: a cut where the normalized thumbnails of two consecutive
/// frames differ by more than <see cref="CutDistance"/> on average, shifted against each other as far as a fast pan
/// moves the picture (a hard cut between unrelated pictures measures about 1.0; motion, pans and fades below 0.3, a
/// camera flash about 0.4-0.45), a blank frame where the luma's spread is below <see cref="BlankSpread"/> (nothing to
/// see). Not thread-safe: one per video.
/// </summary>
internal sealed class ShotBoundaries
{
    /// <summary>Mean difference of two normalized thumbnails above which the content changed at once.</summary>
    public const float CutDistance = 0.6f;

    /// <summary>Luma spread (of 255) below which a frame shows nothing.</summary>
    public const float BlankSpread = 2.5f;

    /// <summary>Thumbnail pixels two frames may be shifted against each other (a pan) and still be compared as one picture.</summary>
    private const int MaxShift = 3;

    private float[] previous = [];
    private bool previousBlank = true;

    /// <summary>How <paramref name="frame"/> relates to the frame observed before it (the first frame starts a shot).</summary>
    public ShotChange Observe(FrameSignature frame)
    {
        if (frame.Spread < BlankSpread)
        {
            previousBlank = true;
            return ShotChange.Blank;
        }

        var values = frame.Values;
        var change = ShotChange.None;
        if (!previousBlank && previous.Length == values.Length && Distance(previous, values, frame.Columns) > CutDistance)
        {
            change = ShotChange.Cut;
        }

        if (previous.Length != values.Length)
        {
            previous = new float[values.Length];
        }

        values.CopyTo(previous);
        previousBlank = false;
        return change;
    }

    /// <summary>
    /// How different two signatures of <paramref name="columns"/> columns are: the mean absolute difference of their
    /// values where they overlap, with the second shifted by up to <see cref="MaxShift"/> pixels each way (the smallest
    /// over the shifts: a pan moves the picture, it does not change it).
    /// </summary>
    internal static float Distance(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int columns)
    {
        if (a.Length == 0 || columns <= 2 * MaxShift || a.Length / columns <= 2 * MaxShift)
        {
            return 0;
        }

        var rows = a.Length / columns;
        var best = float.MaxValue;
        for (var dy = -MaxShift; dy <= MaxShift; dy++)
        {
            for (var dx = -MaxShift; dx <= MaxShift; dx++)
            {
                var sum = 0f;
                for (var r = MaxShift; r < rows - MaxShift; r++)
                {
                    var rowA = a.Slice((r * columns) + MaxShift, columns - (2 * MaxShift));
                    var rowB = b.Slice(((r + dy) * columns) + MaxShift + dx, columns - (2 * MaxShift));
                    for (var c = 0; c < rowA.Length; c++)
                    {
                        sum += Math.Abs(rowA[c] - rowB[c]);
                    }
                }

                best = Math.Min(best, sum);
            }
        }

        return best / ((rows - (2 * MaxShift)) * (columns - (2 * MaxShift)));
    }
}
