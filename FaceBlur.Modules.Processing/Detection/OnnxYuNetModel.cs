using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;
using OpenCvSharp.Dnn;

namespace FaceBlur.Modules.Processing.Detection;

/// <summary>
/// One YuNet ONNX model run by ONNX Runtime, for the models OpenCV's importer cannot read (dynamic input shapes) and
/// where speed matters: on this project's 2-core machine ONNX Runtime runs YuNet about twice as fast as OpenCV's DNN
/// module (see docs/BENCHMARKS.md). One session serves every thread (ONNX Runtime allows concurrent runs); each run
/// uses <c>threads</c> threads, the calling thread first, so a run on a lowered-priority thread stays lowered.
/// </summary>
internal sealed class OnnxYuNetModel : IYuNetNetwork
{
    private readonly InferenceSession session;
    private readonly string[] inputNames;
    private readonly string[] outputNames = [.. YuNetHead.OutputNames];
    private readonly RunOptions runOptions = new();
    private bool disposed;

    /// <summary>Loads the model and checks it is a YuNet network (throws with a message naming <paramref name="setting"/>).</summary>
    public OnnxYuNetModel(string path, string setting, int threads)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{setting}: face detector model not found at {path}", path);
        }

        // Before the runtime initialises: a privacy tool never sends telemetry (see OnnxRuntimeTelemetry).
        OnnxRuntimeTelemetry.EnsureOff();

        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = Math.Max(1, threads),
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        try
        {
            session = new InferenceSession(path, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            runOptions.Dispose();
            throw new DetectorModelException($"{setting}: face detector model {path} cannot be loaded: {YuNetHead.FirstLine(e.Message)}", e);
        }

        try
        {
            var missing = outputNames.FirstOrDefault(n => !session.OutputMetadata.ContainsKey(n));
            if (missing is not null || session.InputMetadata.Count != 1)
            {
                throw new DetectorModelException($"{setting}: {path} is not a YuNet model ({(missing is null ? "not one input" : "no output " + missing)})");
            }

            var (name, input) = session.InputMetadata.First();
            if (input.Dimensions.Length != 4 || input.Dimensions[1] is not (3 or -1))
            {
                throw new DetectorModelException($"{setting}: {path} is not a YuNet model (input is not 1x3xHxW)");
            }

            inputNames = [name];
            var (h, w) = (input.Dimensions[2], input.Dimensions[3]);
            FixedInputSize = h > 0 && w > 0 ? (h == w ? h : throw new DetectorModelException($"{setting}: {path} has a non-square fixed input")) : null;

            // One inference at start, so that a model the runtime cannot run fails now and not at the first upload.
            var size = FixedInputSize ?? 64;
            using var probe = new Mat(size, size, MatType.CV_8UC3, Scalar.All(0));
            _ = Detect(probe, 1f);
        }
        catch (OnnxRuntimeException e)
        {
            Dispose();
            throw new DetectorModelException($"{setting}: face detector model {path} cannot be run: {YuNetHead.FirstLine(e.Message)}", e);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int? FixedInputSize { get; }

    public List<FaceBox> Detect(Mat image, float minScore)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(image);
        var faces = new List<FaceBox>();

        // YuNet takes raw 0..255 BGR values in NCHW layout; the tensor is a view of the blob's memory (no copy).
        using var blob = CvDnn.BlobFromImage(image, 1.0, default, default, swapRB: false, crop: false);
        long[] shape = [1, 3, image.Height, image.Width];
        var bytes = 3L * image.Height * image.Width * sizeof(float);
        using var input = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float, shape, blob.Data, bytes);
        using var outputs = session.Run(runOptions, inputNames, [input], outputNames);
        for (var s = 0; s < YuNetHead.Strides.Length; s++)
        {
            YuNetHead.Decode(
                outputs[3 * s].GetTensorDataAsSpan<float>(),
                outputs[(3 * s) + 1].GetTensorDataAsSpan<float>(),
                outputs[(3 * s) + 2].GetTensorDataAsSpan<float>(),
                YuNetHead.Strides[s],
                image.Width / YuNetHead.Strides[s],
                minScore,
                faces);
        }

        return faces;
    }

    public void Dispose()
    {
        disposed = true;
        session.Dispose();
        runOptions.Dispose();
    }
}
