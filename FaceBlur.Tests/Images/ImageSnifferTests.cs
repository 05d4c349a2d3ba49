using System.Text;
using FaceBlur.Modules.Processing.Images;
using FaceBlur.Tests.Support;
using OpenCvSharp;

namespace FaceBlur.Tests.Images;

[Unit]
public class ImageSnifferTests
{
    internal static byte[] Encode(string extension, int width = 40, int height = 30, int channels = 3, params ImageEncodingParam[] parameters)
    {
        using var mat = new Mat(height, width, MatType.MakeType(MatType.CV_8U, channels));
        Cv2.SetTheRNG(11);
        Cv2.Randu(mat, Scalar.All(0), Scalar.All(256));
        return mat.ImEncode(extension, parameters);
    }

    [TestCase(".jpg", ImageFormat.Jpeg)]
    [TestCase(".png", ImageFormat.Png)]
    [TestCase(".webp", ImageFormat.WebP)]
    [TestCase(".bmp", ImageFormat.Bmp)]
    [TestCase(".tiff", ImageFormat.Tiff)]
    public void Sniff_recognises_files_written_by_OpenCV(string extension, ImageFormat expected)
    {
        ImageSniffer.Sniff(Encode(extension)).Should().Be(expected);
        ImageSniffer.Sniff(Encode(extension, channels: 1)).Should().Be(expected);
    }

    [Test]
    public void Sniff_recognises_lossless_webp_and_alpha_images()
    {
        ImageSniffer.Sniff(Encode(".webp", parameters: new ImageEncodingParam(ImwriteFlags.WebPQuality, 101))).Should().Be(ImageFormat.WebP);
        ImageSniffer.Sniff(Encode(".webp", channels: 4, parameters: new ImageEncodingParam(ImwriteFlags.WebPQuality, 80))).Should().Be(ImageFormat.WebP);
        ImageSniffer.Sniff(Encode(".png", channels: 4)).Should().Be(ImageFormat.Png);
        ImageSniffer.Sniff(Encode(".tiff", channels: 4)).Should().Be(ImageFormat.Tiff);
    }

    [Test]
    public void Sniff_recognises_big_endian_tiff()
    {
        ImageSniffer.Sniff("MM\0*\0\0\0\u0008"u8).Should().Be(ImageFormat.Tiff);
        ImageSniffer.Sniff("II*\0\u0008\0\0\0"u8).Should().Be(ImageFormat.Tiff);
    }

