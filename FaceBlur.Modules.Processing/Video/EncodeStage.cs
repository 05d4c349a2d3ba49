using System.Threading.Channels;
using FaceBlur.Modules.Processing.Anonymization;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>
/// Stage 3 of the pipeline: faces hidden in each frame's planes, the frame written with its time to the encoding
/// ffmpeg's stdin (a Matroska stream, see <see cref="RawVideoMatroska"/>), the hidden boxes recorded per track, the frame
/// returned to the pool; progress counted per frame.
/// </summary>
internal sealed class EncodeStage(
    FfmpegProcess encoder,
    FramePool pool,
    ChannelReader<VideoFrame> input,
    FrameGeometry geometry,
    FrameTimes times,
    AnonymizeOptions anonymize,
    ProgressReporter progress)
{
    private long frames;

    /// <summary>Frames written to the encoder so far.</summary>
    public long Frames => Interlocked.Read(ref frames);

    public HiddenTrackRecorder Hidden { get; } = new();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var stream = encoder.StandardInput;
        var container = new RawVideoMatroska(stream, geometry.Width, geometry.Height, geometry.PixelAspect);
        await container.WriteHeaderAsync(times.LastFrameMicroseconds, cancellationToken).ConfigureAwait(false);
        await foreach (var frame in input.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (frame.Regions.Count > 0)
            {
                frame.Anonymize(frame.Regions.Select(r => r.Box), anonymize);
            }

            var microseconds = times.MicrosecondsOf(frame.Index);
            Hidden.Record(frame.Index, microseconds / 1e6, frame.Regions);
            await container.WriteFrameAsync(frame.Buffer.AsMemory(0, frame.Size), microseconds, cancellationToken).ConfigureAwait(false);
            pool.Return(frame);
            progress.Written(Interlocked.Increment(ref frames));
        }

        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        stream.Close();
    }
}
