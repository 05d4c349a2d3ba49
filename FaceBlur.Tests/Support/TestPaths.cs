namespace FaceBlur.Tests.Support;

/// <summary>Where the tests find the repository, the detector model and the shared evaluation images.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The detector weights: <c>DETECTOR_MODEL_PATH</c> when set (test.sh sets it), else <c>models/</c>.</summary>
    public static string DetectorModel
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("DETECTOR_MODEL_PATH");
            path = string.IsNullOrEmpty(path) ? Path.Combine(RepoRoot, "models", "face_detection_yunet_2023mar.onnx") : path;
            return File.Exists(path)
                ? Path.GetFullPath(path)
                : throw new FileNotFoundException($"Detector model not found at {path}: run scripts/fetch-models.sh (test.sh does).");
        }
    }

    /// <summary>The YuNet n weights, beside <see cref="DetectorModel"/> (scripts/fetch-models.sh fetches both).</summary>
    public static string DetectorModelN => Path.Combine(Path.GetDirectoryName(DetectorModel)!, "yunet_n_640_640.onnx");

    /// <summary>The video detector's weights (YuNet n, dynamic input), beside <see cref="DetectorModel"/>.</summary>
    public static string VideoDetectorModel => Path.Combine(Path.GetDirectoryName(DetectorModel)!, "yunet_n_dynamic.onnx");

    /// <summary>The evaluation sets: <c>FACEBLUR_EVAL_DIR</c> when set, else <c>../shared/eval</c> beside the repository.</summary>
    public static string EvalDir
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("FACEBLUR_EVAL_DIR");
            path = string.IsNullOrEmpty(path) ? Path.Combine(RepoRoot, "..", "shared", "eval") : path;
            return Directory.Exists(path)
                ? Path.GetFullPath(path)
                : throw new DirectoryNotFoundException($"Evaluation images not found at {path}: set FACEBLUR_EVAL_DIR.");
        }
    }

    public static string DlibFaces => Path.Combine(EvalDir, "dlib-faces");

    public static string DlibImage(string name) => Path.Combine(DlibFaces, "images", name);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FaceBlur.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("FaceBlur.sln not found above the test assembly.");
    }
}
