using OpenCvSharp;

namespace FaceBlur.Bench.Images;

/// <summary>
/// Builds the benchmark's large photos from the evaluation images: a grid of eval photos (with their faces) scaled up
/// to fill a canvas of the requested size, encoded as a JPEG of camera-like quality.
/// </summary>
internal static class BenchImages
{
    public static byte[] ComposeJpeg(IReadOnlyList<string> sourceImages, int width, int height, int columns, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfZero(sourceImages.Count);
        using var canvas = new Mat(height, width, MatType.CV_8UC3, Scalar.All(90));
        var cellWidth = width / columns;
        var cellHeight = height / rows;
        var index = 0;
        for (var row = 0; row < rows; row++)
        {
            for (var column = 0; column < columns; column++)
            {
                using var source = Cv2.ImRead(sourceImages[index++ % sourceImages.Count], ImreadModes.Color);
                var scale = Math.Min((double)cellWidth / source.Width, (double)cellHeight / source.Height);
                var size = new Size((int)(source.Width * scale), (int)(source.Height * scale));
                using var resized = source.Resize(size, 0, 0, InterpolationFlags.Cubic);
                var x = column * cellWidth + (cellWidth - size.Width) / 2;
                var y = row * cellHeight + (cellHeight - size.Height) / 2;
                resized.CopyTo(new Mat(canvas, new Rect(x, y, size.Width, size.Height)));
            }
        }

        return canvas.ImEncode(".jpg", [new ImageEncodingParam(ImwriteFlags.JpegQuality, 90)]);
    }
}
