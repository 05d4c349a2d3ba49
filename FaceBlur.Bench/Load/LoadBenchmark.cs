using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace FaceBlur.Bench.Load;

/// <summary>
/// <c>load</c>: N image jobs from C concurrent clients against a running instance (loopback only), each uploaded,
/// polled and downloaded, while a prober times <c>GET /health</c>. Bounded in count and time. Reports accepted,
/// completed, failed and lost jobs and latency percentiles.
/// </summary>
internal static class LoadBenchmark
{
    public const string Usage = "load --url http://127.0.0.1:8080 [--jobs 100] [--concurrency 10] [--image FILE] [--timeout-seconds 600]";

    public static int Run(IReadOnlyList<string> args)
    {
        var options = Parse(args);
        var url = new Uri(options.GetValueOrDefault("--url") ?? "http://127.0.0.1:8080");
        if (!IPAddress.TryParse(url.Host, out var address) ? url.Host != "localhost" : !IPAddress.IsLoopback(address))
        {
            throw new ArgumentException("load only targets an instance on this machine (127.0.0.1, ::1 or localhost).");
        }

        var jobs = int.Parse(options.GetValueOrDefault("--jobs") ?? "100", CultureInfo.InvariantCulture);
        var concurrency = int.Parse(options.GetValueOrDefault("--concurrency") ?? "10", CultureInfo.InvariantCulture);
        var timeout = TimeSpan.FromSeconds(double.Parse(options.GetValueOrDefault("--timeout-seconds") ?? "600", CultureInfo.InvariantCulture));
        var image = options.GetValueOrDefault("--image") ?? BenchPaths.DefaultLoadImage();
        return RunAsync(url, jobs, concurrency, File.ReadAllBytes(image), Path.GetFileName(image), timeout).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(Uri url, int jobs, int concurrency, byte[] image, string name, TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        using var stop = new CancellationTokenSource(timeout);
        var uploads = new ConcurrentBag<double>();
        var health = new ConcurrentBag<double>();
        var outcomes = new ConcurrentDictionary<string, int>();
        var next = -1;
        var inFlight = 0;
        var started = Stopwatch.GetTimestamp();

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
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                await Task.Delay(100, CancellationToken.None);
            }
        });

        var clients = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) < jobs && !stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref inFlight);
                try
                {
                    outcomes.AddOrUpdate(await OneJobAsync(http, image, name, uploads, stop.Token), 1, (_, n) => n + 1);
                }
                finally
                {
                    Interlocked.Decrement(ref inFlight);
                }
            }
        })).ToArray();

        await Task.WhenAll(clients);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await stop.CancelAsync();
        await prober;

        var accepted = outcomes.Where(o => o.Key is "completed" or "failed" or "lost").Sum(o => o.Value);
        Console.WriteLine($"jobs={jobs} concurrency={concurrency} seconds={seconds:0.0} jobs_per_second={outcomes.GetValueOrDefault("completed") / seconds:0.00}");
        Console.WriteLine($"upload_ms {Percentiles(uploads)}");
        Console.WriteLine($"health_ms_while_busy {Percentiles(health)}");
        foreach (var (outcome, count) in outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            Console.WriteLine($"  {outcome}: {count}");
        }

        Console.WriteLine(
            $"accepted={accepted} completed={outcomes.GetValueOrDefault("completed")} failed={outcomes.GetValueOrDefault("failed")} " +
            $"lost={outcomes.GetValueOrDefault("lost")} upload_p50_ms={Percentile(uploads, 50):0.0} upload_p99_ms={Percentile(uploads, 99):0.0} " +
            $"health_p50_ms={Percentile(health, 50):0.0} health_p99_ms={Percentile(health, 99):0.0}");
        return outcomes.GetValueOrDefault("lost") == 0 ? 0 : 1;
    }

    /// <summary>Uploads, polls and downloads one job; returns its outcome.</summary>
    private static async Task<string> OneJobAsync(HttpClient http, byte[] image, string name, ConcurrentBag<double> uploads, CancellationToken cancellationToken)
    {
        string taskId;
        var t = Stopwatch.GetTimestamp();
        try
        {
            using var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(image);
            file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(file, "files", name);
            using var response = await http.PostAsync("/blur", form, cancellationToken);
            uploads.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
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
                    case HttpStatusCode.Accepted:
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
