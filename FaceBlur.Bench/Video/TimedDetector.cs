using System.Diagnostics;
using FaceBlur.Modules.Processing.Detection;
using OpenCvSharp;

namespace FaceBlur.Bench.Video;

/// <summary>The bench's view of a detector: the time its calls take, summed over the threads that call it.</summary>
internal sealed class TimedDetector(IFaceDetector inner) : IFaceDetector
{
    private long ticks;

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref ticks));

    public IReadOnlyList<FaceBox> Detect(Mat bgrImage, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return inner.Detect(bgrImage, cancellationToken);
        }
        finally
        {
            Interlocked.Add(ref ticks, Stopwatch.GetTimestamp() - started);
        }
    }
}
