using System.Runtime.InteropServices;
using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Detection;
using OpenCvSharp;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>
/// One raw frame as it travels through the pipes: planar YUV 4:2:0 (I420, what the decoder gives and the encoder takes,
/// so neither ffmpeg converts colours) in a pinned buffer that is read from and written to the pipes directly, with
/// OpenCV headers over its planes. Only the small detection copy is converted to BGR; faces are hidden in the planes. Reused
/// for many frames (see <see cref="FramePool"/>): nothing is allocated per frame but the face regions.
/// </summary>
internal sealed class VideoFrame : IDisposable
{
    /// <summary>The solid mode's colour in this frame format (the conversion the detection copy uses, inverted).</summary>
    private static readonly Lazy<(byte Y, byte U, byte V)> SolidFill = new(() =>
    {
        using var bgr = new Mat(2, 2, MatType.CV_8UC3, Anonymizer.SolidColor);
        using var yuv = new Mat();
        Cv2.CvtColor(bgr, yuv, ColorConversionCodes.BGR2YUV_I420);
        return (yuv.At<byte>(0, 0), yuv.At<byte>(2, 0), yuv.At<byte>(2, 1));
    });

    private readonly Mat all;
    private readonly Mat y;
    private readonly Mat u;
    private readonly Mat v;
    private Mat? detectionI420;
    private Mat? detectionY;
    private Mat? detectionU;
    private Mat? detectionV;
    private Mat[]? detectionStep;

