using OpenCvSharp;

namespace FaceBlur.Modules.Processing.Detection;

/// <summary>Finds faces in an 8-bit BGR image. Implementations are safe to call from several threads at once.</summary>
public interface IFaceDetector
{
    /// <summary>
    /// Faces in <paramref name="bgrImage"/> (CV_8UC3), boxes in its pixel coordinates, best score first. A detector that
    /// works in steps (tiles, passes) checks <paramref name="cancellationToken"/> between them and throws
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    IReadOnlyList<FaceBox> Detect(Mat bgrImage, CancellationToken cancellationToken = default);
}
