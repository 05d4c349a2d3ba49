using System.Diagnostics;
using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Media;
using OpenCvSharp;

namespace FaceBlur.Modules.Processing.Images;

/// <summary>The anonymized image: its bytes, their format, the upright size and the faces that were hidden.</summary>
public sealed record ProcessedImage(
    byte[] Bytes,
    ImageFormat Format,
    int Width,
    int Height,
    IReadOnlyList<FaceBox> Faces,
    TimeSpan DetectionTime)
{
    public string ContentType => Format.ContentType();
}

/// <summary>
/// decode (sniffed format, orientation, size guard) -> detect -> anonymize -> encode (same format, no metadata).
/// Knows nothing of HTTP or queues: bytes and options in, bytes and faces out. Safe to call from several threads.
/// </summary>
public sealed class ImageProcessor(IFaceDetector detector, ProcessingOptions options)
{
    public MediaResult<ProcessedImage> Process(byte[] data, AnonymizeOptions anonymize, CancellationToken cancellationToken = default)
    {
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
        if (image.HasAlpha)
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

        Anonymizer.Apply(image.Pixels, faces, anonymize);
        var encoded = ImageEncoder.Encode(image.Pixels, image.Format);
        return MediaResult<ProcessedImage>.Ok(
            new ProcessedImage(encoded.Bytes, encoded.Format, image.Pixels.Width, image.Pixels.Height, faces, detectionTime));
    }
}
