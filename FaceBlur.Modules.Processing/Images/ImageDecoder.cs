using FaceBlur.Modules.Processing.Media;
using OpenCvSharp;

namespace FaceBlur.Modules.Processing.Images;

/// <summary>An image decoded to 8-bit pixels, upright (EXIF orientation applied): CV_8UC3 BGR or CV_8UC4 BGRA.</summary>
public sealed class DecodedImage(Mat pixels, ImageFormat format) : IDisposable
{
    public Mat Pixels { get; } = pixels;

    public ImageFormat Format { get; } = format;

    public bool HasAlpha => Pixels.Channels() == 4;

    public void Dispose() => Pixels.Dispose();
}

/// <summary>
/// Turns uploaded bytes into pixels. The format is sniffed from the content, the declared size is checked against
/// <c>MAX_IMAGE_MEGAPIXELS</c> before any pixel is allocated, and every failure comes back as a typed
/// <see cref="MediaError"/>, never as an exception.
/// </summary>
public static class ImageDecoder
{
    public static MediaResult<DecodedImage> Decode(byte[] data, double maxMegapixels)
    {
        ArgumentNullException.ThrowIfNull(data);
        var header = ImageHeaderReader.Read(data);
        if (!header.IsSuccess)
        {
            return MediaResult<DecodedImage>.Fail(header.Error!);
        }

        var info = header.Value;
        var megapixels = (double)info.Width * info.Height / 1_000_000d;
        if (megapixels > maxMegapixels)
        {
            return MediaResult<DecodedImage>.Fail(
                MediaErrorKind.MediaTooLarge,
                $"The image is {info.Width}x{info.Height} pixels ({megapixels:0.#} MP); the limit is {maxMegapixels:0.#} MP.");
        }

        if (info.Format == ImageFormat.Jpeg && JpegScans.Check(data) is { } refusal)
        {
            return MediaResult<DecodedImage>.Fail(refusal);
        }

        Mat raw;
        try
        {
            // Unchanged keeps alpha and bit depth and, by OpenCV's definition, ignores EXIF orientation:
            // the orientation is applied below from our own reading of the header, the same way for every format.
            raw = Cv2.ImDecode(data, ImreadModes.Unchanged);
        }
        catch (OpenCVException)
        {
            return MediaResult<DecodedImage>.Fail(MediaErrorKind.CorruptMedia, "The image could not be decoded.");
        }

        using (raw)
        {
            if (raw.Empty() || raw.Width != info.Width || raw.Height != info.Height)
            {
                return MediaResult<DecodedImage>.Fail(MediaErrorKind.CorruptMedia, "The image could not be decoded.");
            }

            using var eightBit = ToEightBitBgrOrBgra(raw);
            var upright = ExifOrientation.Apply(eightBit, info.Orientation);
            return MediaResult<DecodedImage>.Ok(new DecodedImage(upright, info.Format));
        }
    }

    /// <summary>Normalises depth (16-bit, float) to 8 bits and channels to BGR or BGRA.</summary>
    private static Mat ToEightBitBgrOrBgra(Mat raw)
    {
        using var depth8 = new Mat();
        var depth = raw.Depth();
        if (depth == MatType.CV_8U)
        {
            raw.CopyTo(depth8);
        }
        else if (depth == MatType.CV_16U)
        {
            raw.ConvertTo(depth8, MatType.MakeType(MatType.CV_8U, raw.Channels()), 1.0 / 257.0);
        }
        else if (depth == MatType.CV_32F || depth == MatType.CV_64F)
        {
            raw.ConvertTo(depth8, MatType.MakeType(MatType.CV_8U, raw.Channels()), 255.0);
        }
        else
        {
            raw.ConvertTo(depth8, MatType.MakeType(MatType.CV_8U, raw.Channels()));
        }

        var output = new Mat();
        switch (depth8.Channels())
        {
            case 1:
                Cv2.CvtColor(depth8, output, ColorConversionCodes.GRAY2BGR);
                break;
            case 2:
                // Grey + alpha: OpenCV does not return this layout for the formats we read, but be safe.
                using (var grey = new Mat())
                using (var alpha = new Mat())
                {
                    Cv2.ExtractChannel(depth8, grey, 0);
                    Cv2.ExtractChannel(depth8, alpha, 1);
                    Cv2.Merge([grey, grey, grey, alpha], output);
                }

                break;
            case 3:
                depth8.CopyTo(output);
                break;
            case 4:
                depth8.CopyTo(output);
                break;
            default:
                // More channels than BGRA (multi-sample TIFF): keep the first four.
                output.Create(depth8.Size(), MatType.CV_8UC4);
                Cv2.MixChannels([depth8], [output], [0, 0, 1, 1, 2, 2, 3, 3]);
                break;
        }

        return output;
    }
}
