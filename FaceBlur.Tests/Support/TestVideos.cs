using System.Diagnostics;

namespace FaceBlur.Tests.Support;

/// <summary>Small test videos made with ffmpeg's own sources (no file inputs).</summary>
internal static class TestVideos
{
    public static async Task<byte[]> ColourBarsAsync(double seconds, int width = 160, int height = 120, string extension = "mp4")
    {
        var path = Path.Combine(Path.GetTempPath(), $"faceblur-test-{Guid.NewGuid():N}.{extension}");
        try
        {
            await FfmpegAsync(
                "-f", "lavfi", "-i", $"testsrc=size={width}x{height}:rate=10:duration={seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
                "-c:v", "libx264", "-pix_fmt", "yuv420p", "-y", path);
            return await File.ReadAllBytesAsync(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static async Task FfmpegAsync(params string[] args)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-hide_banner", "-loglevel", "error" }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg failed: {stderr}");
        }
    }
}
