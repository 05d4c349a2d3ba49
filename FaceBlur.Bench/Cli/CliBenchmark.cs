using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using FaceBlur.Bench.Video;
using FaceBlur.Testing.Video;

namespace FaceBlur.Bench.Cli;

/// <summary>
/// <c>bench cli</c>: the same work, the 9 dlib-faces photos and the 10 s 1080p bench clip, through the command line
/// (<c>faceblur -j 2</c>, a fresh process each time: its start is part of what a user waits for) and through the
/// service's API (the built FaceBlur.Web.dll on a loopback port, in-process queue, 2 workers, already running and
/// warmed up: one photos job of 9 files and one video job submitted together, polled, downloaded). Rounds alternate
/// the order (A B, B A...) so that a drift in the machine's load weighs on both; each line carries the load average.
/// </summary>
public static class CliBenchmark
{
    public const string Usage = "bench cli [--clip FILE (built like bench video's)] [--rounds N (3)] [--jobs N (2)] [--model-dir DIR]";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(IReadOnlyList<string> args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Count; i += 2)
        {
            options[args[i]] = args[i + 1];
        }

        var rounds = int.Parse(options.GetValueOrDefault("--rounds") ?? "3", Inv);
        var jobs = int.Parse(options.GetValueOrDefault("--jobs") ?? "2", Inv);
        var repo = BenchPaths.RepoRoot();
        var web = Built(Path.Combine(repo, "FaceBlur.Web", "bin", "Release", "net10.0", "FaceBlur.Web.dll"));
        var cli = Built(Path.Combine(repo, "FaceBlur.Cli", "bin", "Release", "net10.0", "faceblur.dll"));
        var dir = Directory.CreateTempSubdirectory("faceblur-bench-cli-").FullName;
        try
        {
            var clip = options.GetValueOrDefault("--clip") ?? BuildClip(dir);
            var work = new Work([.. BenchPaths.DlibImages()], clip);
            var settings = Settings(BenchPaths.ModelDir(options.GetValueOrDefault("--model-dir")), dir);
            return RunAsync(work, web, cli, settings, dir, rounds, jobs).GetAwaiter().GetResult();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<int> RunAsync(Work work, string web, string cli, Dictionary<string, string> settings, string dir, int rounds, int jobs)
    {
        Console.WriteLine(string.Create(Inv, $"work: {work.Photos.Count} photos ({work.Photos.Sum(p => new FileInfo(p).Length) / 1024} KB), clip {Path.GetFileName(work.Clip)} ({new FileInfo(work.Clip).Length / 1048576.0:0.0} MB); {Environment.ProcessorCount} cores"));
        using var service = await ServiceProcess.StartAsync(web, settings, dir);
        var warm = await service.RunAsync(work);
        Console.WriteLine(string.Create(Inv, $"service warm-up (untimed): {warm.Seconds:0.0} s"));
        var measured = new List<Measurement>();
        for (var round = 1; round <= rounds; round++)
        {
            var order = round % 2 == 1 ? new[] { "cli", "service" } : ["service", "cli"];
            foreach (var side in order)
            {
                var load = LoadAverage();
                var m = side == "cli"
                    ? await RunCliAsync(cli, work, settings, Path.Combine(dir, $"cli-out-{round}"), jobs)
                    : await service.RunAsync(work);
                m = m with { Round = round, LoadBefore = load, LoadAfter = LoadAverage() };
                measured.Add(m);
                Console.WriteLine(string.Create(Inv, $"round {round} {m.Side,-7}: wall {m.Seconds,6:0.00} s, CPU {m.CpuSeconds,6:0.0} s ({m.CpuSeconds / (m.Seconds * Environment.ProcessorCount):P0} of the cores), load avg {m.LoadBefore} -> {m.LoadAfter}"));
            }
        }

        var cliMedian = Median(measured.Where(m => m.Side == "cli").Select(m => m.Seconds));
        var serviceMedian = Median(measured.Where(m => m.Side == "service").Select(m => m.Seconds));
        var ratios = measured.GroupBy(m => m.Round).Select(g => g.Single(m => m.Side == "cli").Seconds / g.Single(m => m.Side == "service").Seconds).ToList();
        Console.WriteLine(string.Create(Inv, $"median wall: cli {cliMedian:0.00} s, service {serviceMedian:0.00} s; cli/service per round: {string.Join(" ", ratios.Select(r => r.ToString("0.00", Inv)))}"));
        return 0;
    }

    /// <summary><c>faceblur PHOTOS... CLIP -o OUT -j N</c>; CPU from getrusage of the ended child (its ffmpeg processes included).</summary>
    private static async Task<Measurement> RunCliAsync(string cli, Work work, Dictionary<string, string> settings, string output, int jobs)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { cli }.Concat(work.Photos).Append(work.Clip).Concat(["-o", output, "-j", jobs.ToString(Inv)]))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var cpu = ProcessMeasures.CpuSeconds().Children;
        var sw = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var wall = sw.Elapsed.TotalSeconds;
        var used = ProcessMeasures.CpuSeconds().Children - cpu;
        var written = Directory.Exists(output) ? Directory.GetFiles(output).Length : 0;
        if (process.ExitCode != 0 || written != work.Photos.Count + 1)
        {
            throw new InvalidOperationException($"faceblur ended with {process.ExitCode}, {written} files: {await stdout} {await stderr}");
        }

