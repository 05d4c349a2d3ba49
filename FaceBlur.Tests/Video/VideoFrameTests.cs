using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Video;
using FaceBlur.Tests.Support;
using OpenCvSharp;

namespace FaceBlur.Tests.Video;

/// <summary>Hiding faces straight in I420 planes, and the box rules of the video path.</summary>
[Unit]
public class VideoFrameTests
{
    private const int W = 320;
    private const int H = 240;
    private static readonly FaceBox Face = new(100, 60, 80, 90, 0.9f);

    [TestCase(AnonymizationMode.Blur, MaskShape.Ellipse)]
    [TestCase(AnonymizationMode.Blur, MaskShape.Rect)]
    [TestCase(AnonymizationMode.Pixelate, MaskShape.Ellipse)]
    [TestCase(AnonymizationMode.Solid, MaskShape.Rect)]
    public void Planes_are_hidden_like_the_colour_picture_and_nothing_outside_the_face_changes(AnonymizationMode mode, MaskShape shape)
    {
        var options = AnonymizeOptions.Default with { Mode = mode, Shape = shape };
        using var bgr = Photo();
        using var frame = FrameOf(bgr);
        var before = frame.Buffer.ToArray();

        frame.Anonymize([Face], options);

        // Outside the padded face (a chroma sample on the edge may cover one more pixel) every byte is as it was.
        var outer = Face.Pad(options.Padding).ToRect(W, H);
        var (yChanged, uvChanged) = (0, 0);
        for (var i = 0; i < frame.Size; i++)
        {
            var (x, y, chroma) = i < W * H ? (i % W, i / W, false) : (2 * (((i - (W * H)) % (W * H / 4)) % (W / 2)), 2 * (((i - (W * H)) % (W * H / 4)) / (W / 2)), true);
            var inside = x >= outer.X - 2 && x < outer.Right + 2 && y >= outer.Y - 2 && y < outer.Bottom + 2;
            if (!inside)
            {
                frame.Buffer[i].Should().Be(before[i], $"byte {i} ({x},{y}) lies outside the face");
            }
            else if (frame.Buffer[i] != before[i])
            {
                _ = chroma ? uvChanged++ : yChanged++;
            }
        }

        yChanged.Should().BeGreaterThan((int)(Face.Area / 2));
        uvChanged.Should().BeGreaterThan(0);

        // Inside, the result equals hiding the BGR picture (up to the colour conversions' rounding and chroma subsampling).
        using var expected = bgr.Clone();
        Anonymizer.Apply(expected, [Face], options);
        using var actual = ToBgr(frame);
        var inner = new FaceBox(Face.X + 15, Face.Y + 15, Face.Width - 30, Face.Height - 30, 1).ToRect(W, H);
        using var a = new Mat(actual, inner);
        using var e = new Mat(expected, inner);
        using var diff = new Mat();
        Cv2.Absdiff(a, e, diff);
        var mean = Cv2.Mean(diff);
        new[] { mean.Val0, mean.Val1, mean.Val2 }.Should().AllSatisfy(v => v.Should().BeLessThan(6));
    }

    [Test]
    public void Solid_fills_the_face_with_the_solid_colour()
    {
        using var bgr = Photo();
        using var frame = FrameOf(bgr);

        frame.Anonymize([Face], AnonymizeOptions.Default with { Mode = AnonymizationMode.Solid, Shape = MaskShape.Rect });

        using var actual = ToBgr(frame);
        using var centre = new Mat(actual, new Rect(120, 85, 40, 40));
        var mean = Cv2.Mean(centre);
        new[] { mean.Val0, mean.Val1, mean.Val2 }.Should().AllSatisfy(v => v.Should().BeApproximately(32, 2));
    }

    [Test]
    public void Narrow_boxes_become_squares_about_their_centre()
    {
        FrameDetector.Square(new FaceBox(100, 50, 40, 60, 1)).Should().Be(new FaceBox(90, 50, 60, 60, 1));
        FrameDetector.Square(new FaceBox(100, 50, 60, 40, 1)).Should().Be(new FaceBox(100, 50, 60, 40, 1));
    }

    [Test]
    public void A_box_cut_by_a_side_edge_is_completed_inwards_and_grows_along_the_edge()
    {
        var cut = FrameDetector.CompleteAtEdge(new FaceBox(290, 100, 30, 80, 1), W, H);
        cut.Right.Should().BeApproximately(320, 0.01f);
        cut.Width.Should().BeApproximately(64, 0.01f, "0.8 of the height, widened inwards");
        cut.Height.Should().BeApproximately(100, 0.01f, "a quarter more along the edge");
        cut.Y.Should().BeApproximately(90, 0.01f);

        var top = FrameDetector.CompleteAtEdge(new FaceBox(100, 0, 80, 40, 1), W, H);
        top.Y.Should().Be(0);
        top.Height.Should().BeApproximately(100, 0.01f, "width / 0.8, grown downwards");
        top.Width.Should().BeApproximately(100, 0.01f);

        var middle = new FaceBox(100, 100, 40, 50, 1);
        FrameDetector.CompleteAtEdge(middle, W, H).Should().Be(middle);
    }

    [Test]
    public void A_face_lost_at_the_edge_is_held_twice_as_long_as_one_lost_in_the_middle()
    {
        const int Hold = 5;
        var tracker = new FaceTracker(Hold, W, H);
        tracker.Update(0, [new FaceBox(120, 100, 40, 40, 1), new FaceBox(290, 100, 30, 40, 1)]);
        tracker.Update(1, [new FaceBox(120, 100, 40, 40, 1), new FaceBox(291, 100, 29, 40, 1)]);

        var held = Enumerable.Range(2, 2 * Hold + 2).Select(f => tracker.Update(f, []).Regions.Count).ToList();

        held.Take(Hold).Should().AllSatisfy(n => n.Should().Be(2), "both are held for the hold");
        held.Skip(Hold).Take(Hold).Should().AllSatisfy(n => n.Should().Be(1), "the face at the edge is held for a second hold");
        held[^1].Should().Be(0);
    }

    private static Mat Photo()
    {
        using var photo = Cv2.ImRead(TestPaths.DlibImage("2007_007763.jpg"), ImreadModes.Color);
        var resized = new Mat();
        Cv2.Resize(photo, resized, new Size(W, H));
        return resized;
    }

    private static VideoFrame FrameOf(Mat bgr)
    {
        using var i420 = new Mat();
        Cv2.CvtColor(bgr, i420, ColorConversionCodes.BGR2YUV_I420);
        var frame = new VideoFrame(W, H);
        System.Runtime.InteropServices.Marshal.Copy(i420.Data, frame.Buffer, 0, frame.Size);
        return frame;
    }

    private static Mat ToBgr(VideoFrame frame)
    {
        using var i420 = Mat.FromPixelData(H * 3 / 2, W, MatType.CV_8UC1, frame.Buffer);
        var bgr = new Mat();
        Cv2.CvtColor(i420, bgr, ColorConversionCodes.YUV2BGR_I420);
        return bgr;
    }
}
