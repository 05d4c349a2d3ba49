using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Tests.Api;
using FaceBlur.Tests.Jobs;
using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Privacy;

/// <summary>
/// The app never phones home. ONNX Runtime's official build sends telemetry to Microsoft unless
/// ORT_DISABLE_TELEMETRY=1 reaches its native environment; the app must switch it off itself, whatever launched it.
/// The real process, the service's and the command line's, is traced (every connect, send and accept) while it processes
/// a photo and a video, with the variable removed from its environment and a home directory of its own.
/// </summary>
[NonParallelizable]
[Integration]
public partial class NoPhoneHomeTests
{
    /// <summary>Unpatched, ONNX Runtime's first upload came ~10 s after it initialised: the app lives longer than that.</summary>
    private static readonly TimeSpan TelemetryWindow = TimeSpan.FromSeconds(15);

    [Test]
    public async Task The_app_contacts_nothing_outside_loopback_and_writes_nothing_under_home()
    {
        RequireStrace();
        var storage = Directory.CreateTempSubdirectory("faceblur-privacy-").FullName;
        var home = Directory.CreateTempSubdirectory("faceblur-home-").FullName;
        var trace = Path.Combine(storage, "connections.trace");
        var port = FaultTests.FreePort();
        var logs = new ConcurrentQueue<string>();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        var started = Stopwatch.StartNew();
        using var app = AppProcess.Start(
            port,
            storage,
            new Dictionary<string, string?>
            {
                ["HOME"] = home,
                [OnnxRuntimeTelemetry.Variable] = null,
                ["XDG_CACHE_HOME"] = null,
                ["RABBITMQ_URL"] = "",
                ["REDIS_URL"] = "",
            },
            logs,
            ["strace", "-f", "-qq", "-e", "trace=connect,sendto,sendmsg,accept,accept4", "-o", trace]);
        try
        {
            await Wait.UntilAsync(() => Http.IsUpAsync(client), "the traced app listens", TimeSpan.FromSeconds(90));
            var photo = await Http.SubmitAsync(client, "/blur", Http.Images(("a.jpg", JobFlowTests.Photo())));
            (await Http.WaitForResultAsync(client, photo, TimeSpan.FromSeconds(60))).StatusCode.Should().Be(HttpStatusCode.OK, string.Join('\n', logs));
            var video = await Http.SubmitAsync(client, "/blur/video", Http.Form([("file", "clip.mp4", await TestVideos.ColourBarsAsync(2))]));
            (await Http.WaitForResultAsync(client, video, TimeSpan.FromSeconds(60))).StatusCode.Should().Be(HttpStatusCode.OK, string.Join('\n', logs));

            var left = TelemetryWindow - started.Elapsed;
            if (left > TimeSpan.Zero)
            {
                await Task.Delay(left);
            }

            await app.StopAsync(TimeSpan.FromSeconds(30));

            var outside = File.ReadLines(trace).Where(LeavesLoopback).ToList();
            outside.Should().BeEmpty("the app may only talk to itself on loopback (no DNS query, no connection elsewhere)");
            Directory.GetFileSystemEntries(home, "*", SearchOption.AllDirectories)
                .Should().BeEmpty("nothing is written under the home directory (ONNX Runtime's telemetry keeps a device id there)");
            File.ReadLines(trace).Should().Contain(l => l.Contains("accept", StringComparison.Ordinal), "the trace must have seen the app accept this test's connections");
        }
        finally
        {
            app.Kill9();
            Directory.Delete(storage, recursive: true);
            Directory.Delete(home, recursive: true);
        }
    }

