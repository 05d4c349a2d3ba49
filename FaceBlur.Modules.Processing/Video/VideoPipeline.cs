using System.Diagnostics;
using System.Threading.Channels;
using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Modules.Processing.Media;
using FaceBlur.Modules.Processing.Regions;
using Microsoft.Extensions.Logging;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>
/// One video through three stages that run at the same time, joined by small bounded channels:
/// <see cref="DecodeStage"/> (ffmpeg decodes to raw frames) -> <see cref="DetectTrackStage"/> (detect, track, look
/// ahead) -> <see cref="EncodeStage"/> (hide, ffmpeg encodes). Memory is a fixed pool of frames whatever the video's
/// length. The run has a time limit; on failure, timeout or cancellation every stage stops and both ffmpeg processes are
/// killed with their children, and <see cref="PipelineVerdict"/> turns the way it ended into the user's error.
/// </summary>
internal sealed partial class VideoPipeline(IFaceDetector detector, VideoOptions options, int threadNice, ILogger logger)
{
    /// <summary>
    /// Frames of the pool beyond the look-ahead and the detections in flight: enough for both channels to be full and
    /// each end stage to hold one (large frames: two fewer, see <see cref="FrameGeometry.IsLarge"/>).
    /// </summary>
    private const int SpareFrames = 6;

    public async Task<MediaResult<VideoResult>> RunAsync(
        VideoSource source, string input, string output, AnonymizeOptions anonymize, VideoRegionRequest regions, Action<VideoProgress>? progress, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var info = source.Info;
        if (FrameGeometry.For(info, options) is not { } geometry)
        {
            return MediaResult<VideoResult>.Fail(MediaErrorKind.CorruptMedia, "The video's picture is too small.");
        }

        // The frames to be shown: those the container declares less those an edit list hides (a truncated file lists
        // fewer packets than it declares, so the declared count stays the measure).
        var times = source.Times;
        long? shown = info.FrameCount is { } declared ? declared - times.Discarded : times.Count > 0 ? times.Count : null;
        var expected = shown ?? info.ExpectedFrames;
        using var timeLimit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var limits = new DecodeLimits(options, times, info.DurationSeconds, timeLimit);
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(timeLimit.Token);

        using var frameDetector = new FrameDetector(detector, geometry);
        using var threads = new WorkerThreads(options.DetectionParallelism, threadNice, "faceblur-video");
        using var decoder = await threads.RunAsync(() => FfmpegProcess.Start(
            options.FfmpegPath, FfmpegArguments.Decoder(input, source.Demuxer, info, geometry), FfmpegPipes.StandardOutput)).ConfigureAwait(false);
        using var encoder = await threads.RunAsync(() => FfmpegProcess.Start(
            options.FfmpegPath, FfmpegArguments.Encoder(input, source.Demuxer, output, source, geometry, options), FfmpegPipes.StandardInput)).ConfigureAwait(false);
        using var killOnAbort = abort.Token.Register(() =>
        {
            decoder.Kill();
            encoder.Kill();
        });
        using var pool = new FramePool(geometry.Width, geometry.Height, options.LookAheadFrames + options.DetectionParallelism + SpareFrames - (geometry.IsLarge ? 2 : 0));
        var decoded = Channel.CreateBounded<VideoFrame>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        var ready = Channel.CreateBounded<VideoFrame>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        var tracker = new FaceTracker(HoldFrames(info), geometry.Width, geometry.Height);
        var reporter = new ProgressReporter(progress, expected);
        var decode = new DecodeStage(decoder, pool, decoded.Writer, limits);
        var detect = new DetectTrackStage(decoded.Reader, ready.Writer, threads, frameDetector, tracker, options, reporter, regions.Detect);
        var encode = new EncodeStage(encoder, pool, ready.Reader, geometry, times, anonymize, regions.Plan, reporter);

        var end = await RunStagesAsync([decode.RunAsync, detect.RunAsync, encode.RunAsync], decoder, encoder, abort).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        var verdict = PipelineVerdict.For(
            end with { DecodedFrames = decode.Frames, TimedOut = timeLimit.IsCancellationRequested, TooLong = limits.TooLong },
            shown,
            expected,
            limits.Limit,
            VideoProbe.Reason(decoder.StderrTail),
            limits.MaxSeconds);
        if (verdict.Error is not null)
        {
            LogFailure(logger, verdict.LogStage, verdict.LogDetail, decoder.StderrTail, encoder.StderrTail);
            return MediaResult<VideoResult>.Fail(verdict.Error);
        }

        reporter.Completed();
        var faces = tracker.ConfirmedTracks > 0 ? tracker.ConfirmedTracks : tracker.TracksStarted;
        var frames = encode.Frames;
        LogDone(logger, frames, geometry.Width, geometry.Height, faces, Stopwatch.GetElapsedTime(started).TotalSeconds);
        var seconds = (times.MicrosecondsOf(frames - 1) + times.LastFrameMicroseconds) / 1e6;
        return MediaResult<VideoResult>.Ok(new VideoResult(faces, frames, seconds, info.HasAudio)
        {
            Width = geometry.Width,
            Height = geometry.Height,
            FrameRate = info.FrameRate,
            Tracks = encode.Hidden.Tracks(),
            Given = encode.Given.Tracks(regions.Plan.Tracks),
        });
    }

    /// <summary>
    /// Runs the stages to their end and waits for both processes to exit. The first stage to fail cancels
    /// <paramref name="abort"/> (which kills the processes), so that the others stop instead of waiting on a channel.
    /// </summary>
    private static async Task<PipelineEnd> RunStagesAsync(
        Func<CancellationToken, Task>[] stages, FfmpegProcess decoder, FfmpegProcess encoder, CancellationTokenSource abort)
    {
        var token = abort.Token;
        var running = stages.Select(stage => GuardAsync(() => stage(token))).ToArray();
        try
        {
            await Task.WhenAll(running).ConfigureAwait(false);
            var encoderExit = await encoder.WaitAsync(token).ConfigureAwait(false);
            var decoderExit = await decoder.WaitAsync(token).ConfigureAwait(false);
            return new PipelineEnd(null, decoderExit, encoderExit, 0, false);
        }
        catch (Exception e)
        {
            await abort.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(running.Select(s => s.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default)))
                .ConfigureAwait(false);
            return new PipelineEnd(e, -1, -1, 0, false);
        }

        async Task GuardAsync(Func<Task> stage)
        {
            try
            {
                await Task.Run(stage, CancellationToken.None).ConfigureAwait(false);
            }
            catch
            {
                await abort.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>How many frames a face the detector stops seeing stays hidden: the hold, plus the frames not detected.</summary>
    private int HoldFrames(VideoInfo info) => (int)Math.Ceiling(options.HoldSeconds * info.FrameRate) + options.DetectionInterval - 1;

    [LoggerMessage(Level = LogLevel.Information, Message = "Video anonymized: {Frames} frames {Width}x{Height}, {Faces} faces, {Seconds:0.0} s")]
    private static partial void LogDone(ILogger logger, long frames, int width, int height, int faces, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Video failed ({Stage} {Detail}); decoder: {DecoderTail}; encoder: {EncoderTail}")]
    private static partial void LogFailure(ILogger logger, string stage, string detail, string decoderTail, string encoderTail);
}
