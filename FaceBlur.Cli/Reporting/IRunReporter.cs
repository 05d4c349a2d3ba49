using FaceBlur.Cli.Inputs;
using FaceBlur.Cli.Run;

namespace FaceBlur.Cli.Reporting;

/// <summary>What the user sees of a run: a live display on a terminal, plain lines otherwise (<see cref="RunReporters"/>).</summary>
internal interface IRunReporter
{
    /// <summary>Runs <paramref name="run"/> while the display of the <paramref name="media"/> being processed is shown.</summary>
    Task<T> ShowAsync<T>(IReadOnlyList<PlannedInput> media, Func<Task<T>> run);

    /// <summary>An input's work starts; the display follows it through the returned progress.</summary>
    IInputProgress Begin(PlannedInput input);

    /// <summary>An input ended (done, failed, or skipped).</summary>
    void Finished(InputOutcome outcome);

    /// <summary>Ctrl+C stopped an input before it ended (its partial copy is deleted).</summary>
    void Stopped(PlannedInput input);

    /// <summary>The summary of the whole run, after the display ended.</summary>
    void Summary(RunSummary summary);
}