    [Test]
    public async Task The_command_line_contacts_nothing_outside_loopback_and_writes_nothing_under_home()
    {
        RequireStrace();
        var work = Directory.CreateTempSubdirectory("faceblur-cli-privacy-").FullName;
        var home = Directory.CreateTempSubdirectory("faceblur-home-").FullName;
        var trace = Path.Combine(work, "connections.trace");
        try
        {
            File.Copy(TestPaths.DlibImage("2007_007763.jpg"), Path.Combine(work, "photo.jpg"));
            await TestVideos.FfmpegAsync(
                "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25:duration=120", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                Path.Combine(work, "clip.mp4"));
            var started = Stopwatch.StartNew();
            using var cli = CliProcess.Start(
                work,
                ["photo.jpg", "clip.mp4", "-o", "out", "-j", "2"],
                new Dictionary<string, string?> { ["HOME"] = home, [OnnxRuntimeTelemetry.Variable] = null, ["XDG_CACHE_HOME"] = null },
                ["strace", "-f", "-qq", "-e", "trace=connect,sendto,sendmsg,accept,accept4,execve", "-o", trace]);

            // Both detectors at work (the photo's OpenCV model, the video's ONNX Runtime one) through the telemetry window.
            await Wait.UntilAsync(() => cli.OutputSoFar.Contains("photo.jpg -> out/photo.jpg", StringComparison.Ordinal), "the photo is done", TimeSpan.FromSeconds(60));
            var left = TelemetryWindow - started.Elapsed;
            if (left > TimeSpan.Zero)
            {
                await Task.Delay(left);
            }

            await cli.SignalAsync("INT");
            var run = await cli.WaitAsync(TimeSpan.FromSeconds(30));

            run.ExitCode.Should().Be(130, "the video was still being processed when stopped: " + run);
            File.ReadLines(trace).Where(LeavesLoopback).Should().BeEmpty("the command line talks to nothing (no DNS query, no connection anywhere)");
            Directory.GetFileSystemEntries(home, "*", SearchOption.AllDirectories).Should().BeEmpty("nothing is written under the home directory");
            File.ReadLines(trace).Should().Contain(l => l.Contains("execve(", StringComparison.Ordinal) && l.Contains("ffmpeg", StringComparison.Ordinal), "the trace must have followed the command line's children");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
            Directory.Delete(home, recursive: true);
        }
    }

    [Test]
    public void Loading_the_onnx_runtime_detector_sets_the_variable_in_the_native_environment()
    {
        using var model = new OnnxYuNetModel(TestPaths.VideoDetectorModel, "TEST", threads: 1);

        OnnxRuntimeTelemetry.NativeValue().Should().Be("1");
    }

    [Test]
    public void Telemetry_that_cannot_be_ruled_out_stops_the_detector_from_loading()
    {
        string? native = null;
        var tooLate = () => OnnxRuntimeTelemetry.SetNativeVariable(runtimeCreated: true, () => native, () => true);
        tooLate.Should().Throw<OnnxRuntimeTelemetryException>().WithMessage("*initialised before*ORT_DISABLE_TELEMETRY=1*");

        var refused = () => OnnxRuntimeTelemetry.SetNativeVariable(runtimeCreated: false, () => native, () => false);
        refused.Should().Throw<OnnxRuntimeTelemetryException>().WithMessage("*could not be set*");

        var notRead = () => OnnxRuntimeTelemetry.SetNativeVariable(runtimeCreated: false, () => native, () => true);
        notRead.Should().Throw<OnnxRuntimeTelemetryException>("a value that does not read back did not take");

        OnnxRuntimeTelemetry.SetNativeVariable(runtimeCreated: false, () => native, () => (native = "1") is not null);
        native.Should().Be("1");
        var inherited = () => OnnxRuntimeTelemetry.SetNativeVariable(runtimeCreated: true, () => "1", () => throw new InvalidOperationException("not called"));
        inherited.Should().NotThrow("a runtime created with the variable already in place is fine");
    }

    /// <summary>An IPv4/IPv6 connect or send whose address is not loopback (a DNS query to the resolver is one).</summary>
    private static bool LeavesLoopback(string line)
    {
        if (!line.Contains("AF_INET", StringComparison.Ordinal))
        {
            return false;
        }

        var addresses = InetAddress().Matches(line).Select(m => m.Groups[1].Value).ToList();
        return addresses.Count == 0 || addresses.Any(a => !IPAddress.TryParse(a, out var ip) || !IPAddress.IsLoopback(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip));
    }

    [GeneratedRegex("inet_(?:addr|pton)\\((?:AF_INET6?, )?\"([^\"]+)\"")]
    private static partial Regex InetAddress();

    private static void RequireStrace()
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, "strace")));
        if (!found)
        {
            Assert.Fail("strace is required by this test (test.sh installs it: apt-get install strace).");
        }
    }
}
