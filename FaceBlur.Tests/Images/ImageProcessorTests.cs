using System.Text;
using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Images;
using FaceBlur.Modules.Processing.Media;
using FaceBlur.Testing.Evaluation;
using FaceBlur.Tests.Support;
using OpenCvSharp;

namespace FaceBlur.Tests.Images;

/// <summary>The whole image pipeline on real photos: decode, orientation, detect, anonymize, encode, refusals.</summary>
[Unit]
public class ImageProcessorTests
{
    private const string Photo = "2007_007763.jpg";

    private static EvalImage Truth(string name) =>
        EvalDataset.Load(TestPaths.DlibFaces).Images.Single(i => Path.GetFileName(i.Path) == name);

    private static Mat ReadPhoto() => Cv2.ImRead(TestPaths.DlibImage(Photo), ImreadModes.Color);

    private static Mat Decode(byte[] bytes) => Cv2.ImDecode(bytes, ImreadModes.Unchanged);

    /// <summary>A mask of everything at least <paramref name="margin"/> px away from any padded detection.</summary>
    private static Mat AwayFromFaces(Size size, IEnumerable<FaceBox> faces, int margin)
    {
        var mask = new Mat(size, MatType.CV_8UC1, Scalar.All(255));
        foreach (var face in faces)
        {
            var padded = face.Pad(AnonymizeOptions.DefaultPadding);
            var rect = new FaceBox(padded.X - margin, padded.Y - margin, padded.Width + 2 * margin, padded.Height + 2 * margin, 1).ToRect(size.Width, size.Height);
            mask[rect].SetTo(Scalar.All(0));
        }

        return mask;
    }

    private static double MeanAbsDiff(Mat a, Mat b, Mat? mask = null)
    {
        using var diff = new Mat();
        Cv2.Absdiff(a, b, diff);
        return mask is null ? Cv2.Mean(diff).Val0 : Cv2.Mean(diff, mask).Val0;
    }

    [TestCase(".jpg", ImageFormat.Jpeg, false)]
    [TestCase(".png", ImageFormat.Png, true)]
    [TestCase(".png", ImageFormat.Png, false)]
    [TestCase(".webp", ImageFormat.WebP, false)]
    [TestCase(".webp", ImageFormat.WebP, true)]
    [TestCase(".bmp", ImageFormat.Bmp, false)]
    [TestCase(".tiff", ImageFormat.Tiff, false)]
    [TestCase(".tiff", ImageFormat.Tiff, true)]
    public void A_photo_keeps_its_format_and_size_and_its_faces_are_hidden(string extension, ImageFormat format, bool alpha)
    {
        using var photo = ReadPhoto();
        using var input = new Mat();
        if (alpha)
        {
            // A horizontal alpha ramp from 55 to 255: every pixel is partly or fully opaque.
            var width = photo.Width;
            using var row = Mat.FromPixelData(1, width, MatType.CV_8UC1, Enumerable.Range(0, width).Select(x => (byte)(55 + (200 * x / (width - 1)))).ToArray());
            using var ramp = row.Repeat(photo.Height, 1);
            Cv2.Merge([.. photo.Split(), ramp], input);
        }
        else
        {
            photo.CopyTo(input);
        }

        var bytes = input.ImEncode(extension);
        var result = TestDetector.Processor().Process(bytes, AnonymizeOptions.Default);

        result.IsSuccess.Should().BeTrue(result.Error?.Message);
        var output = result.Value!;
        output.Format.Should().Be(format);
        output.ContentType.Should().Be(format.ContentType());
        ImageSniffer.Sniff(output.Bytes).Should().Be(format);
        using var decoded = Decode(output.Bytes);
        decoded.Size().Should().Be(photo.Size());
        decoded.Channels().Should().Be(alpha ? 4 : 3);

        // Every ground-truth face is covered by a hidden region...
        var truth = Truth(Photo);
        EvalMetrics.Score(truth.Faces, output.Faces, AnonymizeOptions.DefaultPadding).Covered.Should().Be(truth.Faces.Count);

        using var inputColour = alpha ? input.CvtColor(ColorConversionCodes.BGRA2BGR) : input.Clone();
        using var outputColour = alpha ? decoded.CvtColor(ColorConversionCodes.BGRA2BGR) : decoded.Clone();
        foreach (var face in truth.Faces)
        {
            // ...and really changed: the face's pixels are not what they were.
            var rect = face.ToRect(photo.Width, photo.Height);
            MeanAbsDiff(new Mat(inputColour, rect), new Mat(outputColour, rect)).Should().BeGreaterThan(8, $"face at {rect} must be hidden");
        }

        // Away from the faces the picture is the same (exactly so for lossless formats).
        using var away = AwayFromFaces(photo.Size(), output.Faces, margin: 2);
        var lossless = format is ImageFormat.Png or ImageFormat.Bmp or ImageFormat.Tiff;
        MeanAbsDiff(inputColour, outputColour, away).Should().BeLessThanOrEqualTo(lossless ? 0 : 3);

        if (alpha)
        {
            using var alphaIn = input.ExtractChannel(3);
            using var alphaOut = decoded.ExtractChannel(3);
            MeanAbsDiff(alphaIn, alphaOut).Should().Be(0, "alpha is kept exactly");
        }
    }

