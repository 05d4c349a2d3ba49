namespace FaceBlur.Modules.Processing.Detection;

/// <summary>One YuNet network, whatever runs it: candidate faces of one prepared input.</summary>
internal interface IYuNetNetwork : IDisposable
{
    /// <summary>The only input size the network accepts (square), or null when any multiple of 32 is accepted.</summary>
    int? FixedInputSize { get; }

    /// <summary>
    /// Candidate faces in <paramref name="image"/> (CV_8UC3 BGR, width and height multiples of 32, or exactly the fixed
    /// input size) scoring at least <paramref name="minScore"/>, in its pixel coordinates, not yet suppressed.
    /// </summary>
    List<FaceBox> Detect(OpenCvSharp.Mat image, float minScore);
}

/// <summary>
/// YuNet's outputs and their decoding, shared by the runtimes that run the network: three grids (strides 8, 16, 32)
/// with, per cell, a class score, an objectness score and a box (the landmark outputs are not used).
/// </summary>
internal static class YuNetHead
{
    public static readonly int[] Strides = [8, 16, 32];

    /// <summary>The outputs read, in the order <see cref="Decode"/> takes them: cls, obj, bbox of each stride.</summary>
    public static readonly IReadOnlyList<string> OutputNames = [.. Strides.SelectMany(s => new[] { $"cls_{s}", $"obj_{s}", $"bbox_{s}" })];

    /// <summary>
    /// One stride's candidates: one anchor per cell of the grid (<paramref name="cols"/> cells wide); score =
    /// sqrt(cls * obj); the box centre is the cell plus an offset, in stride units, and the size is exp(log-size) strides.
    /// </summary>
    public static void Decode(
        ReadOnlySpan<float> cls, ReadOnlySpan<float> obj, ReadOnlySpan<float> bbox, int stride, int cols, float minScore, List<FaceBox> faces)
    {
        var n = cls.Length;
        if (n == 0 || cols <= 0 || obj.Length < n || bbox.Length < 4 * n)
        {
            return;
        }

        var minProduct = minScore * minScore;
        for (var i = 0; i < n; i++)
        {
            var c = Math.Clamp(cls[i], 0f, 1f);
            var o = Math.Clamp(obj[i], 0f, 1f);
            var product = c * o;
            if (product < minProduct || product <= 0)
            {
                continue;
            }

            var b = 4 * i;
            var col = i % cols;
            var row = i / cols;
            var cx = (col + bbox[b]) * stride;
            var cy = (row + bbox[b + 1]) * stride;
            var w = MathF.Exp(bbox[b + 2]) * stride;
            var h = MathF.Exp(bbox[b + 3]) * stride;
            faces.Add(new FaceBox(cx - (w / 2), cy - (h / 2), w, h, MathF.Sqrt(product)));
        }
    }

    /// <summary>The first non-empty line of an exception message (native libraries write several).</summary>
    public static string FirstLine(string message)
    {
        var line = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return string.IsNullOrEmpty(line) ? "unknown error" : line;
    }
}

/// <summary>A detector model that cannot be used; the message starts with the setting that names it.</summary>
public sealed class DetectorModelException : InvalidOperationException
{
    public DetectorModelException()
    {
    }

    public DetectorModelException(string message)
        : base(message)
    {
    }

    public DetectorModelException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
