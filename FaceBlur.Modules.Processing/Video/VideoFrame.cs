using System.Runtime.InteropServices;
using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Detection;
using OpenCvSharp;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>
/// One raw frame as it travels through the pipes: planar YUV 4:2:0 (I420, what the decoder gives and the encoder takes,
/// so neither ffmpeg converts colours) in a pinned buffer that is read from and written to the pipes directly, with
/// OpenCV headers over its planes. Only the small detection copy (see <see cref="DetectionCopy"/>) is converted to BGR;
/// faces are hidden in the planes. Reused
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

    /// <summary>The frame's fingerprint for telling shots apart (filled by <see cref="FrameDetector.Analyze"/>).</summary>
    public FrameSignature Signature { get; } = new();

    public void Reset(long index)
    {
        Index = index;
        Regions.Clear();
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

    /// <summary>The whole frame as one 8-bit matrix: the Y rows, then the U and V rows (what OpenCV calls I420).</summary>
    internal Mat I420 => all;

    /// <summary>The planes: luma full size, chroma half size each way.</summary>
    internal (Mat Y, Mat U, Mat V) Planes => (y, u, v);

    public void Dispose()
    {
        Signature.Dispose();
        v.Dispose();
        u.Dispose();
        y.Dispose();
        all.Dispose();
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
