using OpenCvSharp;

namespace FaceBlur.Modules.Processing.Images;

/// <summary>
/// The EXIF orientation (tag 0x0112): how the stored pixels must be turned to be upright. Read from a JPEG APP1
/// "Exif" segment, a PNG <c>eXIf</c> chunk, a WebP <c>EXIF</c> chunk or a TIFF file's IFD0; values other than 1..8
/// mean 1 (as stored).
/// </summary>
public static class ExifOrientation
{
    /// <summary>The EXIF/TIFF tag number of Orientation.</summary>
    public const ushort Tag = 0x0112;

    /// <summary>The value meaning "as stored": no transformation.</summary>
    public const int Normal = 1;

    private static ReadOnlySpan<byte> ExifPrefix => "Exif\0\0"u8;

    /// <summary>The orientation of a whole image file of any supported format; 1 when absent, invalid or unreadable.</summary>
    public static int Read(ReadOnlySpan<byte> file)
    {
        var header = ImageHeaderReader.Read(file);
        return header.IsSuccess ? header.Value.Orientation : Normal;
    }

    /// <summary>The orientation in IFD0 of a TIFF structure (a TIFF file or the body of an EXIF block).</summary>
    public static int FromTiff(ReadOnlySpan<byte> tiff)
    {
        if (!ExifTiffReader.TryOpen(tiff, out var reader))
        {
            return Normal;
        }

        return FromIfd0(reader);
    }

    /// <summary>
    /// The orientation of a PNG <c>eXIf</c> or WebP <c>EXIF</c> chunk's payload: a TIFF structure, tolerating the
    /// "Exif\0\0" prefix some writers wrongly copy from JPEG.
    /// </summary>
    public static int FromExifChunk(ReadOnlySpan<byte> payload) =>
        FromTiff(payload.StartsWith(ExifPrefix) ? payload[ExifPrefix.Length..] : payload);

    /// <summary>True when the rotation swaps width and height (orientations 5 to 8).</summary>
    public static bool SwapsDimensions(int orientation) => orientation is >= 5 and <= 8;

    /// <summary>
    /// A new Mat with <paramref name="orientation"/> applied so that the image is upright. The source is not
    /// changed; an orientation outside 1..8 gives a plain copy.
    /// </summary>
    public static Mat Apply(Mat src, int orientation)
    {
        ArgumentNullException.ThrowIfNull(src);
        var dst = new Mat();
        try
        {
            switch (orientation)
            {
                case 2:
                    // Mirrored left-right.
                    Cv2.Flip(src, dst, FlipMode.Y);
                    break;
                case 3:
                    Cv2.Rotate(src, dst, RotateFlags.Rotate180);
                    break;
                case 4:
                    // Mirrored top-bottom.
                    Cv2.Flip(src, dst, FlipMode.X);
                    break;
                case 5:
                    // Stored row 0 is the left column, stored column 0 the top row: mirror over the main diagonal.
                    Cv2.Transpose(src, dst);
                    break;
                case 6:
                    // Stored row 0 is the right column, stored column 0 the top row.
                    Cv2.Rotate(src, dst, RotateFlags.Rotate90Clockwise);
                    break;
                case 7:
                    // Stored row 0 is the right column, stored column 0 the bottom row: mirror over the anti-diagonal,
                    // i.e. transpose then turn half a turn.
                    using (var transposed = new Mat())
                    {
                        Cv2.Transpose(src, transposed);
                        Cv2.Flip(transposed, dst, FlipMode.XY);
                    }

                    break;
                case 8:
                    // Stored row 0 is the left column, stored column 0 the bottom row.
                    Cv2.Rotate(src, dst, RotateFlags.Rotate90Counterclockwise);
                    break;
                default:
                    src.CopyTo(dst);
                    break;
            }

            return dst;
        }
        catch
        {
            dst.Dispose();
            throw;
        }
    }

    /// <summary>
    /// When <paramref name="payload"/> (an APP1 segment without its marker and length) is an EXIF segment, its
    /// orientation. False for other APP1 segments (XMP...).
    /// </summary>
    internal static bool TryFromJpegApp1(ReadOnlySpan<byte> payload, out int orientation)
    {
        orientation = Normal;
        if (!payload.StartsWith(ExifPrefix))
        {
            return false;
        }

        orientation = FromTiff(payload[ExifPrefix.Length..]);
        return true;
    }

    internal static int FromIfd0(ExifTiffReader reader)
    {
        if (!reader.TryReadUnsigned(reader.FirstIfdOffset, Tag, out var value) || value is < 1 or > 8)
        {
            return Normal;
        }

        return (int)value;
    }
}
