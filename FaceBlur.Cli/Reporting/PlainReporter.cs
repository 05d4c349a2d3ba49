using FaceBlur.Cli.Inputs;
using FaceBlur.Cli.Run;

namespace FaceBlur.Cli.Reporting;

/// <summary>
/// The report when the output is not a terminal (a pipe, a log file, CI): one line per input as it ends, then the
/// summary; no live display, no colours, nothing rewritten in place.
/// </summary>
internal sealed class PlainReporter(TextWriter output) : IRunReporter
{
    private readonly Lock writing = new();
    private int mediaCount;
    private int ended;

    public async Task<T> ShowAsync<T>(IReadOnlyList<PlannedInput> media, Func<Task<T>> run)
    {
        ArgumentNullException.ThrowIfNull(media);
        ArgumentNullException.ThrowIfNull(run);
        mediaCount = media.Count;
        return await run();
    }

    /// <summary>Plain lines report ends only: a progress figure every few frames would flood a log.</summary>
    public IInputProgress Begin(PlannedInput input) => NoProgress.Instance;

    public void Finished(InputOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        lock (writing)
        {
            var position = outcome.Input.IsMedia ? $"[{++ended}/{mediaCount}] " : "";
            output.WriteLine($"{RunSummary.Word(outcome.Status)} {position}{RunSummary.Line(outcome)}");
        }
    }

    public void Stopped(PlannedInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Write($"stopped {input.DisplayPath}: interrupted, no copy written");
    }

    public void Summary(RunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (summary.Failures.Count > 0)
        {
            Write("Failed:");
            foreach (var failure in summary.Failures)
            {
                Write("  " + RunSummary.Line(failure));
            }
        }

        Write((summary.Interrupted ? "Interrupted: " : "") + summary.Headline());
    }

    private void Write(string line)
    {
        lock (writing)
        {
            output.WriteLine(line);
        }
    }

    private sealed class NoProgress : IInputProgress
    {
        public static readonly NoProgress Instance = new();

        public void Started(long? frames)
        {
        }

        public void Report(double fraction)
        {
        }
    }
}