        Directory.Delete(output, recursive: true);
        return new Measurement("cli", wall, used);
    }

    private static string BuildClip(string dir)
    {
        var clip = Path.Combine(dir, "clip.mp4");
        var spec = new SyntheticClipSpec();
        var truth = SyntheticClip.Create(Path.Combine(BenchPaths.EvalDir(), "dlib-faces"), clip, spec);
        Console.WriteLine(string.Create(Inv, $"clip: {spec.Width}x{spec.Height} {spec.FramesPerSecond} fps {spec.Seconds:0.0} s, {truth.Count} frames (as bench video builds it)"));
        return clip;
    }

    /// <summary>The same settings for both: the weights of the run, the service's defaults otherwise; private storage, no rate limit.</summary>
    private static Dictionary<string, string> Settings(string models, string dir) => new(StringComparer.Ordinal)
    {
        ["DETECTOR_MODEL_PATH"] = Path.Combine(models, "face_detection_yunet_2023mar.onnx"),
        ["DETECTOR_MODEL_N_PATH"] = Path.Combine(models, "yunet_n_640_640.onnx"),
        ["VIDEO_DETECTOR_MODEL_PATH"] = Path.Combine(models, "yunet_n_dynamic.onnx"),
        ["STORAGE_DIR"] = Path.Combine(dir, "storage"),
        ["STATS_DB_PATH"] = Path.Combine(dir, "stats.db"),
        ["RABBITMQ_URL"] = "",
        ["REDIS_URL"] = "",
        ["BLUR_RATE_LIMIT"] = "100000/minute",
        ["STORAGE_CLEANUP_INTERVAL_MINUTES"] = "0",
        ["LOG_LEVEL"] = "Warning",
    };

    private static string Built(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built: dotnet build FaceBlur.sln -c Release first");

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private sealed record Work(IReadOnlyList<string> Photos, string Clip);

    private sealed record Measurement(string Side, double Seconds, double CpuSeconds)
    {
        public int Round { get; init; }

        public string LoadBefore { get; init; } = "";

        public string LoadAfter { get; init; } = "";
    }

    /// <summary>The built service on a free loopback port: the work through its API, and its CPU from /proc (ffmpeg children included).</summary>
    private sealed class ServiceProcess : IDisposable
    {
        private readonly Process process;
        private readonly HttpClient http;

        private ServiceProcess(Process process, HttpClient http)
        {
            this.process = process;
            this.http = http;
        }

        public static async Task<ServiceProcess> StartAsync(string web, Dictionary<string, string> settings, string dir)
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = dir };
            foreach (var arg in new[] { web, "--urls", $"http://127.0.0.1:{port}" })
            {
                start.ArgumentList.Add(arg);
            }

            foreach (var (key, value) in settings)
            {
                start.Environment[key] = value;
            }

            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var service = new ServiceProcess(process, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) });
            var deadline = Stopwatch.StartNew();
            while (!await service.HealthyAsync())
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(120) || process.HasExited)
                {
                    service.Dispose();
                    throw new InvalidOperationException("the service did not answer /health within 120 s");
                }

                await Task.Delay(250);
            }

            return service;
        }

        /// <summary>The video job and the photos job submitted together, each polled every 100 ms and downloaded.</summary>
        public async Task<Measurement> RunAsync(Work work)
        {
            var cpu = CpuSeconds();
            var sw = Stopwatch.StartNew();
            var video = OneJobAsync("/blur/video", [("file", work.Clip)]);
            var photos = OneJobAsync("/blur", [.. work.Photos.Select(p => ("files", p))]);
            await Task.WhenAll(video, photos);
            return new Measurement("service", sw.Elapsed.TotalSeconds, CpuSeconds() - cpu);
        }

        public void Dispose()
        {
            http.Dispose();
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }

            process.Dispose();
        }

        private async Task OneJobAsync(string route, IReadOnlyList<(string Field, string Path)> files)
        {
            using var form = new MultipartFormDataContent();
            foreach (var (field, path) in files)
            {
                var content = new ByteArrayContent(await File.ReadAllBytesAsync(path));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                form.Add(content, field, Path.GetFileName(path));
            }

            using var accepted = await http.PostAsync(route, form);
            var body = await accepted.Content.ReadAsStringAsync();
            if (accepted.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"{route} answered {(int)accepted.StatusCode}: {body}");
            }

            var taskId = JsonDocument.Parse(body).RootElement.GetProperty("data").GetProperty("task_id").GetString();
            while (true)
            {
                using var result = await http.GetAsync($"/results/{taskId}");
                if (result.StatusCode == HttpStatusCode.OK)
                {
                    _ = await result.Content.ReadAsByteArrayAsync();
                    return;
                }

                if (result.StatusCode != HttpStatusCode.Accepted)
                {
                    throw new InvalidOperationException($"job {taskId} ended {(int)result.StatusCode}: {await result.Content.ReadAsStringAsync()}");
                }

                await Task.Delay(100);
            }
        }

        private async Task<bool> HealthyAsync()
        {
            try
            {
                using var response = await http.GetAsync("/health");
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }

        /// <summary>utime + stime + cutime + cstime of the service (fields 14-17 of /proc/PID/stat, in ticks of 1/100 s), in seconds.</summary>
        private double CpuSeconds()
        {
            var stat = File.ReadAllText($"/proc/{process.Id}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Skip(11).Take(4).Sum(f => long.Parse(f, Inv)) / 100.0;
        }
    }
}
