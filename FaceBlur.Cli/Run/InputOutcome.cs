using FaceBlur.Cli.Inputs;
using FaceBlur.Modules.Processing.Regions;

namespace FaceBlur.Cli.Run;

/// <summary>How one input ended.</summary>
internal enum OutcomeStatus
{
    Done,
    Failed,

    /// <summary>Found in a folder and not media: reported, not counted as a failure.</summary>
    Skipped,
}

/// <summary>What became of one input: its copy written (faces hidden, regions), or why not.</summary>
internal sealed record InputOutcome(PlannedInput Input, OutcomeStatus Status, string? Reason, TimeSpan Elapsed)
{
    /// <summary>Faces hidden: the regions hidden in a photo, the tracks in a video.</summary>
    public int Faces { get; init; }

    /// <summary>The regions the copy ends with (the SPEC's schema, for <c>--regions-out</c>).</summary>
    public RegionsDocument? Regions { get; init; }

    public static InputOutcome Done(PlannedInput input, int faces, RegionsDocument regions, TimeSpan elapsed) =>
        new(input, OutcomeStatus.Done, null, elapsed) { Faces = faces, Regions = regions };

    public static InputOutcome Failed(PlannedInput input, string reason, TimeSpan elapsed) => new(input, OutcomeStatus.Failed, reason, elapsed);

    public static InputOutcome Skipped(PlannedInput input) => new(input, OutcomeStatus.Skipped, input.Problem, TimeSpan.Zero);
}
