using System.Collections.Concurrent;
using System.Diagnostics;

namespace FaceBlur.Tests.Support;

/// <summary>
/// The built app as a real process (<c>dotnet FaceBlur.Web.dll</c>) on a loopback port, its output collected into one
/// log; optionally started under a wrapper command (strace) whose own arguments come first.
/// </summary>
internal sealed class AppProcess : IDisposable
{
    private readonly Process _process;
    private readonly bool _wrapped;

    private AppProcess(Process process, bool wrapped)
    {
        _process = process;
        _wrapped = wrapped;
    }

    /// <summary>
    /// Starts the app with test defaults (storage, models, one worker, no cleanup loop) overridden by
    /// <paramref name="settings"/>; a setting whose value is null is removed from the environment the app inherits.
    /// </summary>
    public static AppProcess Start(
        int port,
        string storage,
        IReadOnlyDictionary<string, string?> settings,
        ConcurrentQueue<string> logs,
        IReadOnlyList<string>? wrapper = null)
    {
        var defaults = new Dictionary<string, string?>
        {
            ["STORAGE_DIR"] = storage,
            ["STATS_DB_PATH"] = Path.Combine(storage, "stats.db"),
            ["DETECTOR_MODEL_PATH"] = TestPaths.DetectorModel,
            ["DETECTOR_MODEL_N_PATH"] = TestPaths.DetectorModelN,
            ["VIDEO_DETECTOR_MODEL_PATH"] = TestPaths.VideoDetectorModel,
            ["WORKER_CONCURRENCY"] = "1",
            ["BLUR_RATE_LIMIT"] = "10000/minute",
            ["STORAGE_CLEANUP_INTERVAL_MINUTES"] = "0",
            ["LOG_LEVEL"] = "Information",
        };
        var start = DotnetChild.StartInfo("FaceBlur.Web.dll", ["--urls", $"http://127.0.0.1:{port}"], storage, defaults, settings, wrapper);
        var process = Process.Start(start) ?? throw new InvalidOperationException("The app did not start.");
        process.OutputDataReceived += (_, e) => Collect(logs, e.Data);
        process.ErrorDataReceived += (_, e) => Collect(logs, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new AppProcess(process, wrapper is { Count: > 0 });
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill9()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>SIGTERM to the app (not to its wrapper, which then ends with it): the host shuts down as in production.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return;
        }

        var appPid = _wrapped ? DotnetChild.ChildOf(_process.Id) : _process.Id;
        if (appPid is { } pid)
        {
            using var kill = Process.Start("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }

        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            Kill9();
            throw new TimeoutException("The app did not stop on SIGTERM.");
        }
    }

    public void Dispose()
    {
        Kill9();
        _process.Dispose();
    }

    private static void Collect(ConcurrentQueue<string> logs, string? line)
    {
        if (line is not null)
        {
            logs.Enqueue(line);
        }
    }
}
