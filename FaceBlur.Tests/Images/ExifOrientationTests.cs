using FaceBlur.Modules.Processing.Images;
using FaceBlur.Tests.Support;
using OpenCvSharp;

namespace FaceBlur.Tests.Images;

[Unit]
public class ExifOrientationTests
{
    private const int Width = 40;
    private const int Height = 20;

    private static readonly int[] AllOrientations = [1, 2, 3, 4, 5, 6, 7, 8];

    /// <summary>
    /// Where each stored pixel of the 3x2 image [[1,2,3],[4,5,6]] must be once upright, by the EXIF definitions
    /// ("row 0 is the visual ..., column 0 is the visual ...").
    /// </summary>
    private static readonly Dictionary<int, byte[,]> Upright = new()
    {
        [1] = new byte[,] { { 1, 2, 3 }, { 4, 5, 6 } },
        [2] = new byte[,] { { 3, 2, 1 }, { 6, 5, 4 } },
        [3] = new byte[,] { { 6, 5, 4 }, { 3, 2, 1 } },
        [4] = new byte[,] { { 4, 5, 6 }, { 1, 2, 3 } },
        [5] = new byte[,] { { 1, 4 }, { 2, 5 }, { 3, 6 } },
        [6] = new byte[,] { { 4, 1 }, { 5, 2 }, { 6, 3 } },
        [7] = new byte[,] { { 6, 3 }, { 5, 2 }, { 4, 1 } },
        [8] = new byte[,] { { 3, 6 }, { 2, 5 }, { 1, 4 } },
    };

    public static IEnumerable<TestCaseData> JpegCases() =>
        from o in AllOrientations
        from bigEndian in new[] { false, true }
        select new TestCaseData(o, bigEndian).SetName($"JPEG orientation {o} {(bigEndian ? "MM" : "II")}");

    [TestCaseSource(nameof(JpegCases))]
    public void Orientation_is_read_from_JPEG_EXIF(int orientation, bool bigEndian)
    {
        var jpeg = JpegMetadataBuilder.AddMetadata(
            JpegMetadataBuilder.PlainJpeg(Width, Height),
            new JpegMetadataOptions { Orientation = orientation, BigEndian = bigEndian });

        var header = ImageHeaderReader.Read(jpeg);
        header.IsSuccess.Should().BeTrue();
        header.Value.Should().Be(new ImageHeader(ImageFormat.Jpeg, Width, Height, orientation));
        ExifOrientation.Read(jpeg).Should().Be(orientation);
        header.Value.UprightSize.Should().Be(orientation >= 5 ? (Height, Width) : (Width, Height));
    }

    [TestCase(null)]
    [TestCase(0)]
    [TestCase(9)]
    [TestCase(255)]
    [TestCase(0xFFFF)]
    public void Missing_or_invalid_orientation_is_1(int? value)
    {
        var jpeg = JpegMetadataBuilder.AddMetadata(JpegMetadataBuilder.PlainJpeg(Width, Height), new JpegMetadataOptions { Orientation = value });
        ExifOrientation.Read(jpeg).Should().Be(1);
        ExifOrientation.Read(JpegMetadataBuilder.PlainJpeg(Width, Height)).Should().Be(1);
        ExifOrientation.FromTiff(JpegMetadataBuilder.BuildOrientationTiff(value, true)).Should().Be(1);
    }

    [Test]
    public void Only_the_first_EXIF_segment_counts_and_XMP_is_not_EXIF()
    {
        var plain = JpegMetadataBuilder.PlainJpeg(Width, Height);
        var first = JpegMetadataBuilder.ExifSegment(JpegMetadataBuilder.BuildOrientationTiff(6, false));
        var second = JpegMetadataBuilder.ExifSegment(JpegMetadataBuilder.BuildOrientationTiff(3, false));
        var jpeg = JpegMetadataBuilder.InsertAfterSoi(plain, [JpegMetadataBuilder.XmpSegment(), first, second]);
        ExifOrientation.Read(jpeg).Should().Be(6);
    }

