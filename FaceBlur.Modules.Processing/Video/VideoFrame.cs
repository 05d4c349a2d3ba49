using System.Runtime.InteropServices;
using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Detection;
using OpenCvSharp;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>
/// One raw frame as it travels through the pipes: planar YUV 4:2:0 (I420, what the decoder gives and the encoder takes,
/// so neither ffmpeg converts colours) in a pinned buffer that is read from and written to the pipes directly, with
/// OpenCV headers over its planes. Only the small detection copy and the face regions are converted to BGR. Reused
/// for many frames (see <see cref="FramePool"/>): nothing is allocated per frame but the face regions.
/// </summary>
internal sealed class VideoFrame : IDisposable
{
    private readonly Mat all;
    private readonly Mat y;
    private readonly Mat u;
    private readonly Mat v;
    private Mat? detectionI420;
    private Mat? detectionY;
    private Mat? detectionU;
    private Mat? detectionV;

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

    /// <summary>Faces to hide in this frame (tracker output plus look-ahead boxes), in frame pixels.</summary>
    public List<FaceBox> Regions { get; } = [];

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

        Cv2.Resize(y, detectionY, new Size(width, height), 0, 0, InterpolationFlags.Area);
        Cv2.Resize(u, detectionU!, new Size(width / 2, height / 2), 0, 0, InterpolationFlags.Area);
        Cv2.Resize(v, detectionV!, new Size(width / 2, height / 2), 0, 0, InterpolationFlags.Area);
        Cv2.CvtColor(detectionI420, DetectionCopy, ColorConversionCodes.YUV2BGR_I420);
    }

    /// <summary>
    /// Hides <paramref name="faces"/> with <see cref="Anonymizer"/>: each padded face region (widened to even
    /// coordinates) is converted to BGR, anonymized, converted back, and only the pixels the anonymizer changed are
    /// written back (chroma where any pixel of its 2x2 block changed).
    /// </summary>
    public void Anonymize(IEnumerable<FaceBox> faces, AnonymizeOptions options)
    {
        var padding = Math.Clamp(options.Padding, 0f, 1f);
        foreach (var face in faces)
        {
            if (!(face.Width > 0 && face.Height > 0))
            {
                continue;
            }

            var rect = face.Pad(padding).ToRect(Width, Height);
            var x0 = rect.X & ~1;
            var y0 = rect.Y & ~1;
            var x1 = Math.Min(Width, (rect.Right + 1) & ~1);
            var y1 = Math.Min(Height, (rect.Bottom + 1) & ~1);
            if (x1 - x0 < 2 || y1 - y0 < 2)
            {
                continue;
            }

            AnonymizeRegion(new Rect(x0, y0, x1 - x0, y1 - y0), face with { X = face.X - x0, Y = face.Y - y0 }, options);
        }
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

    private void AnonymizeRegion(Rect rect, FaceBox face, AnonymizeOptions options)
    {
        var (w, h) = (rect.Width, rect.Height);
        var half = new Rect(rect.X / 2, rect.Y / 2, w / 2, h / 2);
        using var ySub = new Mat(y, rect);
        using var uSub = new Mat(u, half);
        using var vSub = new Mat(v, half);

        using var packed = new Mat(h * 3 / 2, w, MatType.CV_8UC1);
        using (var py = Mat.FromPixelData(h, w, MatType.CV_8UC1, packed.Data))
        using (var pu = Mat.FromPixelData(h / 2, w / 2, MatType.CV_8UC1, packed.Data + w * h))
        using (var pv = Mat.FromPixelData(h / 2, w / 2, MatType.CV_8UC1, packed.Data + w * h * 5 / 4))
        {
            ySub.CopyTo(py);
            uSub.CopyTo(pu);
            vSub.CopyTo(pv);
        }

        using var original = new Mat();
        Cv2.CvtColor(packed, original, ColorConversionCodes.YUV2BGR_I420);
        using var hidden = original.Clone();
        Anonymizer.Apply(hidden, [face], options);

        // Only what the anonymizer changed goes back: the colour round trip must not touch the rest of the region.
        using var diff = new Mat();
        Cv2.Absdiff(hidden, original, diff);
        using var unchanged = new Mat();
        Cv2.InRange(diff, Scalar.All(0), Scalar.All(0), unchanged);
        using var changed = new Mat();
        Cv2.BitwiseNot(unchanged, changed);
        using var changedHalf = new Mat();
        Cv2.Resize(changed, changedHalf, new Size(w / 2, h / 2), 0, 0, InterpolationFlags.Area);
        Cv2.Threshold(changedHalf, changedHalf, 0, 255, ThresholdTypes.Binary);

        using var back = new Mat();
        Cv2.CvtColor(hidden, back, ColorConversionCodes.BGR2YUV_I420);
        using var by = Mat.FromPixelData(h, w, MatType.CV_8UC1, back.Data);
        using var bu = Mat.FromPixelData(h / 2, w / 2, MatType.CV_8UC1, back.Data + w * h);
        using var bv = Mat.FromPixelData(h / 2, w / 2, MatType.CV_8UC1, back.Data + w * h * 5 / 4);
        by.CopyTo(ySub, changed);
        bu.CopyTo(uSub, changedHalf);
        bv.CopyTo(vSub, changedHalf);
    }

    private void DisposeDetectionPlanes()
    {
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
