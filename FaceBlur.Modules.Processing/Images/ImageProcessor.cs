using System.Diagnostics;
using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Media;
using FaceBlur.Modules.Processing.Regions;
using OpenCvSharp;

namespace FaceBlur.Modules.Processing.Images;

/// <summary>
/// The anonymized image: its bytes, their format, the upright size, the face boxes that were hidden, and every region
/// of the image as the regions export shows it (hidden ones, and kept ones with hidden false).
/// </summary>
public sealed record ProcessedImage(
    byte[] Bytes,
    ImageFormat Format,
    int Width,
    int Height,
    IReadOnlyList<FaceBox> Faces,
    TimeSpan DetectionTime)
{
    public string ContentType => Format.ContentType();

    public IReadOnlyList<ImageRegion> Regions { get; init; } = [];
}

/// <summary>
/// decode (sniffed format, orientation, size guard) -> detect -> anonymize -> encode (same format, no metadata).
/// Knows nothing of HTTP or queues: bytes and options in, bytes and faces out. Safe to call from several threads.
/// </summary>
public sealed class ImageProcessor(IFaceDetector detector, ProcessingOptions options)
{
    public MediaResult<ProcessedImage> Process(byte[] data, AnonymizeOptions anonymize, CancellationToken cancellationToken = default) =>
        Process(data, anonymize, RegionRequest.DetectOnly, cancellationToken);

    /// <summary>
    /// Hides what <paramref name="regions"/> asks: the detector's faces (unless it is off) except those over a kept
    /// region, plus the given hidden regions (boxes in upright pixels).
    /// </summary>
    public MediaResult<ProcessedImage> Process(byte[] data, AnonymizeOptions anonymize, RegionRequest regions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(regions);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(anonymize);
        var decoded = ImageDecoder.Decode(data, options.MaxImageMegapixels);
        if (!decoded.IsSuccess)
        {
            return MediaResult<ProcessedImage>.Fail(decoded.Error!);
        }

        using var image = decoded.Value!;
        cancellationToken.ThrowIfCancellationRequested();

        var started = Stopwatch.GetTimestamp();
        IReadOnlyList<FaceBox> faces;
        if (!regions.Detect)
        {
            faces = [];
        }
        else if (image.HasAlpha)
        {
            using var bgr = new Mat();
            Cv2.CvtColor(image.Pixels, bgr, ColorConversionCodes.BGRA2BGR);
            faces = detector.Detect(bgr, cancellationToken);
        }
        else
        {
            faces = detector.Detect(image.Pixels, cancellationToken);
        }

        var detectionTime = Stopwatch.GetElapsedTime(started);
        cancellationToken.ThrowIfCancellationRequested();

        var all = RegionPlan.ForImage(faces, regions.Given);
        var hidden = all.Where(r => r.Hidden).Select(r => r.Box.ToFaceBox(r.Score ?? 1)).ToList();
        Anonymizer.Apply(image.Pixels, hidden, anonymize);
        var encoded = ImageEncoder.Encode(image.Pixels, image.Format);
        return MediaResult<ProcessedImage>.Ok(
            new ProcessedImage(encoded.Bytes, encoded.Format, image.Pixels.Width, image.Pixels.Height, hidden, detectionTime) { Regions = all });
    }
}
