using System.Globalization;
using FaceBlur.Cli.Inputs;
using FaceBlur.Cli.Run;

namespace FaceBlur.Cli.Reporting;

/// <summary>The totals of a run, and the words that report an input and the run.</summary>
internal sealed record RunSummary(int Photos, int Videos, int Failed, int Skipped, int NotProcessed, int Faces, TimeSpan Elapsed, bool Interrupted)
{
    public IReadOnlyList<InputOutcome> Failures { get; init; } = [];

    public static RunSummary Of(BatchResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var done = result.Outcomes.Where(o => o.Status == OutcomeStatus.Done).ToList();
        var failures = result.Outcomes.Where(o => o.Status == OutcomeStatus.Failed).OrderBy(o => o.Input.DisplayPath, StringComparer.Ordinal).ToList();
        return new RunSummary(
            done.Count(o => o.Input.Kind == MediaKind.Photo),
            done.Count(o => o.Input.Kind == MediaKind.Video),
            failures.Count,
            result.Outcomes.Count(o => o.Status == OutcomeStatus.Skipped),
            result.NotProcessed,
            done.Sum(o => o.Faces),
            result.Elapsed,
            result.Interrupted)
        {
            Failures = failures,
        };
    }

    /// <summary>"12 photos and 1 video anonymized, 31 faces hidden, 1 failed, 2 skipped, in 14.2 s."</summary>
    public string Headline()
    {
        var parts = new List<string> { $"{Count(Photos, "photo")} and {Count(Videos, "video")} anonymized", $"{Count(Faces, "face")} hidden" };
        if (Failed > 0)
        {
            parts.Add($"{Failed} failed");
        }

        if (Skipped > 0)
        {
            parts.Add($"{Skipped} skipped (not media)");
        }

        if (NotProcessed > 0)
        {
            parts.Add($"{NotProcessed} not processed");
        }

        return string.Join(", ", parts) + string.Create(CultureInfo.InvariantCulture, $", in {Elapsed.TotalSeconds:0.0} s.");
    }

    /// <summary>The report line of one input (without its status word).</summary>
    public static string Line(InputOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return outcome.Status switch
        {
            OutcomeStatus.Done => string.Create(
                CultureInfo.InvariantCulture,
                $"{outcome.Input.DisplayPath} -> {Shown(outcome.Input.OutputPath!)} ({Count(outcome.Faces, "face")}, {outcome.Elapsed.TotalSeconds:0.0} s)"),
            _ => $"{outcome.Input.DisplayPath}: {outcome.Reason}",
        };
    }

    /// <summary>The status word of an outcome, padded so that the lines align.</summary>
    public static string Word(OutcomeStatus status) => status switch
    {
        OutcomeStatus.Done => "done   ",
        OutcomeStatus.Failed => "failed ",
        _ => "skipped",
    };

    /// <summary>A path relative to the working directory when it lies under it, else absolute.</summary>
    public static string Shown(string path)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }

    private static string Count(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";
}
