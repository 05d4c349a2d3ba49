using OpenCvSharp;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>
/// The BGR picture the detector sees of a frame, <see cref="Width"/> x <see cref="Height"/> (even): the frame's I420
/// planes resized, then converted (only this small copy is ever converted to BGR). Scratch memory of one detection
/// thread, reused frame after frame: one per thread and size, not one per frame of the pool.
/// </summary>
internal sealed class DetectionCopy : IDisposable
{
    private readonly Mat i420;
    private readonly Mat y;
    private readonly Mat u;
    private readonly Mat v;
    /// <summary>The halved planes, three per level (Y, U, V).</summary>
    private readonly List<Mat> halves = [];

    public DetectionCopy(int width, int height)
    {
        Width = width;
        Height = height;
        i420 = new Mat(height * 3 / 2, width, MatType.CV_8UC1);
        var data = i420.Data;
        y = Mat.FromPixelData(height, width, MatType.CV_8UC1, data);
        u = Mat.FromPixelData(height / 2, width / 2, MatType.CV_8UC1, data + (width * height));
        v = Mat.FromPixelData(height / 2, width / 2, MatType.CV_8UC1, data + (width * height * 5 / 4));
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The BGR copy (valid until the next <see cref="Fill"/>).</summary>
    public Mat Bgr { get; } = new();

    /// <summary>Fills <see cref="Bgr"/> from <paramref name="frame"/> and returns it.</summary>
    public Mat Fill(VideoFrame frame)
    {
        if (frame.Width == Width && frame.Height == Height)
        {
            Cv2.CvtColor(frame.I420, Bgr, ColorConversionCodes.YUV2BGR_I420);
            frame.Planes.Y.CopyTo(y);
            return Bgr;
        }

        // Area averaging by exactly 2 has a fast path in OpenCV and by any other factor does not: the planes are halved
        // while at least twice the copy's size, then brought to it bilinearly (less than 2x). 1080p to 768 px is one
        // halving; 4K to 768 px two.
        var (sourceY, sourceU, sourceV) = frame.Planes;
        Resize(sourceY, y, 0);
        Resize(sourceU, u, 1);
        Resize(sourceV, v, 2);
        Cv2.CvtColor(i420, Bgr, ColorConversionCodes.YUV2BGR_I420);
        return Bgr;
    }

    /// <summary>The copy's luma plane (valid until the next <see cref="Fill"/>).</summary>
    public Mat Luma => y;

    public void Dispose()
    {
        foreach (var half in halves)
        {
            half.Dispose();
        }

        Bgr.Dispose();
        v.Dispose();
        u.Dispose();
        y.Dispose();
        i420.Dispose();
    }

    /// <summary>Halves <paramref name="source"/> (area) while at least twice <paramref name="target"/>'s size, then resizes it bilinearly into it.</summary>
    private void Resize(Mat source, Mat target, int plane)
    {
        var current = source;
        var (width, height) = (source.Width, source.Height);
        var (targetWidth, targetHeight) = (target.Width, target.Height);
        for (var level = 0; width >= 2 * targetWidth && height >= 2 * targetHeight; level++)
        {
            if (halves.Count <= (3 * level) + plane)
            {
                halves.AddRange([new Mat(), new Mat(), new Mat()]);
            }

            (width, height) = (width / 2, height / 2);
            var half = halves[(3 * level) + plane];
            Cv2.Resize(current, half, new Size(width, height), 0, 0, InterpolationFlags.Area);
            current = half;
        }

        if (width == targetWidth && height == targetHeight)
        {
            current.CopyTo(target);
        }
        else
        {
            Cv2.Resize(current, target, target.Size(), 0, 0, InterpolationFlags.Linear);
        }
    }
}
