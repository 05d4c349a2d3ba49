using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using FaceBlur.Modules.Processing.Images;
using FaceBlur.Modules.Processing.Media;
using FaceBlur.Tests.Support;
using OpenCvSharp;

namespace FaceBlur.Tests.Images;

[Unit]
public class ImageHeaderReaderTests
{
    private const int Width = 123;
    private const int Height = 77;

    private static readonly ImageEncodingParam WebPLossless = new(ImwriteFlags.WebPQuality, 101);
    private static readonly ImageEncodingParam WebPLossy = new(ImwriteFlags.WebPQuality, 80);

    private static byte[] Encode(string extension, int channels = 3, params ImageEncodingParam[] parameters) =>
        ImageSnifferTests.Encode(extension, Width, Height, channels, parameters);

    private static ImageHeader ReadOk(ReadOnlySpan<byte> data)
    {
        var result = ImageHeaderReader.Read(data);
        result.IsSuccess.Should().BeTrue(result.Error?.Message);
        return result.Value;
    }

    private static void ShouldFail(ReadOnlySpan<byte> data, MediaErrorKind kind)
    {
        var result = ImageHeaderReader.Read(data);
        result.IsSuccess.Should().BeFalse();
        result.Error!.Kind.Should().Be(kind);
        result.Error.Message.Should().NotBeNullOrWhiteSpace();
    }

    public static IEnumerable<TestCaseData> RealFiles()
    {
        yield return new TestCaseData(".jpg", 3, null, ImageFormat.Jpeg).SetName("JPEG colour");
        yield return new TestCaseData(".jpg", 1, null, ImageFormat.Jpeg).SetName("JPEG grey");
        yield return new TestCaseData(".png", 3, null, ImageFormat.Png).SetName("PNG colour");
        yield return new TestCaseData(".png", 1, null, ImageFormat.Png).SetName("PNG grey");
        yield return new TestCaseData(".png", 4, null, ImageFormat.Png).SetName("PNG alpha");
        yield return new TestCaseData(".webp", 3, WebPLossy, ImageFormat.WebP).SetName("WebP lossy (VP8)");
        yield return new TestCaseData(".webp", 3, WebPLossless, ImageFormat.WebP).SetName("WebP lossless (VP8L)");
        yield return new TestCaseData(".webp", 4, WebPLossless, ImageFormat.WebP).SetName("WebP lossless alpha");
        yield return new TestCaseData(".webp", 4, WebPLossy, ImageFormat.WebP).SetName("WebP lossy alpha (VP8X)");
        yield return new TestCaseData(".bmp", 3, null, ImageFormat.Bmp).SetName("BMP 24-bit");
        yield return new TestCaseData(".bmp", 1, null, ImageFormat.Bmp).SetName("BMP 8-bit");
        yield return new TestCaseData(".bmp", 4, null, ImageFormat.Bmp).SetName("BMP 32-bit");
        yield return new TestCaseData(".tiff", 3, null, ImageFormat.Tiff).SetName("TIFF colour");
        yield return new TestCaseData(".tiff", 1, null, ImageFormat.Tiff).SetName("TIFF grey");
        yield return new TestCaseData(".tiff", 4, null, ImageFormat.Tiff).SetName("TIFF alpha");
    }

    [TestCaseSource(nameof(RealFiles))]
    public void Read_gives_the_encoded_size(string extension, int channels, ImageEncodingParam? parameter, ImageFormat format)
    {
        var bytes = parameter is null ? Encode(extension, channels) : Encode(extension, channels, parameter);
        var header = ReadOk(bytes);
        header.Should().Be(new ImageHeader(format, Width, Height, 1));

        using var decoded = Cv2.ImDecode(bytes, ImreadModes.Unchanged);
        (decoded.Width, decoded.Height).Should().Be((header.Width, header.Height));
    }

    [TestCase(101, "VP8L")]
    [TestCase(80, "VP8 ")]
    public void WebP_quality_101_is_lossless(int quality, string chunk)
    {
        var bytes = Encode(".webp", 3, new ImageEncodingParam(ImwriteFlags.WebPQuality, quality));
        System.Text.Encoding.ASCII.GetString(bytes, 12, 4).Should().Be(chunk);
        ReadOk(bytes).Should().Be(new ImageHeader(ImageFormat.WebP, Width, Height, 1));
    }

