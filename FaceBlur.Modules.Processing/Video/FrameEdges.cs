using FaceBlur.Modules.Processing.Detection;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>Sides of the frame.</summary>
[Flags]
internal enum Edges
{
    None = 0,
    Left = 1,
    Right = 2,
    Top = 4,
    Bottom = 8,
}

/// <summary>
/// Faces at the frame's edge: a face entering is first seen by the detector only once enough of it is inside, and a face
/// leaving is lost while part of it still shows. Boxes of such faces are stretched to the edge, so that the strip
/// between the face's known place and the edge (where its visible part is) stays hidden.
/// </summary>
internal static class FrameEdges
{
    /// <summary>The edges of a <paramref name="width"/> x <paramref name="height"/> frame within <paramref name="margin"/> px of <paramref name="box"/>.</summary>
    public static Edges Near(FaceBox box, int width, int height, float margin)
    {
        var edges = Edges.None;
        edges |= box.X <= margin ? Edges.Left : Edges.None;
        edges |= box.Right >= width - margin ? Edges.Right : Edges.None;
        edges |= box.Y <= margin ? Edges.Top : Edges.None;
        edges |= box.Bottom >= height - margin ? Edges.Bottom : Edges.None;
        return edges;
    }

    /// <summary><paramref name="box"/> stretched to reach each of <paramref name="edges"/> (a box already past an edge keeps its size).</summary>
    public static FaceBox StretchTo(FaceBox box, Edges edges, int width, int height)
    {
        var (left, top, right, bottom) = (box.X, box.Y, box.Right, box.Bottom);
        left = edges.HasFlag(Edges.Left) ? Math.Min(left, 0) : left;
        right = edges.HasFlag(Edges.Right) ? Math.Max(right, width) : right;
        top = edges.HasFlag(Edges.Top) ? Math.Min(top, 0) : top;
        bottom = edges.HasFlag(Edges.Bottom) ? Math.Max(bottom, height) : bottom;
        return new FaceBox(left, top, right - left, bottom - top, box.Score);
    }

    /// <summary>
    /// A detection reaching <paramref name="edges"/> given at least the size the face had before it reached them
    /// (<paramref name="wholeSize"/>; zero for a face first seen at the edge): the detector sees only the part inside the
    /// picture, which shrinks as the face leaves, while the face does not. Across an edge the box keeps its inner side
    /// and reaches out to the edge (the face's hidden part lies there); along it, it grows about its centre.
    /// </summary>
    public static FaceBox KeepWholeSize(FaceBox detection, Edges edges, (float Width, float Height) wholeSize, int width, int height)
    {
        if (edges == Edges.None)
        {
            return detection;
        }

        var (left, top, right, bottom) = (detection.X, detection.Y, detection.Right, detection.Bottom);
        (left, right) = Widen(left, right, wholeSize.Width, edges.HasFlag(Edges.Left), edges.HasFlag(Edges.Right));
        (top, bottom) = Widen(top, bottom, wholeSize.Height, edges.HasFlag(Edges.Top), edges.HasFlag(Edges.Bottom));
        return StretchTo(new FaceBox(left, top, right - left, bottom - top, detection.Score), edges, width, height);
    }

    /// <summary>The smallest box holding both.</summary>
    public static FaceBox Union(FaceBox a, FaceBox b)
    {
        var (left, top) = (Math.Min(a.X, b.X), Math.Min(a.Y, b.Y));
        var (right, bottom) = (Math.Max(a.Right, b.Right), Math.Max(a.Bottom, b.Bottom));
        return new FaceBox(left, top, right - left, bottom - top, Math.Max(a.Score, b.Score));
    }

    /// <summary>
    /// The span <paramref name="low"/>..<paramref name="high"/> made at least <paramref name="size"/> long: from the low
    /// end when the span is at the high edge (its inner side is the low end), from the high end when at the low edge,
    /// about its centre when at both or neither.
    /// </summary>
    private static (float Low, float High) Widen(float low, float high, float size, bool atLow, bool atHigh)
    {
        var missing = size - (high - low);
        if (missing <= 0)
        {
            return (low, high);
        }

        return (atLow, atHigh) switch
        {
            (false, true) => (low, high + missing),
            (true, false) => (low - missing, high),
            _ => (low - missing / 2, high + missing / 2),
        };
    }
}
