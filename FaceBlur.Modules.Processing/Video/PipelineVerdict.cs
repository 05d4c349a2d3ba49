using System.Globalization;
using FaceBlur.Modules.Processing.Media;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>How a run of the stages and the two ffmpeg processes ended.</summary>
/// <param name="Failure">The first exception of a stage or of waiting for the processes, if any.</param>
/// <param name="DecoderExit">The decoding ffmpeg's exit code (-1 when not waited for).</param>
/// <param name="EncoderExit">The encoding ffmpeg's exit code (-1 when not waited for).</param>
/// <param name="DecodedFrames">Frames read whole from the decoder.</param>
/// <param name="TimedOut">The run's time limit passed.</param>
/// <param name="TooLong">A decoded frame was shown after MAX_VIDEO_SECONDS (the run was stopped there).</param>
internal readonly record struct PipelineEnd(Exception? Failure, int DecoderExit, int EncoderExit, long DecodedFrames, bool TimedOut, bool TooLong = false);

/// <summary>
/// What a pipeline run's end means for the user: success, or the error to report (no paths, no ffmpeg output), with the
/// words for the log. Whose fault is decided from the exit codes: a decoder that failed before any frame, or failed
/// while the encoder was fine, means the input; otherwise the re-encoding failed. A clean run that decoded clearly fewer
/// frames than the container shows means a truncated file.
/// </summary>
/// <param name="Error">Null when the run succeeded.</param>
/// <param name="LogStage">Where it failed, for the log.</param>
/// <param name="LogDetail">Exit codes or counts, for the log.</param>
internal sealed record PipelineVerdict(MediaError? Error, string LogStage, string LogDetail)
{
    private static readonly PipelineVerdict Success = new(null, "", "");

    /// <param name="end">How the run ended.</param>
    /// <param name="shownFrames">The frames the container shows, when known (declared less those an edit list hides).</param>
    /// <param name="expectedFrames">The frames expected otherwise (duration times rate).</param>
    /// <param name="limit">The run's time limit.</param>
    /// <param name="decoderReason">A path-free reason from the decoder's last error line.</param>
    /// <param name="maxSeconds">MAX_VIDEO_SECONDS.</param>
    public static PipelineVerdict For(PipelineEnd end, long? shownFrames, long expectedFrames, TimeSpan limit, string decoderReason, double maxSeconds)
    {
        var (failure, decoderExit, encoderExit, decoded) = (end.Failure, end.DecoderExit, end.EncoderExit, end.DecodedFrames);
        if (end.TooLong)
        {
            return new PipelineVerdict(
                new MediaError(MediaErrorKind.MediaTooLong, $"The video plays longer than the limit of {maxSeconds:0.#} s (its header declared less)."),
                "too long",
                $"{decoded} frames");
        }

        if (end.TimedOut)
        {
            return Fail("The video could not be processed within the time limit.", "time limit", limit.TotalSeconds.ToString("0", CultureInfo.InvariantCulture));
        }

        if (decoderExit != 0 && (failure is not null || decoderExit > 0) && decoded == 0)
        {
            return Fail("The video could not be decoded: " + decoderReason, "decode", decoderExit.ToString(CultureInfo.InvariantCulture));
        }

        if (failure is not null || encoderExit != 0 || decoderExit != 0)
        {
            var detail = $"decoder={decoderExit} encoder={encoderExit} {failure?.Message}";
            return decoderExit != 0 && encoderExit == 0
                ? Fail("The video could not be decoded: " + decoderReason, failure?.GetType().Name ?? "exit", detail)
                : Fail("The video could not be re-encoded.", failure?.GetType().Name ?? "exit", detail);
        }

        if (decoded == 0)
        {
            return Fail("The video has no decodable frames.", "decode", "no frames");
        }

        var truncated = shownFrames is { } count
            ? decoded < count * 0.95 - 2
            : decoded < expectedFrames * 0.8 - 2;
        return truncated
            ? Fail($"The video is truncated or damaged: {decoded} of {expectedFrames} frames could be decoded.", "truncated", $"{decoded}/{expectedFrames}")
            : Success;
    }

    private static PipelineVerdict Fail(string message, string stage, string detail) =>
        new(new MediaError(MediaErrorKind.CorruptMedia, message), stage, detail);
}
