using OpenCvSharp;

namespace FaceBlur.Modules.Processing.Detection;

/// <summary>A detected face: its box in pixels of the image it was found in, and the detector's score (0..1).</summary>
public readonly record struct FaceBox(float X, float Y, float Width, float Height, float Score)
{
    public float Right => X + Width;

    public float Bottom => Y + Height;

    public float Area => Math.Max(0, Width) * Math.Max(0, Height);

    /// <summary>Intersection over union of two boxes.</summary>
    public float IoU(FaceBox other)
    {
        var ix = Math.Max(0, Math.Min(Right, other.Right) - Math.Max(X, other.X));
        var iy = Math.Max(0, Math.Min(Bottom, other.Bottom) - Math.Max(Y, other.Y));
        var inter = ix * iy;
        var union = Area + other.Area - inter;
        return union <= 0 ? 0 : inter / union;
    }

    /// <summary>The box grown by <paramref name="padding"/> of its size on each side.</summary>
    public FaceBox Pad(float padding) =>
        new(X - Width * padding, Y - Height * padding, Width * (1 + 2 * padding), Height * (1 + 2 * padding), Score);

    /// <summary>The box mapped by a uniform scale (e.g. from a resized copy back to the original image).</summary>
    public FaceBox Scale(float factor) => new(X * factor, Y * factor, Width * factor, Height * factor, Score);

    /// <summary>The integer rectangle covering the box, clipped to an image of the given size (may be empty).</summary>
    public Rect ToRect(int imageWidth, int imageHeight)
    {
        var x1 = Math.Clamp((int)MathF.Floor(X), 0, imageWidth);
        var y1 = Math.Clamp((int)MathF.Floor(Y), 0, imageHeight);
        var x2 = Math.Clamp((int)MathF.Ceiling(Right), 0, imageWidth);
        var y2 = Math.Clamp((int)MathF.Ceiling(Bottom), 0, imageHeight);
        return new Rect(x1, y1, x2 - x1, y2 - y1);
    }
}
