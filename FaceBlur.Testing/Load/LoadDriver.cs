using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace FaceBlur.Testing.Load;

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
/// Drives a running instance (loopback only) with N image jobs from C concurrent clients, each uploaded, polled and
/// downloaded, plus a few video jobs, while a prober times <c>GET /health</c>; optionally samples the app's memory and
/// freezes a process mid-run. A 503 while polling is an outage to wait out (asked again), not a lost job. Used by the
/// bench's <c>load</c> command and by the CI-sized load test.
/// </summary>
public static class LoadDriver
{
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
        var run = new LoadRun(http, appPid is { } pid ? new AppMemory(pid) : null, stop.Token);
        var started = Stopwatch.GetTimestamp();
        var prober = Task.Run(run.ProbeHealthAsync);
        var pausing = pause is null ? Task.CompletedTask : Task.Run(() => run.PauseAsync(pause));

        // A few video jobs go in first, so they run while the image clients keep the workers busy.
        var videoClients = (videos ?? []).Select(clip => Task.Run(() => run.VideoJobAsync(clip))).ToArray();
        var clients = Enumerable.Range(0, concurrency).Select(_ => Task.Run(() => run.ImageClientAsync(jobs, image, name))).ToArray();

        await Task.WhenAll(clients);
        await Task.WhenAll(videoClients);
        await pausing;
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await stop.CancelAsync();
        await prober;

        var report = run.Report(seconds);
        run.Print(output, report, jobs, concurrency, pause);
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

    /// <summary>The shared state of one run: what its clients and its prober record while it goes on.</summary>
    private sealed class LoadRun(HttpClient http, AppMemory? memory, CancellationToken stop)
    {
        private readonly ConcurrentBag<double> uploads = new();
        private readonly ConcurrentBag<double> health = new();
        private readonly ConcurrentDictionary<string, int> outcomes = new();
        private readonly ConcurrentDictionary<string, int> videoOutcomes = new();
        private int next = -1;
        private int inFlight;

        private int Ended() => outcomes.Values.Sum() + videoOutcomes.Values.Sum();

        /// <summary>Times <c>GET /health</c> every 100 ms (kept only while image jobs are in flight) and samples the app's memory.</summary>
        public async Task ProbeHealthAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var t = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.GetAsync("/health", stop);
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
        }

        /// <summary>Watches the jobs ended until the pause has begun (and is over) or the run stops.</summary>
        public async Task PauseAsync(ProcessPause pause)
        {
            while (pause.BeganAfter is null && !stop.IsCancellationRequested)
            {
                await pause.MaybePauseAsync(Ended());
                await Task.Delay(50, CancellationToken.None);
            }
        }

        public async Task VideoJobAsync(byte[] clip)
        {
            var outcome = await OneJobAsync(http, "/blur/video", "file", clip, "clip.mp4", uploads: null, stop);
            videoOutcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        }

        /// <summary>One image client: takes the next of the <paramref name="jobs"/> jobs until none is left or the run stops.</summary>
        public async Task ImageClientAsync(int jobs, byte[] image, string name)
        {
            while (Interlocked.Increment(ref next) < jobs && !stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref inFlight);
                try
                {
                    outcomes.AddOrUpdate(await OneJobAsync(http, "/blur", "files", image, name, uploads, stop), 1, (_, n) => n + 1);
                }
                finally
                {
                    Interlocked.Decrement(ref inFlight);
                }
            }
        }

        public LoadReport Report(double seconds)
        {
            int Count(string outcome) => outcomes.GetValueOrDefault(outcome) + videoOutcomes.GetValueOrDefault(outcome);
            return new LoadReport(
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
        }

        public void Print(TextWriter output, LoadReport report, int jobs, int concurrency, ProcessPause? pause)
        {
            output.WriteLine($"jobs={jobs} concurrency={concurrency} seconds={report.Seconds:0.0} jobs_per_second={report.Completed / report.Seconds:0.00}");
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
        }
    }
}