    [Test]
    public void Alpha_lossy_WebP_uses_the_extended_format()
    {
        var bytes = Encode(".webp", 4, WebPLossy);
        System.Text.Encoding.ASCII.GetString(bytes, 12, 4).Should().Be("VP8X");
    }

    [TestCase(1, 1)]
    [TestCase(16383, 1)]
    [TestCase(1, 16383)]
    public void WebP_extreme_sizes(int width, int height)
    {
        using var mat = new Mat(height, width, MatType.CV_8UC3, Scalar.All(90));
        ReadOk(mat.ImEncode(".webp", [WebPLossless])).Should().Be(new ImageHeader(ImageFormat.WebP, width, height, 1));
        ReadOk(mat.ImEncode(".webp", [WebPLossy])).Should().Be(new ImageHeader(ImageFormat.WebP, width, height, 1));
    }

    [Test]
    public void Huge_PNG_declaration_is_read_without_decoding()
    {
        var png = HandMadePng(30000, 30000);
        png.Length.Should().BeLessThan(500);

        var watch = Stopwatch.StartNew();
        var header = ReadOk(png);
        watch.Stop();

        header.Should().Be(new ImageHeader(ImageFormat.Png, 30000, 30000, 1));
        watch.ElapsedMilliseconds.Should().BeLessThan(1000);
    }

    [Test]
    public void Huge_JPEG_declaration_is_read_without_decoding()
    {
        var jpeg = PatchSof(JpegMetadataBuilder.PlainJpeg(32, 24), 30000, 30000);
        jpeg.Length.Should().BeLessThan(2000);
        ReadOk(jpeg).Should().Be(new ImageHeader(ImageFormat.Jpeg, 30000, 30000, 1));

        ReadOk(PatchSof(JpegMetadataBuilder.PlainJpeg(32, 24), 65535, 65535)).Should().Be(new ImageHeader(ImageFormat.Jpeg, 65535, 65535, 1));
    }