    [Test]
    public void No_metadata_of_the_upload_survives()
    {
        using var photo = ReadPhoto();
        var clean = photo.ImEncode(".jpg");
        var tagged = JpegMetadataBuilder.AddMetadata(clean, new JpegMetadataOptions { Orientation = 1 });
        // The input really carries everything we look for.
        var inputText = Encoding.Latin1.GetString(tagged);
        foreach (var marker in JpegMetadataBuilder.AllMarkers)
        {
            inputText.Should().Contain(marker);
        }

        var result = TestDetector.Processor().Process(tagged, AnonymizeOptions.Default);

        result.IsSuccess.Should().BeTrue();
        var text = Encoding.Latin1.GetString(result.Value!.Bytes);
        foreach (var marker in JpegMetadataBuilder.AllMarkers)
        {
            text.Should().NotContain(marker);
        }

        text.Should().NotContain("Exif\0\0").And.NotContain("http://ns.adobe.com/xap").And.NotContain("ICC_PROFILE");
        // One JPEG only: no embedded thumbnail (a second SOI) and no APP1/APP2 segment at all.
        CountSequence(result.Value.Bytes, [0xFF, 0xD8, 0xFF]).Should().Be(1);
        Segments(result.Value.Bytes).Should().NotContain(m => m == 0xE1 || m == 0xE2);
    }

    [TestCase(6)]
    [TestCase(8)]
    [TestCase(3)]
    public void EXIF_orientation_is_applied_before_detection(int orientation)
    {
        using var upright = ReadPhoto();
        // Store the pixels the way a camera would for this orientation, so that applying the tag makes them upright.
        using var stored = new Mat();
        Cv2.Rotate(upright, stored, orientation switch
        {
            6 => RotateFlags.Rotate90Counterclockwise,
            8 => RotateFlags.Rotate90Clockwise,
            _ => RotateFlags.Rotate180,
        });
        var bytes = JpegMetadataBuilder.AddMetadata(stored.ImEncode(".jpg"), new JpegMetadataOptions { Orientation = orientation, Xmp = false, Icc = false });

        var result = TestDetector.Processor().Process(bytes, AnonymizeOptions.Default);

        result.IsSuccess.Should().BeTrue();
        result.Value!.Width.Should().Be(upright.Width);
        result.Value.Height.Should().Be(upright.Height);
        using var decoded = Decode(result.Value.Bytes);
        decoded.Size().Should().Be(upright.Size());
        var truth = Truth(Photo);
        EvalMetrics.Score(truth.Faces, result.Value.Faces, AnonymizeOptions.DefaultPadding).Covered.Should().Be(truth.Faces.Count);
    }

    [Test]
    public void A_png_declaring_30000_by_30000_pixels_is_refused_before_decoding()
    {
        var bomb = ImageHeaderReaderTests.HandMadePng(30000, 30000);
        bomb.Length.Should().BeLessThan(1024);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var result = TestDetector.Processor().Process(bomb, AnonymizeOptions.Default);

        result.Error!.Kind.Should().Be(MediaErrorKind.MediaTooLarge);
        result.Error.Code.Should().Be("media_too_large");
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(1024 * 1024);
    }

