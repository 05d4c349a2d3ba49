using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace FaceBlur.Tests.Support;

/// <summary>How a run of the command line ended: its exit code and what it wrote on each stream.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit code {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

/// <summary>
/// The built command line as a real process (<c>dotnet faceblur.dll</c>, from this test's output), in a working
/// directory of the test's, with the detector weights of the test run and the caller's settings; standard output is
/// not a terminal, so it reports in plain lines. A setting whose value is null is removed from the environment.
/// </summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly StringBuilder error = new();

    private readonly bool wrapped;

    private CliProcess(Process process, bool wrapped)
    {
        this.process = process;
        this.wrapped = wrapped;
    }

    /// <summary>The command line's process id (under a wrapper: the wrapper's child, once started).</summary>
    public int Id => wrapped ? DotnetChild.ChildOf(process.Id) ?? process.Id : process.Id;

    public static async Task<CliRun> RunAsync(string workingDirectory, IReadOnlyList<string> args, IReadOnlyDictionary<string, string?>? settings = null, TimeSpan? timeout = null)
    {
        using var cli = Start(workingDirectory, args, settings);
        return await cli.WaitAsync(timeout ?? TimeSpan.FromSeconds(120));
    }

    /// <summary>Starts the command line (optionally under <paramref name="wrapper"/>, e.g. strace, whose own arguments come first).</summary>
    public static CliProcess Start(
        string workingDirectory, IReadOnlyList<string> args, IReadOnlyDictionary<string, string?>? settings = null, IReadOnlyList<string>? wrapper = null)
    {
        var defaults = new Dictionary<string, string?>
        {
            ["DETECTOR_MODEL_PATH"] = TestPaths.DetectorModel,
            ["DETECTOR_MODEL_N_PATH"] = TestPaths.DetectorModelN,
            ["VIDEO_DETECTOR_MODEL_PATH"] = TestPaths.VideoDetectorModel,
        };
        var start = DotnetChild.StartInfo("faceblur.dll", args, workingDirectory, defaults, settings, wrapper);
        var process = Process.Start(start) ?? throw new InvalidOperationException("faceblur did not start.");
        var cli = new CliProcess(process, wrapper is { Count: > 0 });
        process.OutputDataReceived += (_, e) => Append(cli.output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(cli.error, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>What it wrote on standard output so far.</summary>
    public string OutputSoFar
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Sends a signal (<c>INT</c> is what Ctrl+C sends) to <paramref name="pid"/> (default: the process started).</summary>
    public async Task SignalAsync(string signal, int? pid = null)
    {
        using var kill = Process.Start("kill", ["-" + signal, (pid ?? Id).ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    public async Task<CliRun> WaitAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"faceblur did not end within {timeout}.\n{OutputSoFar}");
        }

        process.WaitForExit();
        lock (output)
        {
            lock (error)
            {
                return new CliRun(process.ExitCode, output.ToString(), error.ToString());
            }
        }
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }

        process.Dispose();
    }

    private static void Append(StringBuilder text, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (text)
        {
            text.AppendLine(line);
        }
    }
}
