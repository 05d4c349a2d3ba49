namespace FaceBlur.Modules.Processing.Images;

/// <summary>
/// Recognises an image format from its first bytes only; the file name and the client's content type are never
/// trusted. Anything that is not one of our formats (GIF, HEIC, SVG, text, empty input...) gives null.
/// </summary>
public static class ImageSniffer
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static ImageFormat? Sniff(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        {
            return ImageFormat.Jpeg;
        }

        if (data.StartsWith(PngSignature))
        {
            return ImageFormat.Png;
        }

        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            return ImageFormat.WebP;
        }

        if (IsPlausibleBmp(data))
        {
            return ImageFormat.Bmp;
        }

        if (data.StartsWith("II*\0"u8) || data.StartsWith("MM\0*"u8))
        {
            return ImageFormat.Tiff;
        }

        return null;
    }

    /// <summary>
    /// "BM" alone is too weak (plenty of text starts with it): a BMP must also carry one of the known DIB header sizes
    /// right after its 14-byte file header.
    /// </summary>
    private static bool IsPlausibleBmp(ReadOnlySpan<byte> data)
    {
        if (data.Length < 18 || data[0] != (byte)'B' || data[1] != (byte)'M')
        {
            return false;
        }

        var dibSize = data[14] | (data[15] << 8) | (data[16] << 16) | (data[17] << 24);
        return IsKnownDibHeaderSize(dibSize);
    }

    /// <summary>BITMAPCOREHEADER (12), OS/2 2.x (16, 64), BITMAPINFOHEADER (40) and its V2-V5 successors.</summary>
    internal static bool IsKnownDibHeaderSize(int size) => size is 12 or 16 or 40 or 52 or 56 or 64 or 108 or 124;
}
