using System.Runtime.InteropServices;

namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>
/// Lowers the scheduling priority (raises the nice value) of the calling thread on Linux, so that job processing
/// yields the CPU to request handling: /health and uploads stay responsive while every worker is busy. Threads the
/// worker starts afterwards (OpenCV's pool, ffmpeg) inherit it. Elsewhere, or when the call is refused, nothing happens.
/// </summary>
internal static partial class WorkerThreadPriority
{
    private const int PrioProcess = 0;

    public static void Lower(int nice)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var gettid = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 186L,
            Architecture.Arm64 => 178L,
            _ => 0L,
        };
        if (gettid == 0)
        {
            return;
        }

        try
        {
            var tid = (int)Syscall(gettid);
            _ = SetPriority(PrioProcess, tid, nice);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not a glibc system: keep the default priority.
        }
    }

    [LibraryImport("libc", EntryPoint = "syscall")]
    private static partial long Syscall(long number);

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);
}
