using System.Diagnostics;
using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Api;

/// <summary>A setting that cannot be used stops the app at start with one line naming it (the real process).</summary>
[Integration]
public class StartupValidationTests
{
    private static string AppDll => Path.Combine(AppContext.BaseDirectory, "FaceBlur.Web.dll");

    [TestCase("MAX_UPLOAD_MB", "-1")]
    [TestCase("MAX_UPLOAD_FILES", "0")]
    [TestCase("MAX_IMAGE_MEGAPIXELS", "zero")]
    [TestCase("RABBITMQ_URL", "http://not-amqp")]
    [TestCase("BLUR_RATE_LIMIT", "lots")]
    [TestCase("STORAGE_TTL_MINUTES", "0")]
    [TestCase("STORAGE_CLEANUP_INTERVAL_MINUTES", "-5")]
    [TestCase("WORKER_CONCURRENCY", "-2")]
    [TestCase("IMAGE_TIMEOUT_SECONDS", "0")]
    [TestCase("MAX_VIDEO_SECONDS", "-1")]
    [TestCase("VIDEO_CRF", "99")]
    [TestCase("REDIS_URL", "redis://")]
    [TestCase("DETECTOR_MODEL_PATH", "/nonexistent/model.onnx")]
    [TestCase("DETECTOR_MODEL_PATH", "/etc/hostname")]
    [TestCase("DETECTOR_MODEL_N_PATH", "/nonexistent/model.onnx")]
    [TestCase("VIDEO_DETECTOR_MODEL_PATH", "/nonexistent/model.onnx")]
    [TestCase("VIDEO_DETECTOR_MODEL_PATH", "/etc/hostname")]
    [TestCase("DETECTOR_SCORE_THRESHOLD", "1.5")]
    [TestCase("DETECTOR_TILE_SIZE", "512")]
    [TestCase("DETECTOR_TILE_UPSCALE", "0")]
    [TestCase("LOG_LEVEL", "Chatty")]
    [TestCase("CORS_ALLOW_ORIGINS", "not a url")]
    [TestCase("ALLOWED_EXTENSIONS", "jpg,../x")]
    [TestCase("STATS_DB_PATH", "/etc/hostname/stats.db")]
    [TestCase("VISITOR_COOKIE_NAME", "visitor;id")]
    [TestCase("VISITOR_COOKIE_MAX_AGE_DAYS", "-1")]
    [TestCase("METRICS_TOKEN", "too-short")]
    [TestCase("METRICS_TOKEN", "long enough but with spaces")]
    public async Task A_bad_setting_stops_the_app_with_one_line_naming_it(string setting, string value)
    {
        var (exitCode, stdout, stderr) = await RunAppAsync(new Dictionary<string, string> { [setting] = value });

        exitCode.Should().Be(1, stdout + stderr);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().ContainSingle(stderr);
        lines[0].Should().StartWith("FaceBlur cannot start:").And.Contain(setting);
        stderr.Should().NotContain("   at ");
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAppAsync(Dictionary<string, string> environment)
    {
        var storage = Directory.CreateTempSubdirectory("faceblur-start-");
        try
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = storage.FullName };
            start.ArgumentList.Add(AppDll);
            start.ArgumentList.Add("--urls");
            start.ArgumentList.Add("http://127.0.0.1:0");
            start.Environment["STORAGE_DIR"] = storage.FullName;
            start.Environment["DETECTOR_MODEL_PATH"] = TestPaths.DetectorModel;
            start.Environment["DETECTOR_MODEL_N_PATH"] = TestPaths.DetectorModelN;
            start.Environment["VIDEO_DETECTOR_MODEL_PATH"] = TestPaths.VideoDetectorModel;
            start.Environment["RABBITMQ_URL"] = "";
            start.Environment["REDIS_URL"] = "";
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("The app did not stop on a bad setting.");
            }

            return (process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            storage.Delete(recursive: true);
        }
    }
}
