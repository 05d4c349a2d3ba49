using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Testing.Evaluation;
using FaceBlur.Tests.Support;
using OpenCvSharp;

namespace FaceBlur.Tests.Cli;

/// <summary>Inputs for the command line's tests: eval photos (as JPEG with metadata, or PNG) and clips made with ffmpeg.</summary>
internal static class CliMedia
{
    public const string MetadataMarker = "FaceBlurCliTestTitle";

    /// <summary>An eval photo's annotated faces.</summary>
    public static IReadOnlyList<FaceBox> Faces(string name) =>
        EvalDataset.Load(TestPaths.DlibFaces).Images.Single(i => Path.GetFileName(i.Path) == name).Faces;

    /// <summary>An eval photo with EXIF (camera, GPS, thumbnail), XMP and ICC added, at <paramref name="path"/>.</summary>
    public static void JpegWithMetadata(string name, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, JpegMetadataBuilder.AddMetadata(File.ReadAllBytes(TestPaths.DlibImage(name)), new JpegMetadataOptions { Orientation = null }));
    }

    /// <summary>An eval photo re-encoded as PNG at <paramref name="path"/>.</summary>
    public static void Png(string name, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var image = Cv2.ImRead(TestPaths.DlibImage(name));
        Cv2.ImWrite(path, image);
    }

    /// <summary>
    /// A clip of a moving, zooming eval photo (480x360, 25 fps, with sound) carrying a title and a GPS position in its
    /// container; returns the faces of each frame.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<FaceBox>> MovingFaceClip(string path, double seconds)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return TestVideos.Create(path, TestVideos.MovingFace(seconds) with
        {
            ExtraArguments = ["-metadata", "title=" + MetadataMarker, "-metadata", "location=+48.8584+002.2945/"],
        });
    }

    /// <summary>Mean absolute difference of two images inside <paramref name="box"/>.</summary>
    public static double Difference(Mat before, Mat after, FaceBox box)
    {
        var rect = box.ToRect(before.Width, before.Height);
        using var a = new Mat(before, rect);
        using var b = new Mat(after, rect);
        using var diff = new Mat();
        Cv2.Absdiff(a, b, diff);
        return Cv2.Mean(diff).Val0;
    }

    /// <summary>Every file under <paramref name="root"/>, as paths relative to it with forward slashes, sorted.</summary>
    public static List<string> Files(string root) =>
        [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];

    /// <summary>SHA-256 of every file under <paramref name="root"/>, by relative path.</summary>
    public static Dictionary<string, string> Hashes(string root) =>
        Files(root).ToDictionary(f => f, f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(root, f)))));
}
