using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Tests.Support;
using OpenCvSharp;

namespace FaceBlur.Tests.Anonymization;

[Unit]
public class AnonymizerTests
{
    private static readonly FaceBox Face = new(100, 80, 60, 80, 0.9f);

    /// <summary>Seeded noise: every pixel differs from its neighbours, so any change to it is visible.</summary>
    private static Mat Noise(int width, int height, int channels = 3, int seed = 7)
    {
        var mat = new Mat(height, width, MatType.MakeType(MatType.CV_8U, channels));
        Cv2.SetTheRNG((ulong)seed);
        Cv2.Randu(mat, Scalar.All(0), Scalar.All(256));
        return mat;
    }

    private static Mat DiffMask(Mat a, Mat b)
    {
        using var diff = new Mat();
        Cv2.Absdiff(a, b, diff);
        using var flat = diff.Reshape(1, diff.Rows * diff.Cols);
        using var max = new Mat();
        Cv2.Reduce(flat, max, ReduceDimension.Column, ReduceTypes.Max, MatType.CV_8U);
        var mask = new Mat();
        Cv2.Threshold(max.Reshape(1, a.Rows), mask, 0, 255, ThresholdTypes.Binary);
        return mask;
    }

    private static Mat ExpectedMask(Size size, FaceBox face, AnonymizeOptions options)
    {
        var padded = face.Pad(options.Padding);
        var mask = new Mat(size, MatType.CV_8UC1, Scalar.All(0));
        var rect = padded.ToRect(size.Width, size.Height);
        if (options.Shape == MaskShape.Rect)
        {
            mask[rect].SetTo(Scalar.All(255));
        }
        else
        {
            var box = new RotatedRect(new Point2f(padded.X + padded.Width / 2, padded.Y + padded.Height / 2), new Size2f(padded.Width, padded.Height), 0);
            Cv2.Ellipse(mask, box, Scalar.All(255), -1, LineTypes.Link8);
            using var clip = new Mat(size, MatType.CV_8UC1, Scalar.All(0));
            clip[rect].SetTo(Scalar.All(255));
            Cv2.BitwiseAnd(mask, clip, mask);
        }

        return mask;
    }

    [Test]
    public void Every_mode_and_shape_changes_the_mask_and_nothing_outside_it(
        [Values] AnonymizationMode mode,
        [Values] MaskShape shape)
    {
        using var original = Noise(320, 240);
        using var image = original.Clone();
        var options = new AnonymizeOptions { Mode = mode, Shape = shape };

        Anonymizer.Apply(image, [Face], options);

        using var changed = DiffMask(original, image);
        using var expected = ExpectedMask(original.Size(), Face, options);
        using var outside = new Mat();
        Cv2.BitwiseNot(expected, outside);
        using var changedOutside = new Mat();
        Cv2.BitwiseAnd(changed, outside, changedOutside);
        Cv2.CountNonZero(changedOutside).Should().Be(0, "pixels outside the mask must not change");

        using var changedInside = new Mat();
        Cv2.BitwiseAnd(changed, expected, changedInside);
        var inside = Cv2.CountNonZero(expected);
        inside.Should().BeGreaterThan(0);
        ((double)Cv2.CountNonZero(changedInside) / inside).Should().BeGreaterThan(0.97, "pixels inside the mask must change");
    }

    [Test]
    public void The_ellipse_leaves_the_corners_of_the_padded_box_alone_and_the_rectangle_does_not()
    {
        using var original = Noise(320, 240);
        using var ellipse = original.Clone();
        using var rect = original.Clone();
        Anonymizer.Apply(ellipse, [Face], new AnonymizeOptions { Shape = MaskShape.Ellipse });
        Anonymizer.Apply(rect, [Face], new AnonymizeOptions { Shape = MaskShape.Rect });

        var corner = Face.Pad(AnonymizeOptions.DefaultPadding).ToRect(320, 240).TopLeft + new Point(1, 1);
        ellipse.At<Vec3b>(corner.Y, corner.X).Should().Be(original.At<Vec3b>(corner.Y, corner.X));
        rect.At<Vec3b>(corner.Y, corner.X).Should().NotBe(original.At<Vec3b>(corner.Y, corner.X));
    }

    [Test]
    public void Padding_grows_the_hidden_area_on_each_side()
    {
        using var original = Noise(320, 240);
        using var none = original.Clone();
        using var wide = original.Clone();
        Anonymizer.Apply(none, [Face], new AnonymizeOptions { Shape = MaskShape.Rect, Padding = 0 });
        Anonymizer.Apply(wide, [Face], new AnonymizeOptions { Shape = MaskShape.Rect, Padding = 0.5f });

        using var changedNone = DiffMask(original, none);
        using var changedWide = DiffMask(original, wide);
        var boxNone = Cv2.BoundingRect(changedNone);
        var boxWide = Cv2.BoundingRect(changedWide);
        boxNone.Should().Be(new Rect(100, 80, 60, 80));
        boxWide.Should().Be(new Rect(70, 40, 120, 160));
    }