    public VideoFrame(int width, int height)
    {
        if (width <= 0 || height <= 0 || width % 2 != 0 || height % 2 != 0)
        {
            throw new ArgumentException("Frame sizes must be positive and even.", nameof(width));
        }

        Width = width;
        Height = height;
        Size = width * height * 3 / 2;
        Buffer = GC.AllocateUninitializedArray<byte>(Size, pinned: true);
        var data = Marshal.UnsafeAddrOfPinnedArrayElement(Buffer, 0);
        all = Mat.FromPixelData(height * 3 / 2, width, MatType.CV_8UC1, data);
        y = Mat.FromPixelData(height, width, MatType.CV_8UC1, data);
        u = Mat.FromPixelData(height / 2, width / 2, MatType.CV_8UC1, data + width * height);
        v = Mat.FromPixelData(height / 2, width / 2, MatType.CV_8UC1, data + width * height * 5 / 4);
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Bytes of one I420 frame.</summary>
    public int Size { get; }

    /// <summary>The frame's bytes (pinned): Y plane, then U, then V.</summary>
    public byte[] Buffer { get; }

    /// <summary>Position in the video, from 0.</summary>
    public long Index { get; set; }

    /// <summary>Faces to hide in this frame (tracker output plus look-ahead boxes), in frame pixels, with their tracks.</summary>
    public List<TrackedBox> Regions { get; } = [];

    /// <summary>The BGR copy the detector sees (reused across frames).</summary>
    public Mat DetectionCopy { get; } = new();

    public void Reset(long index)
    {
        Index = index;
        Regions.Clear();
    }

    /// <summary>Fills <see cref="DetectionCopy"/>: the planes resized to <paramref name="width"/> x <paramref name="height"/> (even), then to BGR.</summary>
    public void PrepareDetectionCopy(int width, int height)
    {
        if (width == Width && height == Height)
        {
            Cv2.CvtColor(all, DetectionCopy, ColorConversionCodes.YUV2BGR_I420);
            return;
        }

        if (detectionI420 is null || detectionY!.Width != width || detectionY.Height != height)
        {
            DisposeDetectionPlanes();
            detectionI420 = new Mat(height * 3 / 2, width, MatType.CV_8UC1);
            var data = detectionI420.Data;
            detectionY = Mat.FromPixelData(height, width, MatType.CV_8UC1, data);
            detectionU = Mat.FromPixelData(height / 2, width / 2, MatType.CV_8UC1, data + width * height);
            detectionV = Mat.FromPixelData(height / 2, width / 2, MatType.CV_8UC1, data + width * height * 5 / 4);
        }

        // Area averaging is fast for a whole factor and slow for any other: reduce by the largest whole factor first,
        // then the rest (less than 2x) bilinearly. 1080p to 832 px costs a tenth of one area resize this way.
        var factor = Math.Min(Width / width, Height / height);
        if (factor >= 2 && (Width != width * factor || Height != height * factor))
        {
            detectionStep ??= [new Mat(), new Mat(), new Mat()];
            ResizeInSteps(y, detectionStep[0], detectionY, factor);
            ResizeInSteps(u, detectionStep[1], detectionU!, factor);
            ResizeInSteps(v, detectionStep[2], detectionV!, factor);
        }
        else
        {
            Cv2.Resize(y, detectionY, new Size(width, height), 0, 0, InterpolationFlags.Area);
            Cv2.Resize(u, detectionU!, new Size(width / 2, height / 2), 0, 0, InterpolationFlags.Area);
            Cv2.Resize(v, detectionV!, new Size(width / 2, height / 2), 0, 0, InterpolationFlags.Area);
        }

        Cv2.CvtColor(detectionI420, DetectionCopy, ColorConversionCodes.YUV2BGR_I420);

        static void ResizeInSteps(Mat source, Mat step, Mat target, int factor)
        {
            Cv2.Resize(source, step, new Size(source.Width / factor, source.Height / factor), 0, 0, InterpolationFlags.Area);
            Cv2.Resize(step, target, target.Size(), 0, 0, InterpolationFlags.Linear);
        }
    }

    /// <summary>
    /// Hides <paramref name="faces"/> (frame pixels) with <see cref="Anonymizer"/> straight in the planes: the Y plane with
    /// the faces as they are, the half-size U and V planes with the faces halved. Blur and pixelate are linear, so this
    /// equals hiding the colour picture, without converting regions to BGR and back; pixels outside the masks are not
    /// touched (a chroma sample on a mask's edge is shared by the 2x2 pixels it covers).
    /// </summary>
    public void Anonymize(IEnumerable<FaceBox> faces, AnonymizeOptions options)
    {
        ArgumentNullException.ThrowIfNull(faces);
        ArgumentNullException.ThrowIfNull(options);
        List<FaceBox> full = [.. faces.Where(f => f.Width > 0 && f.Height > 0)];
        if (full.Count == 0)
        {
            return;
        }

        List<FaceBox> half = [.. full.Select(f => new FaceBox(f.X / 2, f.Y / 2, f.Width / 2, f.Height / 2, f.Score))];
        Anonymizer.ApplyToPlane(y, full, options, SolidFill.Value.Y);
        Anonymizer.ApplyToPlane(u, half, options, SolidFill.Value.U);
        Anonymizer.ApplyToPlane(v, half, options, SolidFill.Value.V);
    }

    public void Dispose()
    {
        DisposeDetectionPlanes();
        DetectionCopy.Dispose();
        v.Dispose();
        u.Dispose();
        y.Dispose();
        all.Dispose();
    }

    private void DisposeDetectionPlanes()
    {
        foreach (var step in detectionStep ?? [])
        {
            step.Dispose();
        }

        detectionStep = null;
        detectionV?.Dispose();
        detectionU?.Dispose();
        detectionY?.Dispose();
        detectionI420?.Dispose();
        detectionI420 = detectionY = detectionU = detectionV = null;
    }
}

/// <summary>
/// A fixed number of frames, allocated on first use and recycled: the pipeline can never hold more, which bounds its
/// memory whatever the video's length (the reader waits for a free frame).
/// </summary>
internal sealed class FramePool(int width, int height, int capacity) : IDisposable
{
    private readonly System.Threading.Channels.Channel<VideoFrame> free =
        System.Threading.Channels.Channel.CreateUnbounded<VideoFrame>();

    private readonly List<VideoFrame> all = [];

    public int Capacity => capacity;

    public async ValueTask<VideoFrame> RentAsync(CancellationToken cancellationToken)
    {
        if (free.Reader.TryRead(out var frame))
        {
            return frame;
        }

        lock (all)
        {
            if (all.Count < capacity)
            {
                frame = new VideoFrame(width, height);
                all.Add(frame);
                return frame;
            }
        }

        return await free.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Return(VideoFrame frame) => free.Writer.TryWrite(frame);

    public void Dispose()
    {
        lock (all)
        {
            foreach (var frame in all)
            {
                frame.Dispose();
            }

            all.Clear();
        }
    }
}
