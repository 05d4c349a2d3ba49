namespace FaceBlur.Modules.Processing.Video;

/// <summary>
/// The sizes one video is processed at: its frames (the upright picture, cropped to even sizes for 4:2:0) and the copies
/// of a frame the detector sees, stretched to square pixels so that an anamorphic video's faces have their true shape:
/// the every-frame scan's (at most <see cref="VideoOptions.DetectionMaxSide"/> on its long side) and the fine scan's
/// (at most <see cref="VideoOptions.FineDetectionMaxSide"/>). A copy's long side does not depend on the input's size, so
/// the smallest face found is the same share of the picture at any resolution (24 px at 1080p is 48 px at 4K). Without
/// a fine scan (off, or no larger than the other) the fine size is 0.
/// </summary>
internal sealed record FrameGeometry(
    int Width, int Height, int DetectionWidth, int DetectionHeight, int FineWidth, int FineHeight, PixelAspect PixelAspect)
{
    public bool HasFineScan => FineWidth > 0;

    /// <summary>
    /// Frames above 1080p (more pixels than 1920x1088) are held with less slack: a 4K frame is 12 MB, and each of the
    /// pipeline's spare frames, ffmpeg's decoding threads and x264's frame threads, B-frames and lookahead holds some.
    /// Such a video keeps fewer spare frames, is decoded on one thread and encoded on two without B-frames (measured on
    /// a 4K clip: the decoder 250 -> 120 MB, the encoder 730 -> 290 MB, for an output about a fifth larger at the same
    /// quality). Smaller videos keep ffmpeg's defaults.
    /// </summary>
    public bool IsLarge => (long)Width * Height > 1920 * 1088;

    /// <summary>The geometry of <paramref name="info"/>'s frames; null when the picture is too small to be a video frame.</summary>
    public static FrameGeometry? For(VideoInfo info, VideoOptions options)
    {
        var width = info.DisplayWidth & ~1;
        var height = info.DisplayHeight & ~1;
        if (width < 2 || height < 2)
        {
            return null;
        }

        var aspect = info.DisplayPixelAspect;
        var squareWidth = (int)Math.Round(width * (double)aspect.Width / aspect.Height);
        var (detectionWidth, detectionHeight) = DetectionSize(squareWidth, height, options.DetectionMaxSide);
        var (fineWidth, fineHeight) = options.FineDetectionMaxSide > 0 ? DetectionSize(squareWidth, height, options.FineDetectionMaxSide) : (0, 0);
        return fineWidth > detectionWidth
            ? new FrameGeometry(width, height, detectionWidth, detectionHeight, fineWidth, fineHeight, aspect)
            : new FrameGeometry(width, height, detectionWidth, detectionHeight, 0, 0, aspect);
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
