namespace FaceBlur.Modules.Processing.Video;

/// <summary>What the pipeline is doing.</summary>
public enum VideoStage
{
    /// <summary>Frames are being decoded and searched for faces (and, as they come, hidden and encoded).</summary>
    Detecting,

    /// <summary>Every frame has been searched; the last frames are hidden and the encoder finishes the file.</summary>
    Encoding,
}

/// <summary>Progress of one video: its stage and the share of its frames written to the encoder (0..1, 3 decimals).</summary>
public readonly record struct VideoProgress(VideoStage Stage, double Fraction);

/// <summary>
/// Turns the pipeline's counts into <see cref="VideoProgress"/> reports: the share of the expected frames written to the
/// encoder, rounded to 3 decimals and at most 0.99 until the file is complete (then exactly 1), never going back; a
/// report only when the stage or the rounded share changes. Thread-safe.
/// </summary>
internal sealed class ProgressReporter(Action<VideoProgress>? report, long expectedFrames)
{
    private readonly Lock gate = new();
    private VideoProgress last = new(VideoStage.Detecting, -1);
    private VideoStage stage = VideoStage.Detecting;

    /// <summary>Every frame has been searched for faces: from now on the stage is <see cref="VideoStage.Encoding"/>.</summary>
    public void DetectionDone()
    {
        lock (gate)
        {
            stage = VideoStage.Encoding;
        }
    }

    /// <summary><paramref name="written"/> frames have been written to the encoder.</summary>
    public void Written(long written) => Report(Math.Min(0.99, written / (double)Math.Max(expectedFrames, written + 1)));

    /// <summary>The file is complete.</summary>
    public void Completed()
    {
        lock (gate)
        {
            stage = VideoStage.Encoding;
        }

        Report(1);
    }

    private void Report(double fraction)
    {
        if (report is null)
        {
            return;
        }

        VideoProgress next;
        lock (gate)
        {
            next = new VideoProgress(stage, Math.Max(last.Fraction, Math.Round(fraction, 3)));
            if (next == last)
            {
                return;
            }

            last = next;
        }

        report(next);
    }
}
