using System.ComponentModel;
using System.Diagnostics;
using System.IO.Pipes;
using System.Runtime.InteropServices;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>Which standard streams of an ffmpeg process this process writes to or reads from (stderr always).</summary>
[Flags]
internal enum FfmpegPipes
{
    None = 0,

    /// <summary>Frames are written to the process (the encoder).</summary>
    StandardInput = 1,

    /// <summary>Output is read from the process (the decoder, ffprobe).</summary>
    StandardOutput = 2,
}

/// <summary>
/// One ffmpeg or ffprobe child process: arguments passed as a list (never through a shell), stderr drained continuously
/// (its last lines kept for the log), and killed with its whole process tree on <see cref="Dispose"/> unless it exited.
/// </summary>
internal sealed partial class FfmpegProcess : IDisposable
{
    private const int TailLines = 20;

    /// <summary>Capacity asked for the frame pipes: 1 MiB (Linux's default limit) instead of 64 KiB.</summary>
    private const int PipeBytes = 1 << 20;
    private const int FSetPipeSize = 1031;

    private readonly Process process;
    private readonly Queue<string> tail = new();

    private FfmpegProcess(Process process)
    {
        this.process = process;
        StderrDone = Task.Run(PumpStderrAsync);
    }

    public Stream StandardInput => process.StandardInput.BaseStream;

    public Stream StandardOutput => process.StandardOutput.BaseStream;

    /// <summary>Completes when stderr reached its end (the process closed it, normally at exit).</summary>
    public Task StderrDone { get; }

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    /// <summary>The last lines ffmpeg wrote on stderr, for logs (may contain paths: never shown to users).</summary>
    public string StderrTail
    {
        get
        {
            lock (tail)
            {
                return string.Join(" | ", tail);
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="executable"/> with the standard streams in <paramref name="pipes"/> connected to this process
    /// (stderr always is); throws <see cref="InvalidOperationException"/> when it cannot be started.
    /// </summary>
    public static FfmpegProcess Start(string executable, IEnumerable<string> arguments, FfmpegPipes pipes)
    {
        var redirectInput = pipes.HasFlag(FfmpegPipes.StandardInput);
        var redirectOutput = pipes.HasFlag(FfmpegPipes.StandardOutput);
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = redirectOutput,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            throw new InvalidOperationException($"{executable} could not be started: {e.Message}", e);
        }

        if (redirectInput)
        {
            Enlarge(process.StandardInput.BaseStream);
        }

        if (redirectOutput)
        {
            Enlarge(process.StandardOutput.BaseStream);
        }

        return new FfmpegProcess(process);
    }

    /// <summary>
    /// Runs <paramref name="executable"/> (ffprobe) to its end: its exit code, its standard output and the last lines of
    /// its stderr; null when <paramref name="timeout"/> passed first (the process is killed). The caller's cancellation throws.
    /// </summary>
    public static async Task<(int ExitCode, string Output, string StderrTail)?> RunToEndAsync(
        string executable, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var process = Start(executable, arguments, FfmpegPipes.StandardOutput);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            using var reader = new StreamReader(process.StandardOutput);
            var output = await reader.ReadToEndAsync(limit.Token).ConfigureAwait(false);
            var exitCode = await process.WaitAsync(limit.Token).ConfigureAwait(false);
            return (exitCode, output, process.StderrTail);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            cancellationToken.ThrowIfCancellationRequested();
            return null;
        }
    }

    /// <summary>Waits for the exit; the caller's token (time limit, cancellation) aborts the wait.</summary>
    public async Task<int> WaitAsync(CancellationToken cancellationToken)
    {
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await StderrDone.WaitAsync(cancellationToken).ConfigureAwait(false);
        return process.ExitCode;
    }

    /// <summary>Kills the process and its children when still running, and waits (briefly) until they are gone.</summary>
    public void Kill()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.WaitForExit(5000);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        Kill();
        process.Dispose();
    }

    /// <summary>
    /// Raw frames are megabytes each: a larger pipe moves one in a few wake-ups instead of dozens. Best effort (Linux
    /// only; a refused size keeps the default).
    /// </summary>
    private static void Enlarge(Stream stream)
    {
        if (OperatingSystem.IsLinux() && stream is PipeStream { SafePipeHandle: { IsInvalid: false } handle })
        {
            try
            {
                _ = SetPipeSize((int)handle.DangerousGetHandle(), FSetPipeSize, PipeBytes);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // Not a glibc system: keep the default size.
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "fcntl")]
    private static partial int SetPipeSize(int fd, int command, int size);

    private async Task PumpStderrAsync()
    {
        try
        {
            var reader = process.StandardError;
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                lock (tail)
                {
                    tail.Enqueue(line.Length > 300 ? line[..300] : line);
                    if (tail.Count > TailLines)
                    {
                        tail.Dequeue();
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The process was killed and its pipe closed.
        }
    }
}
