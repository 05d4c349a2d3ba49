using System.Diagnostics;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>
/// Limits on what is actually decoded, whatever the file's headers declare: a frame shown after MAX_VIDEO_SECONDS
/// stops the run (the video is too long: a 400 s video may declare 5 s in its MP4 or Matroska header), and the run's
/// time limit follows the seconds decoded so far. It starts from the longer of the declared duration and the listed
/// frames' span (at most MAX_VIDEO_SECONDS) and grows with every decoded second beyond that.
/// </summary>
internal sealed class DecodeLimits
{
    private readonly VideoOptions options;
    private readonly FrameTimes times;
    private readonly CancellationTokenSource timeLimit;
    private readonly long started = Stopwatch.GetTimestamp();
    private double limitSeconds;

    /// <summary>Sets <paramref name="timeLimit"/> to cancel after the first limit.</summary>
    public DecodeLimits(VideoOptions options, FrameTimes times, double declaredSeconds, CancellationTokenSource timeLimit)
    {
        this.options = options;
        this.times = times;
        this.timeLimit = timeLimit;
        limitSeconds = Math.Min(options.MaxVideoSeconds, Math.Max(declaredSeconds, times.ListedSeconds));
        Limit = options.TimeLimit(limitSeconds);
        timeLimit.CancelAfter(Limit);
    }

    /// <summary>The time limit the run has now.</summary>
    public TimeSpan Limit { get; private set; }

    /// <summary>A decoded frame was shown after MAX_VIDEO_SECONDS.</summary>
    public bool TooLong { get; private set; }

    public double MaxSeconds => options.MaxVideoSeconds;

    /// <summary>
    /// Frame <paramref name="index"/> was decoded (frames come in order): throws when it is shown after MAX_VIDEO_SECONDS,
    /// else extends the time limit once a whole second more than it allows for has been decoded.
    /// </summary>
    public void Decoded(long index)
    {
        var seconds = times.MicrosecondsOf(index) / 1e6;
        if (seconds > options.MaxVideoSeconds)
        {
            TooLong = true;
            throw new InvalidDataException("The video plays longer than MAX_VIDEO_SECONDS.");
        }

        if (seconds >= limitSeconds + 1)
        {
            limitSeconds = Math.Min(options.MaxVideoSeconds, Math.Floor(seconds));
            Limit = options.TimeLimit(limitSeconds);
            var left = Limit - Stopwatch.GetElapsedTime(started);
            timeLimit.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }
    }
}
