using System.Runtime.InteropServices;

namespace FaceBlur.Cli;

/// <summary>
/// Turns Ctrl+C (SIGINT) or SIGTERM into a cancellation, so that running work stops cleanly: ffmpeg killed, partial
/// files deleted, the summary printed. The stop takes a few seconds at most (a process is waited for 5 s once killed);
/// further signals meanwhile are absorbed, so that a second Ctrl+C cannot leave a partial file behind.
/// </summary>
internal sealed class InterruptSignals : IDisposable
{
    private readonly CancellationTokenSource cancellation = new();
    private readonly PosixSignalRegistration[] registrations;
    private int exitCode;

    public InterruptSignals()
    {
        registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Stop(context, ExitCodes.Interrupted)),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Stop(context, ExitCodes.Terminated)),
        ];
    }

    public CancellationToken Token => cancellation.Token;

    /// <summary>The exit code of the signal that stopped the run (0 while none came).</summary>
    public int ExitCode => Volatile.Read(ref exitCode);

    public void Dispose()
    {
        foreach (var registration in registrations)
        {
            registration.Dispose();
        }

        cancellation.Dispose();
    }

    private void Stop(PosixSignalContext context, int code)
    {
        context.Cancel = true;
        if (Interlocked.CompareExchange(ref exitCode, code, 0) != 0)
        {
            return;
        }

        // Cancelling runs the registered callbacks (which kill ffmpeg and wait for it): not on the signal's thread.
        _ = Task.Run(cancellation.Cancel);
    }
}