    [Test]
    public void Sniff_ignores_what_follows_the_magic_bytes()
    {
        // Only the signature matters; the header reader judges the rest.
        ImageSniffer.Sniff([0xFF, 0xD8, 0xFF]).Should().Be(ImageFormat.Jpeg);
        ImageSniffer.Sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]).Should().Be(ImageFormat.Png);
        ImageSniffer.Sniff("RIFF\0\0\0\0WEBP"u8).Should().Be(ImageFormat.WebP);
    }

    public static IEnumerable<TestCaseData> NotImages()
    {
        yield return new TestCaseData(Array.Empty<byte>()).SetName("empty");
        yield return new TestCaseData(new byte[] { 0xFF }).SetName("one byte");
        yield return new TestCaseData(new byte[] { 0xFF, 0xD8 }).SetName("JPEG SOI without a marker after it");
        yield return new TestCaseData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A }).SetName("PNG signature cut short");
        yield return new TestCaseData(Gif89a()).SetName("GIF89a");
        yield return new TestCaseData(Encoding.ASCII.GetBytes("GIF87a\u0001\0\u0001\0\0\0\0;")).SetName("GIF87a");
        yield return new TestCaseData(Encoding.UTF8.GetBytes("Hello, this is just some text and not an image at all.")).SetName("text");
        yield return new TestCaseData(Encoding.UTF8.GetBytes("BMW and BMX bikes: this text starts with BM")).SetName("text starting with BM");
        yield return new TestCaseData(Encoding.UTF8.GetBytes("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>")).SetName("SVG");
        yield return new TestCaseData(Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?><svg/>")).SetName("SVG with XML declaration");
        yield return new TestCaseData(new byte[] { 0, 0, 0, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'h', (byte)'e', (byte)'i', (byte)'c', 0, 0, 0, 0, (byte)'m', (byte)'i', (byte)'f', (byte)'1', (byte)'h', (byte)'e', (byte)'i', (byte)'c' }).SetName("HEIC");
        yield return new TestCaseData(Encoding.ASCII.GetBytes("RIFF\u0024\0\0\0WAVEfmt ")).SetName("RIFF WAVE");
        yield return new TestCaseData(Encoding.ASCII.GetBytes("II+\0\u0008\0\0\0")).SetName("BigTIFF");
        yield return new TestCaseData(Encoding.ASCII.GetBytes("%PDF-1.7\n")).SetName("PDF");
        yield return new TestCaseData(new byte[] { 0x50, 0x4B, 0x03, 0x04, 0x14, 0, 0, 0 }).SetName("ZIP");
        var random = new Random(1234);
        for (var i = 0; i < 5; i++)
        {
            var bytes = new byte[64 + (i * 100)];
            random.NextBytes(bytes);
            bytes[0] = 0x00; // keep the seed-independent guarantee that no signature starts the data
            yield return new TestCaseData(bytes).SetName($"random bytes {i}");
        }
    }

    [TestCaseSource(nameof(NotImages))]
    public void Sniff_refuses_other_content(byte[] data) => ImageSniffer.Sniff(data).Should().BeNull();

    [Test]
    public void Sniff_refuses_BM_without_a_known_DIB_header_size()
    {
        var bmp = Encode(".bmp");
        ImageSniffer.Sniff(bmp).Should().Be(ImageFormat.Bmp);
        var broken = (byte[])bmp.Clone();
        broken[14] = 41;
        ImageSniffer.Sniff(broken).Should().BeNull();
        ImageSniffer.Sniff(bmp.AsSpan(0, 17)).Should().BeNull();
    }

    [TestCase(ImageFormat.Jpeg, "image/jpeg", ".jpg")]
    [TestCase(ImageFormat.Png, "image/png", ".png")]
    [TestCase(ImageFormat.WebP, "image/webp", ".webp")]
    [TestCase(ImageFormat.Bmp, "image/bmp", ".bmp")]
    [TestCase(ImageFormat.Tiff, "image/tiff", ".tiff")]
    public void Format_has_content_type_and_extension(ImageFormat format, string contentType, string extension)
    {
        format.ContentType().Should().Be(contentType);
        format.FileExtension().Should().Be(extension);
        ImageFormatExtensions.FromExtension(extension).Should().Be(format);
    }

    [TestCase("jpg", ImageFormat.Jpeg)]
    [TestCase(".JPG", ImageFormat.Jpeg)]
    [TestCase("jpeg", ImageFormat.Jpeg)]
    [TestCase(".Jpeg", ImageFormat.Jpeg)]
    [TestCase("PNG", ImageFormat.Png)]
    [TestCase(".webp", ImageFormat.WebP)]
    [TestCase("WebP", ImageFormat.WebP)]
    [TestCase("bmp", ImageFormat.Bmp)]
    [TestCase(".tif", ImageFormat.Tiff)]
    [TestCase("TIFF", ImageFormat.Tiff)]
    public void FromExtension_accepts_known_extensions(string extension, ImageFormat expected) =>
        ImageFormatExtensions.FromExtension(extension).Should().Be(expected);

    [TestCase("")]
    [TestCase(".")]
    [TestCase("gif")]
    [TestCase(".heic")]
    [TestCase("svg")]
    [TestCase("jp")]
    [TestCase("..jpg")]
    [TestCase("jpg.exe")]
    public void FromExtension_refuses_others(string extension) =>
        ImageFormatExtensions.FromExtension(extension).Should().BeNull();

    /// <summary>A complete 1x1 GIF89a.</summary>
    internal static byte[] Gif89a() =>
    [
        .. "GIF89a"u8, 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF,
        0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
    ];
}
