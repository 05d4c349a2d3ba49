using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace FaceBlur.Bench.Load;

/// <summary>What a load run measured.</summary>
public sealed record LoadReport(
    int Accepted,
    int Completed,
    int Failed,
    int Lost,
    int Refused,
    double Seconds,
    double UploadP50Ms,
    double UploadP99Ms,
    double HealthP50Ms,
    double HealthP99Ms);

/// <summary>
/// <c>load</c>: N image jobs from C concurrent clients against a running instance (loopback only), each uploaded,
/// polled and downloaded, while a prober times <c>GET /health</c>. Bounded in count and time. Reports accepted,
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
        var report = RunAsync(url, jobs, concurrency, File.ReadAllBytes(image), Path.GetFileName(image), timeout, pid, Console.Out, Enumerable.Repeat(clip, videoCount).ToList(), pause)
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

    /// <summary>
    /// Runs the load and prints the report to <paramref name="output"/>; <paramref name="appPid"/> samples the app's
    /// memory; <paramref name="pause"/> freezes a process mid-run.
    /// </summary>
    public static async Task<LoadReport> RunAsync(
        Uri url,
        int jobs,
        int concurrency,
        byte[] image,
        string name,
        TimeSpan timeout,
        int? appPid,
        TextWriter output,
        IReadOnlyList<byte[]>? videos = null,
        ProcessPause? pause = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(output);
        if (!IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) ? url.Host != "localhost" : !IPAddress.IsLoopback(address))
        {
            throw new ArgumentException("load only targets an instance on this machine (127.0.0.1, ::1 or localhost).");
        }

        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        using var stop = new CancellationTokenSource(timeout);
        var uploads = new ConcurrentBag<double>();
        var health = new ConcurrentBag<double>();
        var outcomes = new ConcurrentDictionary<string, int>();
        var videoOutcomes = new ConcurrentDictionary<string, int>();
        var next = -1;
        var inFlight = 0;
        var started = Stopwatch.GetTimestamp();
        var memory = appPid is { } pid ? new AppMemory(pid) : null;
        int Ended() => outcomes.Values.Sum() + videoOutcomes.Values.Sum();

        var prober = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var t = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.GetAsync("/health", stop.Token);
                    if (Volatile.Read(ref inFlight) > 0)
                    {
                        health.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                    }

                    memory?.Sample(Ended());
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                await Task.Delay(100, CancellationToken.None);
            }
        });

        var pausing = pause is null ? Task.CompletedTask : Task.Run(async () =>
        {
            while (pause.BeganAfter is null && !stop.IsCancellationRequested)
            {
                await pause.MaybePauseAsync(Ended());
                await Task.Delay(50, CancellationToken.None);
            }
        });

        // A few video jobs go in first, so they run while the image clients keep the workers busy.
        var videoClients = (videos ?? []).Select(clip => Task.Run(async () =>
        {
            var outcome = await OneJobAsync(http, "/blur/video", "file", clip, "clip.mp4", uploads: null, stop.Token);
            videoOutcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        })).ToArray();

        var clients = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) < jobs && !stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref inFlight);
                try
                {
                    outcomes.AddOrUpdate(await OneJobAsync(http, "/blur", "files", image, name, uploads, stop.Token), 1, (_, n) => n + 1);
                }
                finally
                {
                    Interlocked.Decrement(ref inFlight);
                }
            }
        })).ToArray();

        await Task.WhenAll(clients);
        await Task.WhenAll(videoClients);
        await pausing;
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await stop.CancelAsync();
        await prober;

        int Count(string outcome) => outcomes.GetValueOrDefault(outcome) + videoOutcomes.GetValueOrDefault(outcome);
        var report = new LoadReport(
            Accepted: Count("completed") + Count("failed") + Count("lost"),
            Completed: Count("completed"),
            Failed: Count("failed"),
            Lost: Count("lost"),
            Refused: outcomes.Concat(videoOutcomes).Where(o => o.Key.StartsWith("refused", StringComparison.Ordinal) || o.Key == "upload_error").Sum(o => o.Value),
            Seconds: seconds,
            UploadP50Ms: Percentile(uploads, 50),
            UploadP99Ms: Percentile(uploads, 99),
            HealthP50Ms: Percentile(health, 50),
            HealthP99Ms: Percentile(health, 99));
        output.WriteLine($"jobs={jobs} concurrency={concurrency} seconds={seconds:0.0} jobs_per_second={report.Completed / seconds:0.00}");
        output.WriteLine($"upload_ms {Percentiles(uploads)}");
        output.WriteLine($"health_ms_while_busy {Percentiles(health)}");
        foreach (var (outcome, count) in outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  images {outcome}: {count}");
        }

        foreach (var (outcome, count) in videoOutcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  videos {outcome}: {count}");
        }

        memory?.Report(output);
        pause?.Report(output);

        output.WriteLine(
            $"accepted={report.Accepted} completed={report.Completed} failed={report.Failed} lost={report.Lost} " +
            $"upload_p50_ms={report.UploadP50Ms:0.0} upload_p99_ms={report.UploadP99Ms:0.0} " +
            $"health_p50_ms={report.HealthP50Ms:0.0} health_p99_ms={report.HealthP99Ms:0.0}");
        return report;
    }

    /// <summary>Uploads, polls and downloads one job; returns its outcome. Upload times go to <paramref name="uploads"/> when given.</summary>
    private static async Task<string> OneJobAsync(
        HttpClient http, string route, string field, byte[] bytes, string name, ConcurrentBag<double>? uploads, CancellationToken cancellationToken)
    {
        string taskId;
        var t = Stopwatch.GetTimestamp();
        try
        {
            using var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(file, field, name);
            using var response = await http.PostAsync(route, form, cancellationToken);
            uploads?.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                return $"refused_{(int)response.StatusCode}";
            }

            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            taskId = json.RootElement.GetProperty("data").GetProperty("task_id").GetString()!;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return "upload_error";
        }

        try
        {
            while (true)
            {
                using var result = await http.GetAsync($"/results/{taskId}", cancellationToken);
                switch (result.StatusCode)
                {
                    case HttpStatusCode.OK:
                        await result.Content.ReadAsByteArrayAsync(cancellationToken);
                        return "completed";
                    case HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable:
                        await Task.Delay(200, cancellationToken);
                        continue;
                    case HttpStatusCode.UnprocessableEntity:
                        return "failed";
                    default:
                        return "lost";
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            return "lost";
        }
    }

    private static string Percentiles(ConcurrentBag<double> values) =>
        $"n={values.Count} p50={Percentile(values, 50):0.0} p95={Percentile(values, 95):0.0} p99={Percentile(values, 99):0.0} max={(values.IsEmpty ? 0 : values.Max()):0.0}";

    private static double Percentile(IEnumerable<double> values, double percentile)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
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
