using System.Diagnostics;
using System.Net;
using FaceBlur.Tests.Jobs;
using FaceBlur.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FaceBlur.Tests.Api;

/// <summary>
/// STORAGE_DIR unusable: a path under a regular file (not writable, even for root) and a tiny tmpfs that fills up.
/// Uploads get 503 <c>service_unavailable</c> saying storage is unavailable; a job whose result cannot be written ends
/// <c>task_failed</c> with a reason saying so; nothing half-written is left or served.
/// </summary>
[NonParallelizable]
[Integration]
public class StorageFaultTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Test]
    public async Task Uploads_get_503_when_STORAGE_DIR_cannot_hold_a_directory()
    {
        // Running as root, a read-only directory would not stop a write: a STORAGE_DIR under a regular file does.
        var blocker = Path.GetTempFileName();
        try
        {
            using var factory = new FaceBlurFactory(new Dictionary<string, string?>
            {
                ["STORAGE_DIR"] = Path.Combine(blocker, "storage"),
                ["STATS_DB_PATH"] = Path.Combine(Path.GetTempPath(), $"faceblur-stats-{Guid.NewGuid():N}.db"),
            });
            using var client = factory.CreateClient();
            using var refused = await client.PostAsync("/blur", Http.Images(("a.jpg", JobFlowTests.Photo())));
            var json = await Http.ShouldBeErrorAsync(refused, HttpStatusCode.ServiceUnavailable, "service_unavailable");
            json.GetProperty("message").GetString().Should().Contain("Storage");
        }
        finally
        {
            File.Delete(blocker);
        }
    }

    [Test]
    public async Task Uploads_get_503_when_STORAGE_DIR_is_full()
    {
        using var tmpfs = Tmpfs.Mount("256k");
        using var factory = new FaceBlurFactory(OnTmpfs(tmpfs));
        using var client = factory.CreateClient();
        tmpfs.Fill();

        using var refused = await client.PostAsync("/blur", Http.Images(("a.jpg", JobFlowTests.Photo())));
        var json = await Http.ShouldBeErrorAsync(refused, HttpStatusCode.ServiceUnavailable, "service_unavailable");
        json.GetProperty("message").GetString().Should().Contain("Storage");
        JobFilesUnder(tmpfs.Path).Should().BeEmpty("a refused upload leaves nothing behind");

        tmpfs.Unfill();
        var accepted = await Http.SubmitAsync(client, "/blur", Http.Images(("b.jpg", JobFlowTests.Photo())));
        (await Http.WaitForResultAsync(client, accepted, Bound)).StatusCode.Should().Be(HttpStatusCode.OK, "space is back");
    }

    [Test]
    public async Task A_job_whose_result_cannot_be_written_ends_failed_and_nothing_half_written_is_served()
    {
        using var tmpfs = Tmpfs.Mount("2m");
        var detector = new GatedDetector();
        using var factory = new FaceBlurFactory(
            OnTmpfs(tmpfs, new Dictionary<string, string?> { ["WORKER_CONCURRENCY"] = "1" }),
            s => s.Replace(ServiceDescriptor.Singleton<FaceBlur.Modules.Processing.Detection.IFaceDetector>(detector)));
        using var client = factory.CreateClient();

        var taskId = await Http.SubmitAsync(client, "/blur", Http.Images(("a.jpg", JobFlowTests.Photo())));
        await Wait.UntilAsync(() => detector.Waiting, "the job is being processed", Bound);
        tmpfs.Fill(); // the disk fills up while the job runs
        detector.Open();

        using var failed = await Http.WaitForResultAsync(client, taskId, Bound);
        var json = await Http.ShouldBeErrorAsync(failed, HttpStatusCode.UnprocessableEntity, "task_failed");
        json.GetProperty("details").GetProperty("reason").GetString().Should().Contain("storage is full or not writable");
        await Wait.UntilAsync(() => JobFilesUnder(tmpfs.Path).Count == 0, "the failed job's files (and no temporary result) are gone", Bound);

        tmpfs.Unfill();
        var next = await Http.SubmitAsync(client, "/blur", Http.Images(("b.jpg", JobFlowTests.Photo())));
        (await Http.WaitForResultAsync(client, next, Bound)).StatusCode.Should().Be(HttpStatusCode.OK, "space is back");
    }

    private static Dictionary<string, string?> OnTmpfs(Tmpfs tmpfs, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["STORAGE_DIR"] = tmpfs.Path,
            ["STATS_DB_PATH"] = Path.Combine(Path.GetTempPath(), $"faceblur-stats-{Guid.NewGuid():N}.db"),
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return settings;
    }

    private static List<string> JobFilesUnder(string storage)
    {
        var jobs = Path.Combine(storage, "jobs");
        return Directory.Exists(jobs) ? [.. Directory.GetFileSystemEntries(jobs, "*", SearchOption.AllDirectories)] : [];
    }

    /// <summary>The real detector, held back until the test opens the gate (so the test can change the world mid-job).</summary>
    private sealed class GatedDetector : FaceBlur.Modules.Processing.Detection.IFaceDetector
    {
        private readonly ManualResetEventSlim _gate = new();
        private volatile bool _waiting;

        public bool Waiting => _waiting;

        public void Open() => _gate.Set();

        public IReadOnlyList<FaceBlur.Modules.Processing.Detection.FaceBox> Detect(OpenCvSharp.Mat bgrImage, CancellationToken cancellationToken = default)
        {
            _waiting = true;
            _gate.Wait(Bound, CancellationToken.None).Should().BeTrue("the test opens the gate");
            return TestDetector.Instance.Detect(bgrImage, cancellationToken);
        }
    }

    /// <summary>
    /// A tiny tmpfs (needs root, as in CI): a STORAGE_DIR that really fills up. <see cref="Fill"/> takes every free
    /// byte with one file, <see cref="Unfill"/> frees them.
    /// </summary>
    private sealed class Tmpfs : IDisposable
    {
        private Tmpfs(string path) => Path = path;

        public string Path { get; }

        private string Filler => System.IO.Path.Combine(Path, "filler.bin");

        public static Tmpfs Mount(string size)
        {
            if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
            {
                Assert.Ignore("A tmpfs STORAGE_DIR needs Linux and root (CI runs as root).");
            }

            var path = Directory.CreateTempSubdirectory("faceblur-tmpfs-").FullName;
            Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", path);
            return new Tmpfs(path);
        }

        public void Fill()
        {
            using var file = new FileStream(Filler, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
            var block = new byte[16 * 1024];
            try
            {
                while (true)
                {
                    file.Write(block);
                }
            }
            catch (IOException ex) when (ex.HResult == 28)
            {
                // ENOSPC: full.
            }
        }

        public void Unfill() => File.Delete(Filler);

        public void Dispose()
        {
            Run("umount", "-l", Path);
            Directory.Delete(Path, recursive: true);
        }

        private static void Run(string command, params string[] args)
        {
            var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit(10_000).Should().BeTrue($"{command} finishes");
            process.ExitCode.Should().Be(0, $"{command} {string.Join(' ', args)}: {error}");
        }
    }
}
