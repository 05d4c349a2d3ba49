using FaceBlur.Modules.Processing.Video;

namespace FaceBlur.Modules.Processing.Regions;

/// <summary>Finds a video's frame from a time in seconds in the output's clock (what a regions document gives).</summary>
internal sealed class FrameClock(VideoSource source)
{
    private readonly FrameTimes times = source.Times;
    private readonly long count = source.Times.Count > 0 ? source.Times.Count : source.Info.ExpectedFrames;

    /// <summary>The frame shown nearest to <paramref name="seconds"/> when it is within half a frame of it, else null.</summary>
    public long? Nearest(double seconds)
    {
        var target = (long)Math.Round(seconds * 1e6);
        long low = 0;
        var high = count - 1;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (times.MicrosecondsOf(middle) < target)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        // low is the first frame at or after the target: the nearest is it or the one before.
        var best = low > 0 && target - times.MicrosecondsOf(low - 1) < times.MicrosecondsOf(low) - target ? low - 1 : low;
        return Math.Abs(target - times.MicrosecondsOf(best)) <= (HalfFrame(best) + 1) ? best : null;
    }

    /// <summary>Half of how long frame <paramref name="index"/> is shown (the last one: the input's last duration).</summary>
    private double HalfFrame(long index) =>
        (index + 1 < count ? times.MicrosecondsOf(index + 1) - times.MicrosecondsOf(index) : times.LastFrameMicroseconds) / 2;
}
