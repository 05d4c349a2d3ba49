using OpenCvSharp;

namespace FaceBlur.Modules.Processing.Images;

/// <summary>Encoded output bytes with their format.</summary>
public sealed record EncodedImage(byte[] Bytes, ImageFormat Format)
{
    public string ContentType => Format.ContentType();
}

/// <summary>
/// Re-encodes anonymized pixels. Only pixels are written: OpenCV's encoders are given no metadata, so no EXIF, XMP,
/// GPS, ICC profile or embedded thumbnail of the upload can reach the output. Every format we read can be written,
/// so an image keeps its format (PNG, WebP and TIFF keep their alpha channel).
/// </summary>
public static class ImageEncoder
{
    public const int JpegQuality = 92;

    public const int WebPQuality = 92;

    public static EncodedImage Encode(Mat image, ImageFormat format)
    {
        ArgumentNullException.ThrowIfNull(image);
        ImageEncodingParam[] parameters = format switch
        {
            ImageFormat.Jpeg => [new(ImwriteFlags.JpegQuality, JpegQuality)],
            ImageFormat.WebP => [new(ImwriteFlags.WebPQuality, WebPQuality)],
            ImageFormat.Png => [new(ImwriteFlags.PngCompression, 6)],
            _ => [],
        };
        return new EncodedImage(image.ImEncode(format.FileExtension(), parameters), format);
    }
}
