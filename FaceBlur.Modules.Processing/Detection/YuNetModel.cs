using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using OpenCvSharp;
using OpenCvSharp.Dnn;

namespace FaceBlur.Modules.Processing.Detection;

/// <summary>
/// One YuNet ONNX model run through OpenCV's DNN module, with its outputs decoded here (so that one loaded network
/// serves every input size). The file is read once; networks are created from those bytes on demand and pooled, since a
/// network must not run two inferences at once. Safe to call from several threads.
/// </summary>
internal sealed class YuNetModel : IDisposable
{
    private static readonly int[] Strides = [8, 16, 32];

    private readonly byte[] onnx;
    private readonly ConcurrentBag<Net> pool = [];
    private readonly string[] outputNames;
    private bool disposed;

    /// <summary>Loads the model and checks it is a YuNet network (throws with a message naming <paramref name="setting"/>).</summary>
    public YuNetModel(string path, string setting, int? fixedInputSize)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{setting}: face detector model not found at {path}", path);
        }

        FixedInputSize = fixedInputSize;
        onnx = File.ReadAllBytes(path);
        outputNames = [.. Strides.SelectMany(s => new[] { $"cls_{s}", $"obj_{s}", $"bbox_{s}" })];
        Net net;
        try
        {
            net = CreateNet();
            var names = net.GetUnconnectedOutLayersNames();
            var missing = outputNames.Where(n => !names.Contains(n)).ToList();
            if (missing.Count > 0)
            {
                net.Dispose();
                throw new InvalidOperationException($"{setting}: {path} is not a YuNet model (no output {missing[0]})");
            }

            // One inference at start, so that a model OpenCV cannot run fails now and not at the first upload.
            var size = fixedInputSize ?? 64;
            using var probe = new Mat(size, size, MatType.CV_8UC3, Scalar.All(0));
            _ = Run(net, probe, 1f);
        }
        catch (Exception e) when (e is OpenCVException or OpenCvSharpException or ArgumentException or IndexOutOfRangeException)
        {
            throw new InvalidOperationException($"{setting}: face detector model {path} cannot be loaded: {FirstLine(e.Message)}", e);
        }

        pool.Add(net);
    }

    /// <summary>The only input size the network accepts (square), or null when any multiple of 32 is accepted.</summary>
    public int? FixedInputSize { get; }

    /// <summary>
    /// Candidate faces in <paramref name="image"/> (CV_8UC3 BGR, width and height multiples of 32, or exactly the fixed
    /// input size) scoring at least <paramref name="minScore"/>, in its pixel coordinates, not yet suppressed.
    /// </summary>
    public List<FaceBox> Detect(Mat image, float minScore)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (!pool.TryTake(out var net))
        {
            net = CreateNet();
        }

        try
        {
            return Run(net, image, minScore);
        }
        finally
        {
            pool.Add(net);
        }
    }

    public void Dispose()
    {
        disposed = true;
        while (pool.TryTake(out var net))
        {
            net.Dispose();
        }
    }

    private Net CreateNet()
    {
        var net = CvDnn.ReadNetFromOnnx(onnx) ?? throw new InvalidOperationException("OpenCV returned no network");
        net.SetPreferableBackend(Backend.OPENCV);
        net.SetPreferableTarget(Target.CPU);
        return net;
    }

    private List<FaceBox> Run(Net net, Mat image, float minScore)
    {
        var faces = new List<FaceBox>();
        var outputs = new Mat[outputNames.Length];
        for (var i = 0; i < outputs.Length; i++)
        {
            outputs[i] = new Mat();
        }

        try
        {
            // YuNet takes raw 0..255 BGR values in NCHW layout.
            using (var blob = CvDnn.BlobFromImage(image, 1.0, default, default, swapRB: false, crop: false))
            {
                net.SetInput(blob, "");
                net.Forward(outputs, outputNames);
            }

            for (var s = 0; s < Strides.Length; s++)
            {
                Decode(outputs[3 * s], outputs[(3 * s) + 1], outputs[(3 * s) + 2], Strides[s], image.Width / Strides[s], minScore, faces);
            }
        }
        finally
        {
            foreach (var m in outputs)
            {
                m.Dispose();
            }
        }

        return faces;
    }

    /// <summary>
    /// YuNet's head: one anchor per cell of a stride-s grid; score = sqrt(cls * obj); the box centre is the cell plus an
    /// offset, in stride units, and the size is exp(log-size) strides.
    /// </summary>
    private static void Decode(Mat cls, Mat obj, Mat bbox, int stride, int cols, float minScore, List<FaceBox> faces)
    {
        var n = checked((int)cls.Total());
        if (n == 0 || cols <= 0)
        {
            return;
        }

        var buffer = ArrayPool<float>.Shared.Rent(6 * n);
        try
        {
            Marshal.Copy(cls.Data, buffer, 0, n);
            Marshal.Copy(obj.Data, buffer, n, n);
            Marshal.Copy(bbox.Data, buffer, 2 * n, 4 * n);
            var minProduct = minScore * minScore;
            for (var i = 0; i < n; i++)
            {
                var c = Math.Clamp(buffer[i], 0f, 1f);
                var o = Math.Clamp(buffer[n + i], 0f, 1f);
                var product = c * o;
                if (product < minProduct || product <= 0)
                {
                    continue;
                }

                var b = 2 * n + (4 * i);
                var col = i % cols;
                var row = i / cols;
                var cx = (col + buffer[b]) * stride;
                var cy = (row + buffer[b + 1]) * stride;
                var w = MathF.Exp(buffer[b + 2]) * stride;
                var h = MathF.Exp(buffer[b + 3]) * stride;
                faces.Add(new FaceBox(cx - (w / 2), cy - (h / 2), w, h, MathF.Sqrt(product)));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    private static string FirstLine(string message)
    {
        var line = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return string.IsNullOrEmpty(line) ? "unknown error" : line;
    }
}
