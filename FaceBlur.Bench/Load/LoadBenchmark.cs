using System.Diagnostics;
using System.Globalization;
using FaceBlur.Testing.Load;

namespace FaceBlur.Bench.Load;

/// <summary>
/// <c>load</c>: N image jobs from C concurrent clients against a running instance (loopback only), each uploaded,
/// polled and downloaded, while a prober times <c>GET /health</c> (the run itself: <see cref="LoadDriver"/>). Bounded in count and time. Reports accepted,
/// completed, failed and lost jobs and latency percentiles; with <c>--pid</c>, the app's memory after every 100 jobs;
/// with <c>--pause-pid</c>, freezes that process (the app's redis-server) once <c>--pause-after</c> jobs ended, for
/// <c>--pause-seconds</c>. A 503 while polling is an outage to wait out (asked again), not a lost job.
/// </summary>
public static class LoadBenchmark
{
    public const string Usage =
        "load --url http://127.0.0.1:8080 [--jobs 500] [--concurrency 20] [--videos 3] [--image FILE] [--timeout-seconds 900] [--pid APP_PID] " +
        "[--pause-pid PID --pause-seconds 20 --pause-after 50]";

    public static int Run(IReadOnlyList<string> args)
    {
        var options = Parse(args);
        var url = new Uri(options.GetValueOrDefault("--url") ?? "http://127.0.0.1:8080");
        var jobs = int.Parse(options.GetValueOrDefault("--jobs") ?? "500", CultureInfo.InvariantCulture);
        var concurrency = int.Parse(options.GetValueOrDefault("--concurrency") ?? "20", CultureInfo.InvariantCulture);
        var videoCount = int.Parse(options.GetValueOrDefault("--videos") ?? "3", CultureInfo.InvariantCulture);
        var timeout = TimeSpan.FromSeconds(double.Parse(options.GetValueOrDefault("--timeout-seconds") ?? "900", CultureInfo.InvariantCulture));
        var image = options.GetValueOrDefault("--image") ?? BenchPaths.DefaultLoadImage();
        int? pid = options.TryGetValue("--pid", out var pidText) ? int.Parse(pidText, CultureInfo.InvariantCulture) : null;
        var pause = options.TryGetValue("--pause-pid", out var pausePid)
            ? new ProcessPause(
                int.Parse(pausePid, CultureInfo.InvariantCulture),
                TimeSpan.FromSeconds(double.Parse(options.GetValueOrDefault("--pause-seconds") ?? "20", CultureInfo.InvariantCulture)),
                int.Parse(options.GetValueOrDefault("--pause-after") ?? "50", CultureInfo.InvariantCulture))
            : null;
        var clip = videoCount > 0 ? MakeClip(image) : [];
        var report = LoadDriver.RunAsync(url, jobs, concurrency, File.ReadAllBytes(image), Path.GetFileName(image), timeout, pid, Console.Out, Enumerable.Repeat(clip, videoCount).ToList(), pause)
            .GetAwaiter().GetResult();
        return report.Lost == 0 ? 0 : 1;
    }

    /// <summary>A 5-second 640-px clip of the photo with a sine tone, made with ffmpeg, for the video jobs of the run.</summary>
    private static byte[] MakeClip(string image)
    {
        var path = Path.Combine(Path.GetTempPath(), $"faceblur-load-{Guid.NewGuid():N}.mp4");
        try
        {
            var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[]
                     {
                         "-hide_banner", "-loglevel", "error", "-loop", "1", "-i", image, "-f", "lavfi", "-i", "sine=frequency=440:duration=5",
                         "-t", "5", "-r", "25", "-vf", "scale=640:-2", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", "-y", path,
                     })
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? File.ReadAllBytes(path) : throw new InvalidOperationException($"ffmpeg could not make the load clip: {error}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static Dictionary<string, string> Parse(IReadOnlyList<string> args)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Count; i += 2)
        {
            result[args[i]] = args[i + 1];
        }

        return result;
    }
}
