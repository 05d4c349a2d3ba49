using System.Threading.Channels;
using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Regions;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>
/// Stage 3 of the pipeline: faces hidden in each frame's planes, the frame written with its time to the encoding
/// ffmpeg's stdin (a Matroska stream, see <see cref="RawVideoMatroska"/>), the hidden boxes recorded per track, the frame
/// returned to the pool; progress reported per frame. Given regions apply here, where each frame's boxes are final: a
/// tracked face over a kept track's box in that frame (IoU >= 0.5) stays visible, given hidden boxes are hidden too.
/// Boxes are hidden in one order (tracks by id, then given tracks in document order), so the same boxes sent back as
/// regions hide exactly the same pixels.
/// </summary>
internal sealed class EncodeStage(
    FfmpegProcess encoder,
    FramePool pool,
    ChannelReader<VideoFrame> input,
    FrameGeometry geometry,
    FrameTimes times,
    AnonymizeOptions anonymize,
    VideoRegionPlan given,
    long expectedFrames,
    Action<double>? progress)
{
    private long frames;

    /// <summary>Frames written to the encoder so far.</summary>
    public long Frames => Interlocked.Read(ref frames);

    public HiddenTrackRecorder Hidden { get; } = new();

    public GivenTrackRecorder Given { get; } = new();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var stream = encoder.StandardInput;
        var container = new RawVideoMatroska(stream, geometry.Width, geometry.Height, geometry.PixelAspect);
        await container.WriteHeaderAsync(times.LastFrameMicroseconds, cancellationToken).ConfigureAwait(false);
        await foreach (var frame in input.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            var microseconds = times.MicrosecondsOf(frame.Index);
            var kept = given.KeptOn(frame.Index);
            var tracked = frame.Regions.Where(r => !RegionPlan.IsKept(r.Box, kept)).OrderBy(r => r.TrackId).ToList();
            var added = given.HiddenOn(frame.Index);
            if (tracked.Count + added.Count > 0)
            {
                frame.Anonymize(tracked.Select(r => r.Box).Concat(added.Select(g => g.Box)), anonymize);
            }

            Hidden.Record(frame.Index, microseconds / 1e6, tracked);
            Given.Record(frame.Index, microseconds / 1e6, given);
            await container.WriteFrameAsync(frame.Buffer.AsMemory(0, frame.Size), microseconds, cancellationToken).ConfigureAwait(false);
            pool.Return(frame);
            var written = Interlocked.Increment(ref frames);
            progress?.Invoke(Math.Min(0.99, written / (double)Math.Max(expectedFrames, written + 1)));
        }

        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        stream.Close();
    }
}
