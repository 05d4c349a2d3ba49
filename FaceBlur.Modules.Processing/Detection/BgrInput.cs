using OpenCvSharp;

namespace FaceBlur.Modules.Processing.Detection;

/// <summary>What every detector takes: an 8-bit BGR image. Empty images find nothing; others are converted first.</summary>
internal static class BgrInput
{
    /// <summary>
    /// Runs <paramref name="detectBgr"/> on <paramref name="image"/> when it is 8-bit BGR, on a BGR copy when it is gray,
    /// BGRA or of another depth; an empty image gives no faces without a call.
    /// </summary>
    public static IReadOnlyList<FaceBox> Detect(Mat image, Func<Mat, IReadOnlyList<FaceBox>> detectBgr)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Empty() || image.Width < 1 || image.Height < 1)
        {
            return [];
        }

        if (image.Type() == MatType.CV_8UC3)
        {
            return detectBgr(image);
        }

        using var converted = ToBgr(image);
        return detectBgr(converted);
    }

    /// <summary>An 8-bit BGR copy of a gray, BGR or BGRA image of any depth.</summary>
    public static Mat ToBgr(Mat image)
    {
        using var eightBit = new Mat();
        if (image.Depth() == MatType.CV_8U)
        {
            image.CopyTo(eightBit);
        }
        else
        {
            image.ConvertTo(eightBit, MatType.CV_8U);
        }

        var bgr = new Mat();
        switch (eightBit.Channels())
        {
            case 1:
                Cv2.CvtColor(eightBit, bgr, ColorConversionCodes.GRAY2BGR);
                break;
            case 4:
                Cv2.CvtColor(eightBit, bgr, ColorConversionCodes.BGRA2BGR);
                break;
            case 3:
                eightBit.CopyTo(bgr);
                break;
            default:
                bgr.Dispose();
                throw new ArgumentException($"Expected a 1, 3 or 4 channel image, got {eightBit.Channels()} channels.", nameof(image));
        }

        return bgr;
    }
}
