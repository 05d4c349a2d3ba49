using System.Diagnostics;
using System.Globalization;

namespace FaceBlur.Testing.Load;

/// <summary>
/// Freezes a process of this machine (SIGSTOP) for a while in the middle of a load run and lets it go on (SIGCONT):
/// with the pid of the app's redis-server, the outage of a frozen Redis (<c>load --pause-pid</c>).
/// </summary>
public sealed class ProcessPause(int pid, TimeSpan duration, int afterJobs)
{
    private int started;

    /// <summary>Jobs that had ended when the pause began, or null when it has not begun.</summary>
    public int? BeganAfter { get; private set; }

    /// <summary>Begins the pause (once) when <paramref name="jobsEnded"/> reached the threshold; returns when it is over.</summary>
    public async Task MaybePauseAsync(int jobsEnded)
    {
        if (jobsEnded < afterJobs || Interlocked.Exchange(ref started, 1) != 0)
        {
            return;
        }

        BeganAfter = jobsEnded;
        Signal("STOP");
        try
        {
            await Task.Delay(duration);
        }
        finally
        {
            Signal("CONT");
        }
    }

    public void Report(TextWriter output) =>
        output.WriteLine(BeganAfter is { } after
            ? $"pause pid={pid} seconds={duration.TotalSeconds:0} began_after_jobs={after}"
            : $"pause pid={pid} never began (fewer than {afterJobs} jobs ended)");

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)])
            ?? throw new InvalidOperationException("kill did not start.");
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {pid} failed.");
        }
    }
}
