using FaceBlur.Modules.Processing.Detection;
using OpenCvSharp;

namespace FaceBlur.Modules.Processing.Anonymization;

/// <summary>
/// Hides face regions in place. Pure image operations: every pixel inside a face's mask is replaced by content that
/// carries no identifying detail, every pixel outside every mask is left exactly as it was, and an alpha channel is
/// never modified.
/// </summary>
/// <remarks>
/// Blur and pixelate are both computed on a tiny copy of the region whose size follows the face (not the image), so a
/// big face is hidden as thoroughly as a small one and the cost stays a few milliseconds even for a 12 MP photo: the
/// face is reduced to a handful of samples across, which no sharpening can undo.
/// </remarks>
public static class Anonymizer
{
    /// <summary>Samples across the face at strength 1 (weakest).</summary>
    internal const double MaxSamplesAcrossFace = 12;

    /// <summary>Samples across the face at strength 100 (strongest).</summary>
    internal const double MinSamplesAcrossFace = 4;

    /// <summary>Fill colour of the <c>solid</c> mode (BGR).</summary>
    internal static readonly Scalar SolidColor = new(32, 32, 32);

    /// <summary>Hides every face of <paramref name="faces"/> in <paramref name="image"/> (CV_8UC1, CV_8UC3 or CV_8UC4).</summary>
    public static void Apply(Mat image, IEnumerable<FaceBox> faces, AnonymizeOptions options)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(faces);
        ArgumentNullException.ThrowIfNull(options);
        if (image.Depth() != MatType.CV_8U)
        {
            throw new ArgumentException("Only 8-bit images can be anonymized.", nameof(image));
        }

        var fill = image.Channels() == 1 ? new Scalar(SolidColor.Val0) : SolidColor;
        foreach (var face in faces)
        {
            ApplyOne(image, face, options, fill);
        }
    }

    /// <summary>
    /// Hides <paramref name="faces"/> in one 8-bit plane of a planar image (a video frame's Y, U or V plane, with the
    /// faces in that plane's coordinates), filling with <paramref name="solidValue"/> in the <c>solid</c> mode. Blur and
    /// pixelate are linear, so hiding each plane on its own equals hiding the converted colour image.
    /// </summary>
    internal static void ApplyToPlane(Mat plane, IEnumerable<FaceBox> faces, AnonymizeOptions options, double solidValue)
    {
        ArgumentNullException.ThrowIfNull(plane);
        ArgumentNullException.ThrowIfNull(faces);
        ArgumentNullException.ThrowIfNull(options);
        if (plane.Type() != MatType.CV_8UC1)
        {
            throw new ArgumentException("Only 8-bit single-channel planes are accepted.", nameof(plane));
        }

        foreach (var face in faces)
        {
            ApplyOne(plane, face, options, new Scalar(solidValue));
        }
    }

    /// <summary>How many samples span the face for a strength of 1..100.</summary>
    internal static double SamplesAcrossFace(int strength)
    {
        var s = Math.Clamp(strength, AnonymizeOptions.MinStrength, AnonymizeOptions.MaxStrength);
        var t = (s - AnonymizeOptions.MinStrength) / (double)(AnonymizeOptions.MaxStrength - AnonymizeOptions.MinStrength);
        return MaxSamplesAcrossFace + (MinSamplesAcrossFace - MaxSamplesAcrossFace) * t;
    }

    private static void ApplyOne(Mat image, FaceBox face, AnonymizeOptions options, Scalar fill)
    {
        if (face.Width <= 0 || face.Height <= 0)
        {
            return;
        }

        var padded = face.Pad(Math.Clamp(options.Padding, 0f, 1f));
        var rect = padded.ToRect(image.Width, image.Height);
        if (rect.Width <= 0 || rect.Height <= 0)
        {
            return;
        }

        using var region = new Mat(image, rect);
        using var hidden = Hide(region, face, options, fill);
        using var mask = BuildMask(rect, padded, options.Shape);
        if (image.Channels() == 4)
        {
            // Keep the alpha channel as it was: only colour is anonymized.
            using var alpha = new Mat();
            Cv2.ExtractChannel(region, alpha, 3);
            Cv2.InsertChannel(alpha, hidden, 3);
        }

        hidden.CopyTo(region, mask);
    }

    private static Mat Hide(Mat region, FaceBox face, AnonymizeOptions options, Scalar fill)
    {
        if (options.Mode == AnonymizationMode.Solid)
        {
            var filled = new Mat(region.Size(), region.Type());
            filled.SetTo(fill);
            return filled;
        }

        // The size of one sample, in pixels, derived from the face (not the padded region, not the image).
        var faceSize = Math.Max(face.Width, face.Height);
        var cell = Math.Max(1.0, faceSize / SamplesAcrossFace(options.Strength));
        var small = new Size(
            Math.Max(1, (int)Math.Round(region.Width / cell)),
            Math.Max(1, (int)Math.Round(region.Height / cell)));

        using var reduced = new Mat();
        var sampled = new Size(Math.Min(region.Width, small.Width * 4), Math.Min(region.Height, small.Height * 4));
        if (sampled.Width < region.Width && sampled.Height < region.Height)
        {
            // Large regions: 4x4 bilinear samples per cell, then their mean; reads far fewer pixels than one area
            // average over the whole region, and no detail finer than a cell survives either way.
            using var dense = new Mat();
            Cv2.Resize(region, dense, sampled, 0, 0, InterpolationFlags.Linear);
            Cv2.Resize(dense, reduced, small, 0, 0, InterpolationFlags.Area);
        }
        else
        {
            Cv2.Resize(region, reduced, small, 0, 0, InterpolationFlags.Area);
        }
        var output = new Mat();
        if (options.Mode == AnonymizationMode.Pixelate)
        {
            Cv2.Resize(reduced, output, region.Size(), 0, 0, InterpolationFlags.Nearest);
            return output;
        }

        // Blur: smooth the reduced copy, then scale it back in two steps so no block edges remain.
        using var smoothed = new Mat();
        Cv2.GaussianBlur(reduced, smoothed, new Size(3, 3), 0.8, 0.8, BorderTypes.Replicate);
        using var middle = new Mat();
        var middleSize = new Size(
            Math.Min(region.Width, small.Width * 4),
            Math.Min(region.Height, small.Height * 4));
        Cv2.Resize(smoothed, middle, middleSize, 0, 0, InterpolationFlags.Cubic);
        using var middleSmoothed = new Mat();
        Cv2.GaussianBlur(middle, middleSmoothed, new Size(5, 5), 1.5, 1.5, BorderTypes.Replicate);
        Cv2.Resize(middleSmoothed, output, region.Size(), 0, 0, InterpolationFlags.Linear);
        return output;
    }

    private static Mat BuildMask(Rect rect, FaceBox padded, MaskShape shape)
    {
        if (shape == MaskShape.Rect)
        {
            return new Mat(rect.Size, MatType.CV_8UC1, Scalar.All(255));
        }

        // The ellipse is inscribed in the whole padded box, even where the box runs past the image edge.
        var mask = new Mat(rect.Size, MatType.CV_8UC1, Scalar.All(0));
        var center = new Point2f(padded.X + padded.Width / 2 - rect.X, padded.Y + padded.Height / 2 - rect.Y);
        var box = new RotatedRect(center, new Size2f(padded.Width, padded.Height), 0);
        Cv2.Ellipse(mask, box, Scalar.All(255), -1, LineTypes.Link8);
        return mask;
    }
}