    [Test]
    public void Orientation_in_the_thumbnail_IFD_is_not_the_image_orientation()
    {
        // IFD0 without orientation, followed by IFD1 (thumbnail): the image stays as stored.
        var jpeg = JpegMetadataBuilder.AddMetadata(JpegMetadataBuilder.PlainJpeg(Width, Height), new JpegMetadataOptions { Orientation = null });
        ExifOrientation.Read(jpeg).Should().Be(1);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Orientation_is_read_from_PNG_eXIf(bool bigEndian)
    {
        var png = ImageSnifferTests.Encode(".png", Width, Height);
        foreach (var o in AllOrientations)
        {
            var withExif = JpegMetadataBuilder.AddPngExif(png, JpegMetadataBuilder.BuildExifTiff(o, bigEndian));
            var header = ImageHeaderReader.Read(withExif);
            header.Value.Should().Be(new ImageHeader(ImageFormat.Png, Width, Height, o));

            // The chunk is valid PNG: OpenCV still decodes the file.
            using var decoded = Cv2.ImDecode(withExif, ImreadModes.Unchanged);
            decoded.Empty().Should().BeFalse();
        }
    }

    [Test]
    public void PNG_eXIf_after_the_image_data_is_ignored()
    {
        // The PNG specification places eXIf before IDAT; like browsers, a late one is not honoured.
        var png = ImageSnifferTests.Encode(".png", Width, Height);
        var late = JpegMetadataBuilder.InsertPngChunk(png, "eXIf", JpegMetadataBuilder.BuildOrientationTiff(6, false), afterIdat: true);
        ExifOrientation.Read(late).Should().Be(1);
    }

    [Test]
    public void PNG_eXIf_with_a_stray_Exif_prefix_is_tolerated()
    {
        var png = ImageSnifferTests.Encode(".png", Width, Height);
        byte[] blob = [.. "Exif\0\0"u8, .. JpegMetadataBuilder.BuildOrientationTiff(8, true)];
        ExifOrientation.Read(JpegMetadataBuilder.AddPngExif(png, blob)).Should().Be(8);
    }

    [TestCase(false, 80)]
    [TestCase(true, 80)]
    [TestCase(false, 101)]
    [TestCase(true, 101)]
    public void Orientation_is_read_from_WebP_EXIF(bool bigEndian, int quality)
    {
        var webp = ImageSnifferTests.Encode(".webp", Width, Height, 3, new ImageEncodingParam(ImwriteFlags.WebPQuality, quality));
        foreach (var o in AllOrientations)
        {
            var withExif = JpegMetadataBuilder.AddWebPExif(webp, Width, Height, JpegMetadataBuilder.BuildExifTiff(o, bigEndian));
            ImageHeaderReader.Read(withExif).Value.Should().Be(new ImageHeader(ImageFormat.WebP, Width, Height, o));

            using var decoded = Cv2.ImDecode(withExif, ImreadModes.Unchanged);
            (decoded.Width, decoded.Height).Should().Be((Width, Height));
        }
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Orientation_is_read_from_TIFF_IFD0(bool bigEndian)
    {
        foreach (var o in AllOrientations)
        {
            var tiff = JpegMetadataBuilder.BuildOrientationTiff(o, bigEndian, 640, 480);
            ImageHeaderReader.Read(tiff).Value.Should().Be(new ImageHeader(ImageFormat.Tiff, 640, 480, o));
            ExifOrientation.FromTiff(tiff).Should().Be(o);
            ExifOrientation.FromTiff(JpegMetadataBuilder.BuildExifTiff(o, bigEndian, includeGps: true, JpegMetadataBuilder.ThumbnailJpeg())).Should().Be(o);
        }
    }

    [Test]
    public void Orientation_of_a_real_TIFF_is_1()
    {
        ExifOrientation.Read(ImageSnifferTests.Encode(".tiff")).Should().Be(1);
    }

    [Test]
    public void Metadata_builder_output_is_a_valid_JPEG_carrying_every_marker()
    {
        var jpeg = JpegMetadataBuilder.AddMetadata(JpegMetadataBuilder.PlainJpeg(Width, Height), new JpegMetadataOptions { BigEndian = true });
        var text = System.Text.Encoding.ASCII.GetString(jpeg);
        foreach (var marker in JpegMetadataBuilder.AllMarkers)
        {
            text.Should().Contain(marker);
        }

        text.Should().Contain(JpegMetadataBuilder.XmpNamespace).And.Contain(JpegMetadataBuilder.IccIdentifier).And.Contain(JpegMetadataBuilder.ExifIdentifier);
        using var decoded = Cv2.ImDecode(jpeg, ImreadModes.Unchanged);
        (decoded.Width, decoded.Height).Should().Be((Width, Height));
    }

    [Test]
    public void Crc32_matches_the_PNG_check_value()
    {
        JpegMetadataBuilder.Crc32("123456789"u8).Should().Be(0xCBF43926u);
        JpegMetadataBuilder.Crc32("IEND"u8).Should().Be(0xAE426082u);
    }

    public static IEnumerable<TestCaseData> ApplyCases() =>
        from o in AllOrientations
        from channels in new[] { 1, 3, 4 }
        select new TestCaseData(o, channels).SetName($"Apply orientation {o} on {channels} channel(s)");

    [TestCaseSource(nameof(ApplyCases))]
    public void Apply_makes_the_image_upright(int orientation, int channels)
    {
        using var src = Stored3x2(channels);
        using var before = src.Clone();
        using var upright = ExifOrientation.Apply(src, orientation);

        var expected = Upright[orientation];
        upright.Rows.Should().Be(expected.GetLength(0));
        upright.Cols.Should().Be(expected.GetLength(1));
        upright.Type().Should().Be(src.Type());
        var rows = upright.Rows;
        var cols = upright.Cols;
        for (var y = 0; y < rows; y++)
        {
            for (var x = 0; x < cols; x++)
            {
                for (var c = 0; c < channels; c++)
                {
                    Pixel(upright, y, x, c).Should().Be((byte)((expected[y, x] * 10) + c), $"pixel ({x},{y}) channel {c}");
                }
            }
        }

        // A new Mat; the source is untouched.
        upright.Data.Should().NotBe(src.Data);
        Cv2.Norm(src, before, NormTypes.INF).Should().Be(0);
    }

    [TestCase(1, 0, 0)]
    [TestCase(2, 2, 0)]
    [TestCase(3, 2, 1)]
    [TestCase(4, 0, 1)]
    [TestCase(5, 0, 0)]
    [TestCase(6, 1, 0)]
    [TestCase(7, 1, 2)]
    [TestCase(8, 0, 2)]
    public void Apply_moves_the_stored_top_left_pixel_to(int orientation, int x, int y)
    {
        using var src = Stored3x2(3);
        using var upright = ExifOrientation.Apply(src, orientation);
        Pixel(upright, y, x, 0).Should().Be(10);
    }

    [TestCase(0)]
    [TestCase(9)]
    [TestCase(-1)]
    public void Apply_with_an_invalid_orientation_copies(int orientation)
    {
        using var src = Stored3x2(3);
        using var copy = ExifOrientation.Apply(src, orientation);
        copy.Data.Should().NotBe(src.Data);
        Cv2.Norm(src, copy, NormTypes.INF).Should().Be(0);
    }

    [Test]
    public void Apply_on_a_larger_image_matches_OpenCVs_own_EXIF_handling()
    {
        // Cross-check against OpenCV: imdecode with Color applies the orientation itself.
        using var stored = new Mat(Height, Width, MatType.CV_8UC3);
        Cv2.SetTheRNG(5);
        Cv2.Randu(stored, Scalar.All(0), Scalar.All(256));
        var png = stored.ImEncode(".png");
        foreach (var o in AllOrientations)
        {
            var jpeg = JpegMetadataBuilder.AddMetadata(
                stored.ImEncode(".jpg", [new ImageEncodingParam(ImwriteFlags.JpegQuality, 100)]),
                new JpegMetadataOptions { Orientation = o, Gps = false, Thumbnail = false, Xmp = false, Icc = false });
            using var raw = Cv2.ImDecode(jpeg, ImreadModes.Unchanged);
            using var ours = ExifOrientation.Apply(raw, o);
            using var theirs = Cv2.ImDecode(jpeg, ImreadModes.Color);
            ours.Size().Should().Be(theirs.Size(), $"orientation {o}");
            Cv2.Norm(ours, theirs, NormTypes.INF).Should().Be(0, $"orientation {o}");
        }

        png.Should().NotBeEmpty();
    }

    [Test]
    public void OpenCV_imdecode_orientation_behaviour()
    {
        // Documents how OpenCV treats EXIF orientation, which decides how the decoder must call it.
        var jpeg = JpegMetadataBuilder.AddMetadata(JpegMetadataBuilder.PlainJpeg(Width, Height), new JpegMetadataOptions { Orientation = 6 });
        var png = JpegMetadataBuilder.AddPngExif(ImageSnifferTests.Encode(".png", Width, Height), JpegMetadataBuilder.BuildExifTiff(6, false));
        var webp = JpegMetadataBuilder.AddWebPExif(
            ImageSnifferTests.Encode(".webp", Width, Height, 3, new ImageEncodingParam(ImwriteFlags.WebPQuality, 101)), Width, Height, JpegMetadataBuilder.BuildExifTiff(6, false));

        foreach (var (name, bytes) in new[] { ("jpeg", jpeg), ("png", png), ("webp", webp) })
        {
            foreach (var mode in new[] { ImreadModes.Unchanged, ImreadModes.Color, ImreadModes.Color | ImreadModes.IgnoreOrientation, ImreadModes.AnyDepth | ImreadModes.AnyColor, ImreadModes.Grayscale })
            {
                using var decoded = Cv2.ImDecode(bytes, mode);
                TestContext.Out.WriteLine($"{name} {mode}: {decoded.Width}x{decoded.Height}");
            }
        }

        using (var unchanged = Cv2.ImDecode(jpeg, ImreadModes.Unchanged))
        using (var color = Cv2.ImDecode(jpeg, ImreadModes.Color))
        using (var ignore = Cv2.ImDecode(jpeg, ImreadModes.Color | ImreadModes.IgnoreOrientation))
        {
            (unchanged.Width, unchanged.Height).Should().Be((Width, Height), "Unchanged ignores EXIF orientation");
            (color.Width, color.Height).Should().Be((Height, Width), "Color applies EXIF orientation");
            (ignore.Width, ignore.Height).Should().Be((Width, Height), "IgnoreOrientation keeps the stored layout");
        }
    }

    /// <summary>3 wide, 2 high; channel c of stored value v (1..6, row-major) is v*10+c.</summary>
    private static Mat Stored3x2(int channels)
    {
        var mat = new Mat(2, 3, MatType.MakeType(MatType.CV_8U, channels));
        for (var y = 0; y < 2; y++)
        {
            for (var x = 0; x < 3; x++)
            {
                for (var c = 0; c < channels; c++)
                {
                    SetPixel(mat, y, x, c, (byte)((((y * 3) + x + 1) * 10) + c));
                }
            }
        }

        return mat;
    }

    private static byte Pixel(Mat mat, int y, int x, int c)
    {
        using var flat = mat.Reshape(1);
        return flat.At<byte>(y, (x * mat.Channels()) + c);
    }

    private static void SetPixel(Mat mat, int y, int x, int c, byte value)
    {
        using var flat = mat.Reshape(1);
        flat.At<byte>(y, (x * mat.Channels()) + c) = value;
    }
}
