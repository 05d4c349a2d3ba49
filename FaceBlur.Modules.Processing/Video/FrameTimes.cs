using System.Globalization;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>
/// When each frame of the video stream is shown, read from the stream's packets (demuxing only, no decoding), so that
/// the output keeps the input's timing frame for frame: a phone's variable frame rate stays in step with its sound.
/// </summary>
internal sealed class FrameTimes
{
    private readonly long[] microseconds;
    private readonly double step;

    private FrameTimes(long[] microseconds, double step, double lastDuration, long timeScale, int discarded = 0)
    {
        this.microseconds = microseconds;
        Discarded = discarded;
        this.step = step;
        LastFrameMicroseconds = lastDuration;
        TimeScale = timeScale;
    }

    /// <summary>Ticks per second of the input stream's clock, for the output track (0 when unknown).</summary>
    public long TimeScale { get; }

    /// <summary>Frames whose time was read from the input.</summary>
    public int Count => microseconds.Length;

    /// <summary>Packets the demuxer marks as not shown (before an edit list's start).</summary>
    public int Discarded { get; }

    /// <summary>How long the last frame is shown, in microseconds (the input's, else the mean spacing).</summary>
    public double LastFrameMicroseconds { get; }

    /// <summary>Frames evenly spaced at <paramref name="framesPerSecond"/> (the input's times could not be read).</summary>
    public static FrameTimes Even(double framesPerSecond) => new([], 1e6 / framesPerSecond, 1e6 / framesPerSecond, 0);

    /// <summary>
    /// The time of frame <paramref name="index"/> in microseconds from the first frame; frames past the known ones (a
    /// decoder that produced more frames than packets were listed) continue at the mean spacing.
    /// </summary>
    public long MicrosecondsOf(long index)
    {
        if (index < microseconds.Length)
        {
            return microseconds[index];
        }

        var last = microseconds.Length == 0 ? -step : microseconds[^1];
        return (long)Math.Round(last + (step * (index - microseconds.Length + 1)));
    }

    /// <summary>
    /// Reads the presentation times of stream <paramref name="streamIndex"/> with ffprobe (same demuxer and protocol
    /// whitelist as the decoder). Falls back to even spacing at <paramref name="framesPerSecond"/> when they cannot be read.
    /// </summary>
    public static async Task<FrameTimes> ReadAsync(
        string ffprobePath, string path, string demuxer, int streamIndex, double framesPerSecond, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string[] args =
        [
            "-v", "error", "-hide_banner", "-protocol_whitelist", "file,pipe", "-f", demuxer,
            "-select_streams", streamIndex.ToString(CultureInfo.InvariantCulture),
            "-show_entries", "packet=pts,duration,flags:stream=time_base", "-of", "compact", "-i", "file:" + path,
        ];
        var run = await FfmpegProcess.RunToEndAsync(ffprobePath, args, timeout, cancellationToken).ConfigureAwait(false);
        return run is { ExitCode: 0 } done ? Parse(done.Output, framesPerSecond) : Even(framesPerSecond);
    }

    /// <summary>
    /// ffprobe's compact listing (<c>packet|pts=..|duration=..|flags=..</c> lines and one <c>stream|time_base=N/D</c> line) to frame
    /// times: packets the demuxer marks as discarded (before an edit list's start) show no frame, and packets arrive in
    /// decoding order, so the times are sorted into display order.
    /// </summary>
    internal static FrameTimes Parse(string listing, double framesPerSecond)
    {
        var ticks = new List<long>();
        long num = 0, den = 0, lastDuration = 0, latest = long.MinValue;
        var discarded = 0;
        foreach (var line in listing.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split('|');
            if (fields[0] == "stream")
            {
                var timeBase = Field(fields, "time_base")?.Split('/');
                if (timeBase is [var n, var d])
                {
                    _ = long.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out num);
                    _ = long.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out den);
                }
            }
            else if (fields[0] == "packet" && (Field(fields, "flags") ?? "").Contains('D', StringComparison.Ordinal))
            {
                discarded++;
            }
            else if (fields[0] == "packet"
                && long.TryParse(Field(fields, "pts"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var pts))
            {
                if (pts > latest)
                {
                    latest = pts;
                    _ = long.TryParse(Field(fields, "duration"), NumberStyles.None, CultureInfo.InvariantCulture, out lastDuration);
                }

                ticks.Add(pts);
            }
        }

        if (ticks.Count < 2 || num <= 0 || den <= 0 || den > int.MaxValue)
        {
            return Even(framesPerSecond);
        }

        ticks.Sort();
        var first = ticks[0];
        var times = new long[ticks.Count];
        for (var i = 0; i < times.Length; i++)
        {
            // Microseconds from the first frame; two packets with one time (a damaged stream) still get distinct times.
            times[i] = (long)Math.Round((ticks[i] - first) * 1e6 * num / den);
            if (i > 0 && times[i] <= times[i - 1])
            {
                times[i] = times[i - 1] + 1;
            }
        }

        // The output track counts in the input's ticks (1/den of a second: every input time num/den is a whole number of them).
        var step = times[^1] / (double)(times.Length - 1);
        return new FrameTimes(times, step, lastDuration > 0 ? lastDuration * 1e6 * num / den : step, den, discarded);
    }

    private static string? Field(string[] fields, string name)
    {
        foreach (var field in fields)
        {
            if (field.Length > name.Length && field[name.Length] == '=' && field.StartsWith(name, StringComparison.Ordinal))
            {
                return field[(name.Length + 1)..];
            }
        }

        return null;
    }
}
