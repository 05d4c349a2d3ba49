namespace FaceBlur.Modules.Processing.Video;

/// <summary>
/// The sizes one video is processed at: its frames (the upright picture, cropped to even sizes for 4:2:0) and the copy
/// of each frame the detector sees (at most <see cref="VideoOptions.DetectionMaxSide"/> on its long side, stretched to
/// square pixels so that an anamorphic video's faces have their true shape).
/// </summary>
internal sealed record FrameGeometry(int Width, int Height, int DetectionWidth, int DetectionHeight, PixelAspect PixelAspect)
{
    /// <summary>The geometry of <paramref name="info"/>'s frames; null when the picture is too small to be a video frame.</summary>
    public static FrameGeometry? For(VideoInfo info, int detectionMaxSide)
    {
        var width = info.DisplayWidth & ~1;
        var height = info.DisplayHeight & ~1;
        if (width < 2 || height < 2)
        {
            return null;
        }

        var aspect = info.DisplayPixelAspect;
        var (detectionWidth, detectionHeight) = DetectionSize((int)Math.Round(width * (double)aspect.Width / aspect.Height), height, detectionMaxSide);
        return new FrameGeometry(width, height, detectionWidth, detectionHeight, aspect);
    }

    /// <summary>The even size of the detection copy: the frame scaled so that its long side is at most <paramref name="maxSide"/>.</summary>
    public static (int Width, int Height) DetectionSize(int width, int height, int maxSide)
    {
        var scale = Math.Min(1.0, maxSide / (double)Math.Max(width, height));
        if (scale >= 1)
        {
            return (width, height);
        }

        return (Math.Max(2, (int)Math.Round(width * scale / 2) * 2), Math.Max(2, (int)Math.Round(height * scale / 2) * 2));
    }
}