    [Test]
    public void Alpha_is_kept_exactly()
    {
        using var original = Noise(320, 240, channels: 4);
        using var image = original.Clone();
        Anonymizer.Apply(image, [Face], new AnonymizeOptions { Mode = AnonymizationMode.Pixelate, Shape = MaskShape.Rect });

        using var alphaBefore = original.ExtractChannel(3);
        using var alphaAfter = image.ExtractChannel(3);
        using var diff = new Mat();
        Cv2.Absdiff(alphaBefore, alphaAfter, diff);
        Cv2.CountNonZero(diff).Should().Be(0);
        using var colourBefore = original.ExtractChannel(0);
        using var colourAfter = image.ExtractChannel(0);
        Cv2.Absdiff(colourBefore, colourAfter, diff);
        Cv2.CountNonZero(diff).Should().BeGreaterThan(60 * 80 / 2);
    }

    [Test]
    public void Solid_fills_with_one_colour()
    {
        using var image = Noise(320, 240);
        Anonymizer.Apply(image, [Face], new AnonymizeOptions { Mode = AnonymizationMode.Solid, Shape = MaskShape.Rect });
        using var region = new Mat(image, new Rect(100, 80, 60, 80));
        Cv2.MeanStdDev(region, out _, out var std);
        std.Val0.Should().Be(0);
        region.At<Vec3b>(10, 10).Should().Be(new Vec3b(32, 32, 32));
    }

    /// <summary>
    /// The blur's strength follows the face, not the image: a fine pattern across a small face and the same pattern
    /// scaled up across a big face are both reduced to the same handful of samples, so no detail survives either.
    /// </summary>
    [TestCase(40)]
    [TestCase(400)]
    public void Blur_removes_detail_at_any_face_size(int faceSize)
    {
        var size = faceSize * 3;
        using var image = new Mat(size, size, MatType.CV_8UC3, Scalar.All(0));
        var cell = Math.Max(1, faceSize / 16); // a pattern 16 cells across the face: finer than the blur keeps
        for (var y = 0; y < size; y += cell)
        {
            for (var x = (y / cell % 2) * cell; x < size; x += 2 * cell)
            {
                image[new Rect(x, y, Math.Min(cell, size - x), Math.Min(cell, size - y))].SetTo(Scalar.All(255));
            }
        }

        var face = new FaceBox(faceSize, faceSize, faceSize, faceSize, 1);
        Anonymizer.Apply(image, [face], new AnonymizeOptions { Mode = AnonymizationMode.Blur, Shape = MaskShape.Rect, Padding = 0 });

        using var core = new Mat(image, new Rect(faceSize + faceSize / 4, faceSize + faceSize / 4, faceSize / 2, faceSize / 2));
        Cv2.MeanStdDev(core, out var mean, out var std);
        // A 0/255 checkerboard has a standard deviation of 127.5; what is left is a near-flat grey.
        std.Val0.Should().BeLessThan(20, "the checkerboard must be gone");
        mean.Val0.Should().BeInRange(100, 155);
    }

    [Test]
    public void Higher_strength_means_coarser_pixels()
    {
        Anonymizer.SamplesAcrossFace(AnonymizeOptions.MinStrength).Should().BeGreaterThan(Anonymizer.SamplesAcrossFace(AnonymizeOptions.DefaultStrength));
        Anonymizer.SamplesAcrossFace(AnonymizeOptions.DefaultStrength).Should().BeGreaterThan(Anonymizer.SamplesAcrossFace(AnonymizeOptions.MaxStrength));

        using var original = Noise(320, 240);
        int DistinctColumns(int strength)
        {
            using var image = original.Clone();
            Anonymizer.Apply(image, [Face], new AnonymizeOptions { Mode = AnonymizationMode.Pixelate, Shape = MaskShape.Rect, Padding = 0, Strength = strength });
            var row = 120;
            var distinct = 0;
            for (var x = 101; x < 160; x++)
            {
                if (image.At<Vec3b>(row, x) != image.At<Vec3b>(row, x - 1))
                {
                    distinct++;
                }
            }

            return distinct;
        }

        DistinctColumns(AnonymizeOptions.MinStrength).Should().BeGreaterThan(DistinctColumns(AnonymizeOptions.MaxStrength));
        DistinctColumns(AnonymizeOptions.MaxStrength).Should().BeLessThanOrEqualTo(8);
    }

    [Test]
    public void Faces_partly_outside_the_image_are_hidden_where_they_are_inside()
    {
        using var original = Noise(200, 150);
        using var image = original.Clone();
        var faces = new[] { new FaceBox(-30, -20, 60, 60, 1), new FaceBox(170, 120, 60, 60, 1), new FaceBox(500, 500, 10, 10, 1) };

        Anonymizer.Apply(image, faces, new AnonymizeOptions { Shape = MaskShape.Rect });

        using var changed = DiffMask(original, image);
        Cv2.CountNonZero(new Mat(changed, new Rect(0, 0, 20, 20))).Should().BeGreaterThan(350);
        Cv2.CountNonZero(new Mat(changed, new Rect(180, 130, 20, 20))).Should().BeGreaterThan(350);
        Cv2.CountNonZero(new Mat(changed, new Rect(60, 50, 80, 50))).Should().Be(0);
    }

    [Test]
    public void Greyscale_images_are_supported()
    {
        using var original = Noise(320, 240, channels: 1);
        using var image = original.Clone();
        Anonymizer.Apply(image, [Face], new AnonymizeOptions { Mode = AnonymizationMode.Solid });
        image.At<byte>(120, 130).Should().Be(32);
    }
}
