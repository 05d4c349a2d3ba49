using FaceBlur.Modules.Processing.Detection;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>
/// Finds the faces of one video frame: the detector runs on a small copy of the frame (the every-frame scan), or on a
/// larger one (the fine scan, for faces too small for the other), and its boxes are brought back to frame pixels and
/// shaped for video (squares; faces cut by the edge completed). Thread-safe when the detector is: each thread has its
/// own copies.
/// </summary>
internal sealed class FrameDetector(IFaceDetector detector, FrameGeometry geometry) : IDisposable
{
    private readonly ThreadLocal<Dictionary<(int Width, int Height), DetectionCopy>> copies = new(() => [], trackAllValues: true);

    /// <summary>Whether there is a fine scan (see <see cref="FrameGeometry.HasFineScan"/>).</summary>
    public bool HasFineScan => geometry.HasFineScan;

    /// <summary>
    /// Computes <paramref name="frame"/>'s signature (see <see cref="FrameSignature"/>) and, when <paramref name="detect"/>,
    /// its face boxes in frame pixels, from the fine scan when <paramref name="fine"/> (null when not detecting). The
    /// signature of a detected frame comes from its copy, small and already made.
    /// </summary>
    public IReadOnlyList<FaceBox>? Analyze(VideoFrame frame, bool detect, bool fine)
    {
        if (!detect)
        {
            frame.Signature.Compute(frame.Planes.Y);
            return null;
        }

        var size = fine ? (geometry.FineWidth, geometry.FineHeight) : (geometry.DetectionWidth, geometry.DetectionHeight);
        var mine = copies.Value!;
        if (!mine.TryGetValue(size, out var copy))
        {
            copy = new DetectionCopy(size.Item1, size.Item2);
            mine[size] = copy;
        }

        var found = detector.Detect(copy.Fill(frame));
        frame.Signature.Compute(copy.Luma);
        var sx = frame.Width / (float)copy.Width;
        var sy = frame.Height / (float)copy.Height;
        return [.. found.Select(b => Square(CompleteAtEdge(new FaceBox(b.X * sx, b.Y * sy, b.Width * sx, b.Height * sy, b.Score), frame.Width, frame.Height)))];
    }

    /// <summary>Frees every thread's copies (once no detection runs).</summary>
    public void Dispose()
    {
        foreach (var copy in copies.Values.SelectMany(c => c.Values))
        {
            copy.Dispose();
        }

        copies.Dispose();
    }

    /// <summary>
    /// YuNet's boxes are narrower than tall (brow to chin, cheek to cheek); a turned head's ear and cheek stick out of
    /// them. Video boxes are widened about their centre to squares.
    /// </summary>
    internal static FaceBox Square(FaceBox box) =>
        box.Width >= box.Height ? box : box with { X = box.X - (box.Height - box.Width) / 2, Width = box.Height };

    /// <summary>
    /// A face cut by the frame's edge is detected as its visible part, often too narrow (or short) and off-centre; the
    /// box is widened inwards to a whole face's proportions (width 0.8 of the height), so the visible part stays hidden.
    /// Where a partial face lies along the edge is uncertain too: a box touching an edge grows by a quarter along it.
    /// </summary>
    internal static FaceBox CompleteAtEdge(FaceBox box, int width, int height)
    {
        const float Aspect = 0.8f;
        const float AlongEdge = 0.25f;
        var b = box;

        // Within a tenth of the face of the edge (the detector's box seldom reaches the last pixel).
        var touch = Math.Max(2, 0.1f * Math.Max(b.Width, b.Height));
        var (left, right) = (b.X <= touch, b.Right >= width - touch);
        if (left || right)
        {
            if (b.Width < Aspect * b.Height)
            {
                var grow = Aspect * b.Height - b.Width;
                b = right ? b with { X = b.X - grow, Width = b.Width + grow } : b with { Width = b.Width + grow };
            }

            b = b with { Y = b.Y - b.Height * AlongEdge / 2, Height = b.Height * (1 + AlongEdge) };
        }

        var (top, bottom) = (b.Y <= touch, b.Bottom >= height - touch);
        if (top || bottom)
        {
            if (b.Height < b.Width / Aspect)
            {
                var grow = b.Width / Aspect - b.Height;
                b = bottom ? b with { Y = b.Y - grow, Height = b.Height + grow } : b with { Height = b.Height + grow };
            }

            b = b with { X = b.X - b.Width * AlongEdge / 2, Width = b.Width * (1 + AlongEdge) };
        }

        return b;
    }
}
