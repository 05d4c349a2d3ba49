using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>
/// When each frame of the video stream is shown, read from the stream's packets by the probe (demuxing only, no
/// decoding), so that the output keeps the input's timing frame for frame: a phone's variable frame rate stays in step
/// with its sound. Kept as the input's ticks (what travels with the job, see <see cref="FrameTimesJsonConverter"/>) and
/// as microseconds from the first frame (what the encoder's stream and the regions use).
/// </summary>
[JsonConverter(typeof(FrameTimesJsonConverter))]
public sealed class FrameTimes
{
    private readonly long[] microseconds;
    private readonly double step;

    private FrameTimes(long[] ticks, long numerator, long denominator, long lastDurationTicks, int discarded, double evenFramesPerSecond)
    {
        Ticks = ticks;
        TimeBase = (numerator, denominator);
        LastDurationTicks = lastDurationTicks;
        Discarded = discarded;
        EvenFramesPerSecond = evenFramesPerSecond;
        if (ticks.Length == 0)
        {
            microseconds = [];
            step = 1e6 / evenFramesPerSecond;
            LastFrameMicroseconds = step;
            return;
        }

        microseconds = new long[ticks.Length];
        for (var i = 0; i < ticks.Length; i++)
        {
            // Two packets with one time (a damaged stream) still get distinct times.
            microseconds[i] = (long)Math.Round(ticks[i] * 1e6 * numerator / denominator);
            if (i > 0 && microseconds[i] <= microseconds[i - 1])
            {
                microseconds[i] = microseconds[i - 1] + 1;
            }
        }

        step = microseconds[^1] / (double)(microseconds.Length - 1);
        LastFrameMicroseconds = lastDurationTicks > 0 ? lastDurationTicks * 1e6 * numerator / denominator : step;

        // The output track counts in the input's ticks (1/den of a second: every input time num/den is a whole number of them).
        TimeScale = denominator;
    }

    /// <summary>Ticks per second of the input stream's clock, for the output track (0 when unknown).</summary>
    public long TimeScale { get; }

    /// <summary>Frames whose time was read from the input.</summary>
    public int Count => microseconds.Length;

    /// <summary>Packets the demuxer marks as not shown (before an edit list's start).</summary>
    public int Discarded { get; }

    /// <summary>How long the last frame is shown, in microseconds (the input's, else the mean spacing).</summary>
    public double LastFrameMicroseconds { get; }

    /// <summary>How long the listed frames play, in seconds: the demuxed duration of the stream (0 when none were listed).</summary>
    public double ListedSeconds => microseconds.Length == 0 ? 0 : (microseconds[^1] + LastFrameMicroseconds) / 1e6;

    /// <summary>The read times in the input's ticks, from the first frame, in display order (empty when spaced evenly).</summary>
    internal long[] Ticks { get; }

    /// <summary>The input stream's time base: seconds per tick as a fraction.</summary>
    internal (long Numerator, long Denominator) TimeBase { get; }

    internal long LastDurationTicks { get; }

    /// <summary>The rate of evenly spaced frames (used only when no times were read).</summary>
    internal double EvenFramesPerSecond { get; }

    /// <summary>Frames evenly spaced at <paramref name="framesPerSecond"/> (the input's times could not be read).</summary>
    public static FrameTimes Even(double framesPerSecond) => new([], 0, 0, 0, 0, framesPerSecond);

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
    /// The times of stream <paramref name="streamIndex"/> from ffprobe's JSON (<c>packets</c> with stream_index, pts,
    /// duration and flags; <c>streams</c> with time_base): packets the demuxer marks as discarded (before an edit list's
    /// start) show no frame, and packets arrive in decoding order, so the times are sorted into display order. Evenly
    /// spaced at <paramref name="framesPerSecond"/> without two readable times.
    /// </summary>
    internal static FrameTimes Read(JsonElement probe, int streamIndex, double framesPerSecond)
    {
        long numerator = 0, denominator = 0, lastDuration = 0, latest = long.MinValue;
        foreach (var stream in Array(probe, "streams"))
        {
            if (Integer(stream, "index") == streamIndex && Text(stream, "time_base")?.Split('/') is [var n, var d])
            {
                _ = long.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out numerator);
                _ = long.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out denominator);
            }
        }

        var ticks = new List<long>();
        var discarded = 0;
        foreach (var packet in Array(probe, "packets"))
        {
            if (Integer(packet, "stream_index") != streamIndex)
            {
                continue;
            }

            if ((Text(packet, "flags") ?? "").Contains('D', StringComparison.Ordinal))
            {
                discarded++;
            }
            else if (Integer(packet, "pts") is { } pts)
            {
                if (pts > latest)
                {
                    latest = pts;
                    lastDuration = Integer(packet, "duration") is long duration and > 0 ? duration : 0;
                }

                ticks.Add(pts);
            }
        }

        if (ticks.Count < 2)
        {
            return Even(framesPerSecond);
        }

        ticks.Sort();
        var first = ticks[0];
        return FromTicks([.. ticks.Select(t => t - first)], numerator, denominator, lastDuration, discarded, framesPerSecond);
    }

    /// <summary>
    /// Times from ticks counted from the first frame, sorted; evenly spaced at <paramref name="framesPerSecond"/> when
    /// the time base is unusable.
    /// </summary>
    internal static FrameTimes FromTicks(long[] ticks, long numerator, long denominator, long lastDurationTicks, int discarded, double framesPerSecond) =>
        ticks.Length < 2 || numerator <= 0 || denominator <= 0 || denominator > int.MaxValue
            ? Even(framesPerSecond)
            : new FrameTimes(ticks, numerator, denominator, lastDurationTicks, discarded, 0);

    private static List<JsonElement> Array(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array
            ? [.. array.EnumerateArray()]
            : [];

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Integer(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;
}
