using System.Text.Json.Serialization;
using FaceBlur.Modules.Processing.Media;

namespace FaceBlur.Modules.Processing.Images;

/// <summary>What an image's header says, read without decoding it: its format and its stored size.</summary>
public sealed record ImageFacts(
    [property: JsonPropertyName("format")] ImageFormat Format,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height);

/// <summary>
/// Checks an uploaded image file before it is accepted, from its first bytes only: the format sniffed from the content
/// (it must agree with the name's extension), the declared size read from the header and held against
/// MAX_IMAGE_MEGAPIXELS, so a decompression bomb is refused without a pixel being decoded.
/// </summary>
public static class ImageInspector
{
    /// <summary>How much of a file is read to find its declared size (markers may follow large EXIF/XMP blocks).</summary>
    public const int HeaderBytes = 4 * 1024 * 1024;

    /// <summary>The image's facts, or why it is refused (a <see cref="MediaErrorKind.NameMismatch"/> when its name's
    /// extension names another format than its content).</summary>
    public static async Task<MediaResult<ImageFacts>> InspectAsync(
        string path, string extension, double maxMegapixels, CancellationToken cancellationToken)
    {
        byte[] head;
        await using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true))
        {
            head = new byte[(int)Math.Min(HeaderBytes, stream.Length)];
            await stream.ReadExactlyAsync(head, cancellationToken);
        }

        if (ImageSniffer.Sniff(head) is not { } format)
        {
            return MediaResult<ImageFacts>.Fail(
                MediaErrorKind.UnsupportedMediaType, "The file is not an image this service reads (JPEG, PNG, WebP, BMP, TIFF).");
        }

        if (ImageFormatExtensions.FromExtension(extension) != format)
        {
            return MediaResult<ImageFacts>.Fail(
                MediaErrorKind.NameMismatch, $"The file name says .{extension} but the content is {format.ToString().ToUpperInvariant()}.");
        }

        var header = ImageHeaderReader.Read(head);
        if (!header.IsSuccess)
        {
            return MediaResult<ImageFacts>.Fail(header.Error!);
        }

        var (width, height) = (header.Value.Width, header.Value.Height);
        if ((double)width * height / 1_000_000d > maxMegapixels)
        {
            return MediaResult<ImageFacts>.Fail(
                MediaErrorKind.MediaTooLarge, $"The image is {width}x{height} pixels; the limit is {maxMegapixels:0.#} megapixels.");
        }

        return MediaResult<ImageFacts>.Ok(new ImageFacts(format, width, height));
    }
}
