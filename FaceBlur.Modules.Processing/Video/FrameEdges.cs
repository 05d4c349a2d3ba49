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
}
