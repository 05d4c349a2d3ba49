using System.Collections.Concurrent;
using OpenCvSharp;
using OpenCvSharp.Dnn;

namespace FaceBlur.Modules.Processing.Detection;

/// <summary>
/// One YuNet ONNX model run through OpenCV's DNN module, with its outputs decoded here (so that one loaded network
/// serves every input size). The file is read once; networks are created from those bytes on demand and pooled, since a
/// network must not run two inferences at once. Safe to call from several threads.
/// </summary>
internal sealed class YuNetModel : IYuNetNetwork
{
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
        outputNames = [.. YuNetHead.OutputNames];
        Net net;
        try
        {
            net = CreateNet();
            var names = net.GetUnconnectedOutLayersNames();
            var missing = outputNames.Where(n => !names.Contains(n)).ToList();
            if (missing.Count > 0)
            {
                net.Dispose();
                throw new DetectorModelException($"{setting}: {path} is not a YuNet model (no output {missing[0]})");
            }

            // One inference at start, so that a model OpenCV cannot run fails now and not at the first upload.
            var size = fixedInputSize ?? 64;
            using var probe = new Mat(size, size, MatType.CV_8UC3, Scalar.All(0));
            _ = Run(net, probe, 1f);
        }
        catch (Exception e) when (e is OpenCVException or OpenCvSharpException or ArgumentException or IndexOutOfRangeException)
        {
            throw new DetectorModelException($"{setting}: face detector model {path} cannot be loaded: {YuNetHead.FirstLine(e.Message)}", e);
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

            for (var s = 0; s < YuNetHead.Strides.Length; s++)
            {
                YuNetHead.Decode(
                    Floats(outputs[3 * s]), Floats(outputs[(3 * s) + 1]), Floats(outputs[(3 * s) + 2]),
                    YuNetHead.Strides[s], image.Width / YuNetHead.Strides[s], minScore, faces);
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

    private static unsafe ReadOnlySpan<float> Floats(Mat output)
    {
        var n = checked((int)output.Total() * output.Channels());
        return n == 0 ? [] : new ReadOnlySpan<float>((void*)output.Data, n);
    }
}
