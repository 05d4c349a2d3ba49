using System.Threading.Channels;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>
/// Stage 1 of the pipeline: raw I420 frames from the decoding ffmpeg's stdout into frames rented from the pool, in
/// order, to the detect stage. Waits for a free frame when the pool is used up (the pool bounds the memory). Each
/// decoded frame goes past <see cref="DecodeLimits"/> (too long: the stage throws).
/// </summary>
internal sealed class DecodeStage(FfmpegProcess decoder, FramePool pool, ChannelWriter<VideoFrame> output, DecodeLimits limits)
{
    private long frames;

    /// <summary>Frames read whole from the decoder so far.</summary>
    public long Frames => Interlocked.Read(ref frames);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var stream = decoder.StandardOutput;
        try
        {
            while (true)
            {
                var frame = await pool.RentAsync(cancellationToken).ConfigureAwait(false);
                var read = await stream.ReadAtLeastAsync(frame.Buffer.AsMemory(0, frame.Size), frame.Size, false, cancellationToken)
                    .ConfigureAwait(false);
                if (read < frame.Size)
                {
                    pool.Return(frame);
                    break;
                }

                limits.Decoded(frames);
                frame.Reset(frames);
                Interlocked.Increment(ref frames);
                await output.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            output.TryComplete();
        }
    }
}
