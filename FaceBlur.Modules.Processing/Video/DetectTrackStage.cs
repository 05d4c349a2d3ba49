using System.Threading.Channels;
using FaceBlur.Modules.Processing.Detection;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>
/// Stage 2 of the pipeline: faces found in several frames at once (on the run's own threads, results taken in frame
/// order), followed over time by the tracker (hold), and added to the frames held back for the look-ahead when a new
/// face appears, before each frame goes on to the encode stage. Without a detector (regions given, detect=false)
/// frames only pass through.
/// </summary>
internal sealed class DetectTrackStage(
    ChannelReader<VideoFrame> input,
    ChannelWriter<VideoFrame> output,
    FrameThreads threads,
    FrameDetector? detector,
    FaceTracker tracker,
    VideoOptions options)
{
    /// <summary>How much a look-ahead box grows per frame between the frame it is copied to and the detection.</summary>
    private const float LookAheadGrowthPerFrame = 0.08f;

    private readonly Queue<(VideoFrame Frame, Task<IReadOnlyList<FaceBox>>? Detection)> inFlight = new();
    private readonly Queue<VideoFrame> heldBack = new();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var frame in input.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var detection = detector is not null && frame.Index % options.DetectionInterval == 0
                    ? threads.RunAsync(() =>
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        return detector.Detect(frame);
                    })
                    : null;
                inFlight.Enqueue((frame, detection));
                while (inFlight.Count > options.DetectionParallelism)
                {
                    await TrackAsync(inFlight.Dequeue(), cancellationToken).ConfigureAwait(false);
                }
            }

            while (inFlight.Count > 0)
            {
                await TrackAsync(inFlight.Dequeue(), cancellationToken).ConfigureAwait(false);
            }

            while (heldBack.Count > 0)
            {
                await output.WriteAsync(heldBack.Dequeue(), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            output.TryComplete();

            // Detections still running use their frames: wait for them before the pool can be disposed.
            foreach (var (_, detection) in inFlight)
            {
                if (detection is not null)
                {
                    await detection.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default)
                        .ConfigureAwait(false);
                }
            }
        }
    }

    private static FaceBox Grow(FaceBox box, float share) =>
        new(box.X - box.Width * share / 2, box.Y - box.Height * share / 2, box.Width * (1 + share), box.Height * (1 + share), box.Score);

    private async Task TrackAsync((VideoFrame Frame, Task<IReadOnlyList<FaceBox>>? Detection) item, CancellationToken cancellationToken)
    {
        var faces = item.Detection is null ? null : await item.Detection.ConfigureAwait(false);
        var step = tracker.Update(item.Frame.Index, faces);
        item.Frame.Regions.AddRange(step.Regions);
        foreach (var face in step.NewFaces)
        {
            // Look-ahead: the frames still held back get the new face too, grown with the distance in time.
            foreach (var earlier in heldBack)
            {
                var grow = LookAheadGrowthPerFrame * (item.Frame.Index - earlier.Index);
                earlier.Regions.Add(face with { Box = Grow(face.Box, grow) });
            }
        }

        heldBack.Enqueue(item.Frame);
        while (heldBack.Count > options.LookAheadFrames)
        {
            await output.WriteAsync(heldBack.Dequeue(), cancellationToken).ConfigureAwait(false);
        }
    }
}