    [Test]
    public void A_jpeg_declaring_30000_by_30000_pixels_is_refused()
    {
        var bomb = ImageHeaderReaderTests.PatchSof(JpegMetadataBuilder.PlainJpeg(64, 48), 30000, 30000);
        TestDetector.Processor().Process(bomb, AnonymizeOptions.Default).Error!.Kind.Should().Be(MediaErrorKind.MediaTooLarge);
    }

    [Test]
    public void The_megapixel_limit_is_the_configured_one()
    {
        var bytes = JpegMetadataBuilder.PlainJpeg(2000, 1000);
        TestDetector.Processor(maxMegapixels: 1.9).Process(bytes, AnonymizeOptions.Default).Error!.Kind.Should().Be(MediaErrorKind.MediaTooLarge);
        TestDetector.Processor(maxMegapixels: 2.0).Process(bytes, AnonymizeOptions.Default).IsSuccess.Should().BeTrue();
    }

    [TestCase(".jpg", 0.6)]
    [TestCase(".jpg", 0.1)]
    [TestCase(".png", 0.6)]
    [TestCase(".webp", 0.6)]
    [TestCase(".tiff", 0.6)]
    [TestCase(".bmp", 0.6)]
    public void A_truncated_image_is_a_typed_error(string extension, double keep)
    {
        using var photo = ReadPhoto();
        var bytes = photo.ImEncode(extension);
        var truncated = bytes[..(int)(bytes.Length * keep)];

        var result = TestDetector.Processor().Process(truncated, AnonymizeOptions.Default);

        result.IsSuccess.Should().BeFalse();
        result.Error!.Kind.Should().Be(MediaErrorKind.CorruptMedia);
    }

    [TestCase("")]
    [TestCase("hello, this is text pretending to be a photo")]
    [TestCase("GIF89a\u0001\0\u0001\0\0\0\0;")]
    [TestCase("<svg xmlns=\"http://www.w3.org/2000/svg\"/>")]
    public void Bytes_that_are_not_an_image_are_unsupported(string content)
    {
        var result = TestDetector.Processor().Process(Encoding.Latin1.GetBytes(content), AnonymizeOptions.Default);
        result.Error!.Kind.Should().Be(MediaErrorKind.UnsupportedMediaType);
        result.Error.Code.Should().Be("unsupported_media_type");
    }

    [Test]
    public void Greyscale_and_16_bit_images_are_processed()
    {
        using var photo = ReadPhoto();
        using var grey = photo.CvtColor(ColorConversionCodes.BGR2GRAY);
        using var deep = new Mat();
        photo.ConvertTo(deep, MatType.CV_16UC3, 257);

        foreach (var (bytes, format) in new[] { (grey.ImEncode(".png"), ImageFormat.Png), (deep.ImEncode(".png"), ImageFormat.Png), (grey.ImEncode(".jpg"), ImageFormat.Jpeg) })
        {
            var result = TestDetector.Processor().Process(bytes, AnonymizeOptions.Default);
            result.IsSuccess.Should().BeTrue();
            result.Value!.Format.Should().Be(format);
            result.Value.Faces.Should().NotBeEmpty();
        }
    }

    private static int CountSequence(byte[] data, byte[] sequence)
    {
        var count = 0;
        for (var i = data.AsSpan().IndexOf(sequence); i >= 0;)
        {
            count++;
            var next = data.AsSpan(i + 1).IndexOf(sequence);
            i = next < 0 ? -1 : i + 1 + next;
        }

        return count;
    }

    /// <summary>The marker bytes of the segments before the first scan.</summary>
    private static List<byte> Segments(byte[] jpeg)
    {
        var markers = new List<byte>();
        var pos = 2;
        while (pos + 4 <= jpeg.Length && jpeg[pos] == 0xFF && jpeg[pos + 1] != 0xDA)
        {
            markers.Add(jpeg[pos + 1]);
            pos += 2 + ((jpeg[pos + 2] << 8) | jpeg[pos + 3]);
        }

        return markers;
    }
}
