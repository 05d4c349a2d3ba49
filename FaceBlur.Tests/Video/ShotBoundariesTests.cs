using FaceBlur.Modules.Processing.Video;
using FaceBlur.Tests.Support;
using OpenCvSharp;

namespace FaceBlur.Tests.Video;

/// <summary>Telling shots apart: a cut or a blank frame is a change of shot; motion, a pan, a flash and a fade are not.</summary>
[Unit]
public class ShotBoundariesTests
{
    private const int W = 480;
    private const int H = 270;

    [Test]
    public void A_hard_cut_between_two_photos_is_a_cut_and_the_shot_then_goes_on()
    {
        using var first = Luma("2007_007763.jpg");
        using var second = Luma("2008_002506.jpg");
        var shots = new ShotBoundaries();

        var changes = new[] { first, first, second, second }.Select(f => Observe(shots, f)).ToList();

        changes.Should().Equal(ShotChange.None, ShotChange.None, ShotChange.Cut, ShotChange.None);
    }

    [Test]
    public void A_pan_is_not_a_cut()
    {
        // The camera pans fast over a wide picture: 12 px per frame at 480 px wide (48 px per frame at 1080p: the picture
        // is crossed in 1.3 s at 30 fps).
        using var wide = Luma("2008_002470.jpg", 2 * W, H);
        var shots = new ShotBoundaries();

        var changes = Enumerable.Range(0, 20).Select(i =>
        {
            using var view = new Mat(wide, new Rect(i * 12, 0, W, H));
            using var frame = view.Clone();
            return Observe(shots, frame);
        }).ToList();

        changes.Should().AllSatisfy(c => c.Should().Be(ShotChange.None));
    }

    [Test]
    public void A_camera_flash_is_not_a_cut()
    {
        using var photo = Luma("2008_007676.jpg");
        using var flash = new Mat();
        photo.ConvertTo(flash, -1, 1.6, 50);
        var shots = new ShotBoundaries();

        var changes = new[] { photo, flash, flash, photo, photo }.Select(f => Observe(shots, f)).ToList();

        changes.Should().AllSatisfy(c => c.Should().Be(ShotChange.None));
    }

    [Test]
    public void A_fade_to_black_is_one_shot_until_the_picture_is_gone_and_the_next_shot_starts_after_it()
    {
        using var first = Luma("2008_001322.jpg");
        using var second = Luma("2008_004176.jpg");
        var shots = new ShotBoundaries();
        var gains = new[] { 1, 0.8, 0.6, 0.4, 0.2, 0.1, 0, 0, 0.1, 0.3, 0.6, 1 };

        var changes = gains.Select((gain, i) =>
        {
            using var frame = new Mat();
            (i < 7 ? first : second).ConvertTo(frame, -1, gain, 0);
            return Observe(shots, frame);
        }).ToList();

        changes.Take(5).Should().AllSatisfy(c => c.Should().Be(ShotChange.None), "the picture only darkens");
        changes.Skip(6).Take(2).Should().AllSatisfy(c => c.Should().Be(ShotChange.Blank), "black shows nothing");
        changes.Skip(8).Should().AllSatisfy(c => c.Should().Be(ShotChange.None), "after the blank frames the new shot is already a new shot");
    }

    [Test]
    public void A_white_frame_is_blank_and_the_first_frame_starts_the_video_without_a_cut()
    {
        using var photo = Luma("2009_004587.jpg");
        using var white = new Mat(H, W, MatType.CV_8UC1, Scalar.All(255));
        var shots = new ShotBoundaries();

        var changes = new[] { photo, white, photo }.Select(f => Observe(shots, f)).ToList();

        changes.Should().Equal(ShotChange.None, ShotChange.Blank, ShotChange.None);
    }

    [Test]
    public void The_signature_ignores_brightness_and_contrast_and_sees_content()
    {
        using var photo = Luma("2008_002079.jpg");
        using var other = Luma("2008_002506.jpg");
        using var darker = new Mat();
        photo.ConvertTo(darker, -1, 0.5, 20);
        using var a = Signature(photo);
        using var b = Signature(darker);
        using var c = Signature(other);

        ShotBoundaries.Distance(a.Values, b.Values, a.Columns).Should().BeLessThan(0.05f);
        ShotBoundaries.Distance(a.Values, c.Values, a.Columns).Should().BeGreaterThan(ShotBoundaries.CutDistance);
        (a.Columns, a.Values.Length).Should().Be((68, 68 * 38), "a 480x270 frame is averaged by 7 (its height over 36) into 68x38");
    }

    private static ShotChange Observe(ShotBoundaries shots, Mat luma)
    {
        using var signature = Signature(luma);
        return shots.Observe(signature);
    }

    private static FrameSignature Signature(Mat luma)
    {
        var signature = new FrameSignature();
        signature.Compute(luma);
        return signature;
    }

    private static Mat Luma(string photo, int width = W, int height = H)
    {
        using var image = Cv2.ImRead(TestPaths.DlibImage(photo), ImreadModes.Grayscale);
        var luma = new Mat();
        Cv2.Resize(image, luma, new Size(width, height), 0, 0, InterpolationFlags.Area);
        return luma;
    }
}
