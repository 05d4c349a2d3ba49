using System.Threading.Channels;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Jobs;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>
/// Stage 2 of the pipeline: faces found in several frames at once (on the run's own threads, results taken in frame
/// order), followed over time by the tracker (hold), and added to the frames held back for the look-ahead when a new
/// face appears, before each frame goes on to the encode stage. Shots are told apart on the way
/// (<see cref="ShotBoundaries"/>): at a cut or a blank frame every track ends, and a new face is added to the held-back
/// frames of its own shot only. A new face found near an edge is stretched to that edge in the held-back frames: it
/// came from there, and part of it showed before the detector could recognise it. With <paramref name="findFaces"/>
/// false (regions given with detect=false) no face is looked for: frames only pass through.
/// </summary>
internal sealed class DetectTrackStage(
    ChannelReader<VideoFrame> input,
    ChannelWriter<VideoFrame> output,
    WorkerThreads threads,
    FrameDetector detector,
    FaceTracker tracker,
    VideoOptions options,
    ProgressReporter progress,
    bool findFaces = true)
{
    /// <summary>How much a look-ahead box grows per frame between the frame it is copied to and the detection.</summary>
    private const float LookAheadGrowthPerFrame = 0.08f;

    private readonly Queue<(VideoFrame Frame, Task<IReadOnlyList<FaceBox>?> Detection)> inFlight = new();
    private readonly Queue<VideoFrame> heldBack = new();
    private readonly ShotBoundaries shots = new();

    /// <summary>The first frame of the current shot.</summary>
    private long shotStart;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var frame in input.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                // Every frame gets its signature; the frames to detect get the every-frame scan or, every
                // FineDetectionInterval frames, the fine scan (which finds what the other finds, and smaller faces).
                var fine = findFaces && detector.HasFineScan && frame.Index % options.FineDetectionInterval == 0;
                var detect = findFaces && (fine || frame.Index % options.DetectionInterval == 0);
                var detection = threads.RunAsync(() =>
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    return detector.Analyze(frame, detect, fine);
                });
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

            progress.DetectionDone();
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
                await detection.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default)
                    .ConfigureAwait(false);
            }
        }
    }

    /// <summary>Adds a track's box to a frame's regions, or joins it to the box the track already has there (one box per track and frame).</summary>
    private static void AddToTrack(List<TrackedBox> regions, TrackedBox box)
    {
        var index = regions.FindIndex(r => r.TrackId == box.TrackId);
        if (index < 0)
        {
            regions.Add(box);
            return;
        }

        regions[index] = box with { Box = FrameEdges.Union(regions[index].Box, box.Box) };
    }

    /// <summary>The box <paramref name="share"/> of the way from <paramref name="a"/> to <paramref name="b"/>.</summary>
    private static FaceBox Between(FaceBox a, FaceBox b, double share)
    {
        var k = (float)share;
        return new FaceBox(a.X + ((b.X - a.X) * k), a.Y + ((b.Y - a.Y) * k), a.Width + ((b.Width - a.Width) * k), a.Height + ((b.Height - a.Height) * k), b.Score);
    }

    private static FaceBox Grow(FaceBox box, float share) =>
        new(box.X - box.Width * share / 2, box.Y - box.Height * share / 2, box.Width * (1 + share), box.Height * (1 + share), box.Score);

    private async Task TrackAsync((VideoFrame Frame, Task<IReadOnlyList<FaceBox>?> Detection) item, CancellationToken cancellationToken)
    {
        var (frame, faces) = (item.Frame, await item.Detection.ConfigureAwait(false));
        if (shots.Observe(frame.Signature) != ShotChange.None)
        {
            tracker.EndAll();
            shotStart = frame.Index;
        }

        var step = tracker.Update(frame.Index, faces);
        frame.Regions.AddRange(step.Regions);
        foreach (var (face, after, from) in step.Backfills)
        {
            // Look-ahead: the frames of this shot still held back get a new face too, grown with the distance in time and
            // stretched to the edges it is near (within its size: it came from there); a face found again gets, in the
            // frames it was missed in, the way from where it was last seen to here.
            var edges = from is null ? FrameEdges.Near(face.Box, frame.Width, frame.Height, Math.Max(face.Box.Width, face.Box.Height)) : Edges.None;
            foreach (var earlier in heldBack.Where(f => f.Index >= shotStart && f.Index > after))
            {
                var box = from is { } start
                    ? Grow(Between(start, face.Box, (earlier.Index - after) / (double)(frame.Index - after)), LookAheadGrowthPerFrame * Math.Min(earlier.Index - after, frame.Index - earlier.Index))
                    : FrameEdges.StretchTo(Grow(face.Box, LookAheadGrowthPerFrame * (frame.Index - earlier.Index)), edges, frame.Width, frame.Height);
                AddToTrack(earlier.Regions, face with { Box = box });
            }
        }

        heldBack.Enqueue(frame);
        while (heldBack.Count > options.LookAheadFrames)
        {
            await output.WriteAsync(heldBack.Dequeue(), cancellationToken).ConfigureAwait(false);
        }
    }
}
