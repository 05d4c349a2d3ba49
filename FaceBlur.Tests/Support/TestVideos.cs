using System.Diagnostics;
using System.Globalization;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Testing.Video;

namespace FaceBlur.Tests.Support;

/// <summary>
/// The one maker of the suite's test videos, all with ffmpeg: its test pattern in any codec and container (no file
/// inputs), and clips of the eval photos with the faces of each frame; also runs ffmpeg and ffprobe for the tests.
/// </summary>
internal static class TestVideos
{
    /// <summary>H.264 in the 4:2:0 pixels every player takes: the default codec of <see cref="ColourBarsAsync"/>.</summary>
    public const string H264 = "-c:v libx264 -pix_fmt yuv420p";

    /// <summary>
    /// ffmpeg's test pattern at 10 fps, encoded with <paramref name="codecArgs"/> (output arguments, split at spaces; they
    /// may add inputs such as a sine track) into a file of type <paramref name="extension"/>, with the MP4 index first
    /// when <paramref name="faststart"/>; returns the file's bytes.
    /// </summary>
    public static Task<byte[]> ColourBarsAsync(
        double seconds, int width = 160, int height = 120, string extension = "mp4", string codecArgs = H264, bool faststart = false) =>
        Task.Run(() =>
        {
            var path = Path.Combine(Path.GetTempPath(), $"faceblur-test-{Guid.NewGuid():N}.{extension}");
            try
            {
                Ffmpeg([
                    "-f", "lavfi", "-i", $"testsrc=size={width}x{height}:rate=10:duration={seconds.ToString(CultureInfo.InvariantCulture)}",
                    .. codecArgs.Split(' ', StringSplitOptions.RemoveEmptyEntries),
                    .. faststart ? new[] { "-movflags", "+faststart" } : [],
                    path,
                ]);
                return File.ReadAllBytes(path);
            }
            finally
            {
                File.Delete(path);
            }
        });

    /// <summary>One photo moving and zooming so that its faces are 40..90 px: what the coverage tests check.</summary>
    public static SyntheticClipSpec MovingFace(double seconds = 2, bool audio = true) => new()
    {
        Width = 480,
        Height = 360,
        FramesPerSecond = 25,
        Seconds = seconds,
        Sprites = 1,
        MinZoom = 1.0,
        MaxZoom = 1.4,
        Speed = 0.25,
        Audio = audio,
    };

    /// <summary>Writes a clip of the dlib-faces photos per <paramref name="spec"/>; returns the faces of each frame.</summary>
    public static IReadOnlyList<IReadOnlyList<FaceBox>> Create(string path, SyntheticClipSpec spec) =>
        SyntheticClip.Create(TestPaths.DlibFaces, path, spec);

    /// <summary>Runs ffmpeg (quiet, overwriting its output) with <paramref name="args"/>; throws with its stderr on failure.</summary>
    public static void Ffmpeg(params string[] args) => Run("ffmpeg", ["-hide_banner", "-v", "error", "-y", .. args]);

    /// <summary><see cref="Ffmpeg"/> off the test's thread.</summary>
    public static Task FfmpegAsync(params string[] args) => Task.Run(() => Ffmpeg(args));

    /// <summary>Runs a program (ffmpeg, ffprobe...) and returns stdout; throws with stderr on failure.</summary>
    public static string Run(string executable, params string[] args)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{executable} {string.Join(' ', args)} failed: {stderr.Result}");
        }

        return stdout;
    }
}