    [Test]
    public void Huge_WebP_and_BMP_and_TIFF_declarations_are_read()
    {
        var vp8x = JpegMetadataBuilder.AddWebPExif(Encode(".webp", 3, WebPLossy), 16_000_000, 200, JpegMetadataBuilder.BuildOrientationTiff(1, false));
        ReadOk(vp8x).Should().Be(new ImageHeader(ImageFormat.WebP, 16_000_000, 200, 1));

        var bmp = Encode(".bmp");
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), 100_000);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), 90_000);
        ReadOk(bmp).Should().Be(new ImageHeader(ImageFormat.Bmp, 100_000, 90_000, 1));

        var tiff = JpegMetadataBuilder.BuildOrientationTiff(null, true, 200_000, 150_000, longDimensions: true);
        ReadOk(tiff).Should().Be(new ImageHeader(ImageFormat.Tiff, 200_000, 150_000, 1));
    }

    [Test]
    public void JPEG_size_is_the_main_image_not_the_EXIF_thumbnail()
    {
        // The EXIF segment embeds a 16x12 JPEG thumbnail with its own SOF; the walker must skip it as a whole.
        var jpeg = JpegMetadataBuilder.AddMetadata(JpegMetadataBuilder.PlainJpeg(Width, Height), new JpegMetadataOptions { Orientation = null });
        ReadOk(jpeg).Should().Be(new ImageHeader(ImageFormat.Jpeg, Width, Height, 1));

        using var decoded = Cv2.ImDecode(jpeg, ImreadModes.Unchanged);
        (decoded.Width, decoded.Height).Should().Be((Width, Height));
    }

    [Test]
    public void JPEG_walker_skips_fill_bytes_and_standalone_markers()
    {
        var plain = JpegMetadataBuilder.PlainJpeg(Width, Height);
        byte[] standalone = [0xFF, 0xFF, 0xFF, 0xD0, 0xFF, 0xD7, 0xFF, 0x01, 0xFF, 0xFF];
        byte[] jpeg = [.. plain.AsSpan(0, 2), .. standalone, .. plain.AsSpan(2)];
        ReadOk(jpeg).Should().Be(new ImageHeader(ImageFormat.Jpeg, Width, Height, 1));
    }

    [TestCase(0xC1)]
    [TestCase(0xC2)]
    [TestCase(0xC3)]
    [TestCase(0xC5)]
    [TestCase(0xC6)]
    [TestCase(0xC7)]
    [TestCase(0xC9)]
    [TestCase(0xCA)]
    [TestCase(0xCB)]
    [TestCase(0xCD)]
    [TestCase(0xCE)]
    [TestCase(0xCF)]
    public void Every_SOF_kind_is_a_frame_header(int marker)
    {
        var jpeg = JpegMetadataBuilder.PlainJpeg(Width, Height);
        jpeg[FindMarker(jpeg, 0xC0) + 1] = (byte)marker;
        ReadOk(jpeg).Should().Be(new ImageHeader(ImageFormat.Jpeg, Width, Height, 1));
    }

    [TestCase(0xC4)]
    [TestCase(0xC8)]
    [TestCase(0xCC)]
    public void DHT_JPG_and_DAC_are_not_frame_headers(int marker)
    {
        var plain = JpegMetadataBuilder.PlainJpeg(Width, Height);

        // A segment with that marker carrying a fake SOF-looking payload must be skipped.
        var fake = JpegMetadataBuilder.Segment((byte)marker, [8, 0, 5, 0, 7, 1, 1, 0x11, 0]);
        var jpeg = JpegMetadataBuilder.InsertAfterSoi(plain, [fake]);
        ReadOk(jpeg).Should().Be(new ImageHeader(ImageFormat.Jpeg, Width, Height, 1));
    }

    [Test]
    public void BMP_top_down_height_is_positive()
    {
        var bmp = Encode(".bmp");
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), -Height);
        ReadOk(bmp).Should().Be(new ImageHeader(ImageFormat.Bmp, Width, Height, 1));
    }

    [Test]
    public void BMP_core_header_is_read()
    {
        // OS/2 1.x BITMAPCOREHEADER: 12 bytes, 16-bit width and height. 2x2 pixels, 24 bits, rows padded to 4 bytes.
        var bmp = new byte[14 + 12 + 16];
        bmp[0] = (byte)'B';
        bmp[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(2), bmp.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), 26);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14), 12);
        BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(18), 300);
        BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(20), 200);
        BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(22), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(24), 24);
        ReadOk(bmp).Should().Be(new ImageHeader(ImageFormat.Bmp, 300, 200, 1));
    }

    [TestCase(false, false)]
    [TestCase(false, true)]
    [TestCase(true, false)]
    [TestCase(true, true)]
    public void TIFF_size_in_both_byte_orders_and_both_types(bool bigEndian, bool longDimensions)
    {
        var tiff = JpegMetadataBuilder.BuildOrientationTiff(null, bigEndian, 640, 480, longDimensions);
        ReadOk(tiff).Should().Be(new ImageHeader(ImageFormat.Tiff, 640, 480, 1));
    }

    [Test]
    public void Unsupported_content_is_refused_as_such()
    {
        ShouldFail(ImageSnifferTests.Gif89a(), MediaErrorKind.UnsupportedMediaType);
        ShouldFail([], MediaErrorKind.UnsupportedMediaType);
        ShouldFail("just text"u8, MediaErrorKind.UnsupportedMediaType);
    }

    public static IEnumerable<TestCaseData> TruncationCases()
    {
        // The header of each format ends at: JPEG, the end of the SOF segment; PNG, the IHDR CRC; WebP, the frame
        // header; BMP, the DIB header; TIFF, the last entry of IFD0.
        var jpeg = JpegMetadataBuilder.AddMetadata(JpegMetadataBuilder.PlainJpeg(Width, Height));
        var sof = FindMarker(jpeg, 0xC0);
        yield return new TestCaseData(jpeg, 3, sof + 2 + ((jpeg[sof + 2] << 8) | jpeg[sof + 3])).SetName("JPEG with metadata");
        yield return new TestCaseData(Encode(".png"), 8, 33).SetName("PNG");
        yield return new TestCaseData(Encode(".webp", 3, WebPLossy), 12, 30).SetName("WebP VP8");
        yield return new TestCaseData(Encode(".webp", 3, WebPLossless), 12, 25).SetName("WebP VP8L");
        yield return new TestCaseData(Encode(".webp", 4, WebPLossy), 12, 30).SetName("WebP VP8X");
        yield return new TestCaseData(Encode(".bmp"), 18, 14 + 40).SetName("BMP");
        var tiff = JpegMetadataBuilder.BuildOrientationTiff(3, true, 640, 480);
        yield return new TestCaseData(tiff, 4, 8 + 2 + (3 * 12)).SetName("TIFF");
    }

    [TestCaseSource(nameof(TruncationCases))]
    public void Truncated_headers_are_corrupt(byte[] file, int sniffable, int headerEnd)
    {
        ImageHeaderReader.Read(file.AsSpan(0, headerEnd)).IsSuccess.Should().BeTrue("the whole header is there");
        for (var length = sniffable; length < headerEnd; length++)
        {
            var result = ImageHeaderReader.Read(file.AsSpan(0, length));
            result.IsSuccess.Should().BeFalse($"{length} bytes cut the header");
            result.Error!.Kind.Should().Be(MediaErrorKind.CorruptMedia, $"{length} bytes are a truncated header");
        }
    }

    [Test]
    public void Real_TIFF_cut_before_its_directory_is_corrupt()
    {
        // libtiff writes IFD0 after the pixel data: without the end of the file there is no size.
        var tiff = Encode(".tiff");
        var ifd = (int)BinaryPrimitives.ReadUInt32LittleEndian(tiff.AsSpan(4));
        ifd.Should().BeGreaterThan(8);
        ShouldFail(tiff.AsSpan(0, ifd + 2), MediaErrorKind.CorruptMedia);
        ShouldFail(tiff.AsSpan(0, ifd), MediaErrorKind.CorruptMedia);
        ShouldFail(tiff.AsSpan(0, 8), MediaErrorKind.CorruptMedia);
    }

    [Test]
    public void Nonsensical_PNG_headers_are_corrupt()
    {
        ShouldFail(HandMadePng(0, 10), MediaErrorKind.CorruptMedia);
        ShouldFail(HandMadePng(10, 0), MediaErrorKind.CorruptMedia);
        ShouldFail(HandMadePng(0x80000000u, 10), MediaErrorKind.CorruptMedia);
        ShouldFail(HandMadePng(10, 10, bitDepth: 3), MediaErrorKind.CorruptMedia);
        ShouldFail(HandMadePng(10, 10, colorType: 5), MediaErrorKind.CorruptMedia);
        ShouldFail(HandMadePng(10, 10, bitDepth: 16, colorType: 3), MediaErrorKind.CorruptMedia);

        var badCrc = HandMadePng(10, 10);
        badCrc[30] ^= 0x55;
        ShouldFail(badCrc, MediaErrorKind.CorruptMedia);

        var notIhdr = Encode(".png");
        notIhdr[12] = (byte)'X';
        ShouldFail(notIhdr, MediaErrorKind.CorruptMedia);
    }

    [Test]
    public void Nonsensical_JPEG_headers_are_corrupt()
    {
        var plain = JpegMetadataBuilder.PlainJpeg(Width, Height);
        ShouldFail(PatchSof(plain, 0, 10), MediaErrorKind.CorruptMedia);
        ShouldFail(PatchSof(plain, 10, 0), MediaErrorKind.CorruptMedia);

        // SOI then EOI; SOI then a scan with no frame; a segment with a length below 2; no components.
        ShouldFail([0xFF, 0xD8, 0xFF, 0xD9], MediaErrorKind.CorruptMedia);
        ShouldFail([0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 0x3F, 0], MediaErrorKind.CorruptMedia);
        ShouldFail([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01, 0, 0, 0, 0], MediaErrorKind.CorruptMedia);
        ShouldFail([0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x08, 8, 0, 10, 0, 10, 0], MediaErrorKind.CorruptMedia);
        ShouldFail([0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x08, 8, 0, 10, 0, 10, 1], MediaErrorKind.CorruptMedia);
        ReadOk([0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 8, 0, 10, 0, 12, 1, 1, 0x11, 0]).Should().Be(new ImageHeader(ImageFormat.Jpeg, 12, 10, 1));
    }

    [Test]
    public void Nonsensical_WebP_BMP_TIFF_headers_are_corrupt()
    {
        var vp8 = Encode(".webp", 3, WebPLossy);
        var badStart = (byte[])vp8.Clone();
        badStart[23] = 0;
        ShouldFail(badStart, MediaErrorKind.CorruptMedia);

        var vp8l = Encode(".webp", 3, WebPLossless);
        var badSignature = (byte[])vp8l.Clone();
        badSignature[20] = 0x2E;
        ShouldFail(badSignature, MediaErrorKind.CorruptMedia);

        var unknownChunk = (byte[])vp8.Clone();
        "ALPH"u8.CopyTo(unknownChunk.AsSpan(12));
        ShouldFail(unknownChunk, MediaErrorKind.CorruptMedia);

        var zeroWidth = Encode(".bmp");
        BinaryPrimitives.WriteInt32LittleEndian(zeroWidth.AsSpan(18), 0);
        ShouldFail(zeroWidth, MediaErrorKind.CorruptMedia);

        var negativeWidth = Encode(".bmp");
        BinaryPrimitives.WriteInt32LittleEndian(negativeWidth.AsSpan(18), -5);
        ShouldFail(negativeWidth, MediaErrorKind.CorruptMedia);

        var minHeight = Encode(".bmp");
        BinaryPrimitives.WriteInt32LittleEndian(minHeight.AsSpan(22), int.MinValue);
        ShouldFail(minHeight, MediaErrorKind.CorruptMedia);

        var planes = Encode(".bmp");
        BinaryPrimitives.WriteUInt16LittleEndian(planes.AsSpan(26), 3);
        ShouldFail(planes, MediaErrorKind.CorruptMedia);

        ShouldFail(JpegMetadataBuilder.BuildOrientationTiff(1, false, 640, null), MediaErrorKind.CorruptMedia);
        ShouldFail(JpegMetadataBuilder.BuildOrientationTiff(1, true, null, 480), MediaErrorKind.CorruptMedia);
        ShouldFail(JpegMetadataBuilder.BuildOrientationTiff(1, false, 0, 480), MediaErrorKind.CorruptMedia);
        ShouldFail(JpegMetadataBuilder.BuildOrientationTiff(null, false, unchecked((int)0x9000_0000), 480, longDimensions: true), MediaErrorKind.CorruptMedia);
        ShouldFail("II*\0\0\0\0\0"u8, MediaErrorKind.CorruptMedia);
        ShouldFail("MM\0*\u007F\0\0\0"u8, MediaErrorKind.CorruptMedia);
    }

    [Test]
    public void Random_bytes_never_throw()
    {
        var random = new Random(20240601);
        byte[][] prefixes =
        [
            [],
            [0xFF, 0xD8, 0xFF],
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
            [.. "RIFF"u8, 0, 0, 0, 0, .. "WEBP"u8],
            [.. "RIFF"u8, 0, 0, 0, 0, .. "WEBPVP8 "u8],
            [.. "RIFF"u8, 0, 0, 0, 0, .. "WEBPVP8L"u8],
            [.. "RIFF"u8, 0, 0, 0, 0, .. "WEBPVP8X"u8],
            [.. "BM"u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 40, 0, 0, 0],
            [.. "BM"u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0],
            [.. "II*\0"u8],
            [.. "MM\0*"u8],
            [.. "II*\0"u8, 8, 0, 0, 0],
            [.. "MM\0*"u8, 0, 0, 0, 8],
        ];
        var successes = 0;
        for (var i = 0; i < 60_000; i++)
        {
            var prefix = prefixes[i % prefixes.Length];
            var data = new byte[prefix.Length + random.Next(0, 96)];
            random.NextBytes(data);
            prefix.CopyTo(data, 0);
            var result = ImageHeaderReader.Read(data);
            if (result.IsSuccess)
            {
                successes++;
                result.Value.Width.Should().BePositive();
                result.Value.Height.Should().BePositive();
                result.Value.Orientation.Should().BeInRange(1, 8);
            }

            ExifOrientation.FromTiff(data).Should().BeInRange(1, 8);
            ExifOrientation.FromExifChunk(data).Should().BeInRange(1, 8);
        }

        TestContext.Out.WriteLine($"{successes} random inputs had a plausible header");
    }

    [Test]
    public void Mutated_and_truncated_real_files_never_throw()
    {
        var random = new Random(77);
        byte[][] files =
        [
            JpegMetadataBuilder.AddMetadata(JpegMetadataBuilder.PlainJpeg(40, 30), new JpegMetadataOptions { Orientation = 6 }),
            JpegMetadataBuilder.AddMetadata(JpegMetadataBuilder.PlainJpeg(40, 30), new JpegMetadataOptions { Orientation = 3, BigEndian = true }),
            JpegMetadataBuilder.AddPngExif(Encode(".png"), JpegMetadataBuilder.BuildExifTiff(5, true)),
            JpegMetadataBuilder.AddWebPExif(Encode(".webp", 3, WebPLossy), Width, Height, JpegMetadataBuilder.BuildExifTiff(8, false)),
            Encode(".webp", 3, WebPLossless),
            Encode(".bmp"),
            Encode(".tiff"),
            JpegMetadataBuilder.BuildOrientationTiff(7, true, 640, 480),
        ];
        foreach (var file in files)
        {
            for (var i = 0; i < 3000; i++)
            {
                var copy = file.AsSpan(0, random.Next(0, file.Length + 1)).ToArray();
                var flips = random.Next(1, 6);
                for (var f = 0; f < flips && copy.Length > 0; f++)
                {
                    // Mostly in the first few hundred bytes, where the headers and the EXIF blocks are.
                    var at = random.Next(0, Math.Min(copy.Length, random.Next(2) == 0 ? 400 : copy.Length));
                    copy[at] = (byte)random.Next(256);
                }

                var result = ImageHeaderReader.Read(copy);
                if (result.IsSuccess)
                {
                    result.Value.Width.Should().BePositive();
                    result.Value.Height.Should().BePositive();
                    result.Value.Orientation.Should().BeInRange(1, 8);
                }
                else
                {
                    result.Error!.Kind.Should().BeOneOf(MediaErrorKind.CorruptMedia, MediaErrorKind.UnsupportedMediaType);
                }
            }
        }
    }

    /// <summary>A PNG whose IHDR (with a valid CRC) declares any size, with a tiny IDAT: a few hundred bytes.</summary>
    internal static byte[] HandMadePng(uint width, uint height, byte bitDepth = 8, byte colorType = 2)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = bitDepth;
        ihdr[9] = colorType;

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            zlib.Write(new byte[4096]);
        }

        return
        [
            0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A,
            .. JpegMetadataBuilder.PngChunk("IHDR", ihdr),
            .. JpegMetadataBuilder.PngChunk("IDAT", compressed.ToArray()),
            .. JpegMetadataBuilder.PngChunk("IEND", []),
        ];
    }

    /// <summary>Offset of the first top-level segment with <paramref name="marker"/> (its 0xFF byte).</summary>
    internal static int FindMarker(byte[] jpeg, byte marker)
    {
        var pos = 2;
        while (pos + 4 <= jpeg.Length)
        {
            if (jpeg[pos + 1] == marker)
            {
                return pos;
            }

            pos += 2 + ((jpeg[pos + 2] << 8) | jpeg[pos + 3]);
        }

        throw new InvalidOperationException($"No marker {marker:X2}.");
    }

    /// <summary>A copy of <paramref name="jpeg"/> whose baseline SOF declares another size.</summary>
    internal static byte[] PatchSof(byte[] jpeg, int width, int height)
    {
        var copy = (byte[])jpeg.Clone();
        var sof = FindMarker(copy, 0xC0);
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(sof + 5), (ushort)height);
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(sof + 7), (ushort)width);
        return copy;
    }
}
