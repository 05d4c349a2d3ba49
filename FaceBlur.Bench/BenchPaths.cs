namespace FaceBlur.Bench;

/// <summary>Where the bench finds the repository, the detector weights and the shared evaluation images.</summary>
internal static class BenchPaths
{
    /// <summary>The folder holding FaceBlur.sln, walking up from the current directory.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FaceBlur.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("FaceBlur.sln not found above the current directory: pass --model-dir");
    }

    /// <summary>The weights directory: the given one, else that of DETECTOR_MODEL_PATH, else <c>models/</c> of the repository.</summary>
    public static string ModelDir(string? given)
    {
        if (!string.IsNullOrWhiteSpace(given))
        {
            return Path.GetFullPath(given);
        }

        var path = Environment.GetEnvironmentVariable("DETECTOR_MODEL_PATH");
        return string.IsNullOrWhiteSpace(path) ? Path.Combine(RepoRoot(), "models") : Path.GetDirectoryName(Path.GetFullPath(path))!;
    }

    /// <summary>The evaluation sets: FACEBLUR_EVAL_DIR, else <c>../shared/eval</c> beside the repository.</summary>
    public static string EvalDir()
    {
        var path = Environment.GetEnvironmentVariable("FACEBLUR_EVAL_DIR");
        path = string.IsNullOrWhiteSpace(path) ? Path.Combine(RepoRoot(), "..", "shared", "eval") : path;
        return Directory.Exists(path) ? Path.GetFullPath(path) : throw new DirectoryNotFoundException($"evaluation sets not found at {path}: set FACEBLUR_EVAL_DIR");
    }

    /// <summary>The photos of the dlib-faces set, used to compose benchmark media.</summary>
    public static IReadOnlyList<string> DlibImages() =>
        Directory.GetFiles(Path.Combine(EvalDir(), "dlib-faces", "images"), "*.jpg").Order(StringComparer.Ordinal).ToList();

    /// <summary>A 3744x2912 crowd photo: the first image of the wider-dev-12mp set (63 crowd scenes side by side).</summary>
    public static string CrowdImage() => Path.Combine(EvalDir(), "wider-dev-12mp", "images", "mosaic_0.jpg");

    /// <summary>The photo uploaded by the load benchmark.</summary>
    public static string DefaultLoadImage() => DlibImages()[0];
}
