using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Media;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>The anonymized video's facts.</summary>
/// <param name="FacesDetected">Distinct faces: tracks the detector confirmed (seen in at least two frames).</param>
/// <param name="Frames">Frames written.</param>
/// <param name="DurationSeconds">Duration of the output's video (frames at the input's frame rate).</param>
/// <param name="HasAudio">Whether the output carries audio (it does exactly when the input did).</param>
public sealed record VideoResult(int FacesDetected, long Frames, double DurationSeconds, bool HasAudio)
{
    public int Width { get; init; }

    public int Height { get; init; }

    public double FrameRate { get; init; }

    public TimeSpan Elapsed { get; init; }

    /// <summary>Time spent detecting (summed over the parallel detections), for logs and benchmarks.</summary>
    public TimeSpan DetectionTime { get; init; }

    /// <summary>Time spent hiding faces in frames.</summary>
    public TimeSpan AnonymizeTime { get; init; }
}

/// <summary>
/// sniff (container from content; playlists refused) -> probe (limits) -> decode (ffmpeg, raw I420 on a pipe, upright)
/// -> detect (downscaled copy, several frames at once) -> track (hold, look-ahead) -> anonymize -> encode (ffmpeg from a
/// pipe: H.264 yuv420p, audio copied or AAC, MP4 with faststart). Knows nothing of HTTP or queues. Memory is a fixed
/// ring of frames whatever the video's length; decoding, detection and encoding run at the same time. Every ffmpeg run
/// reads local files only (demuxer forced from the sniffed container, <c>-protocol_whitelist file,pipe</c>) under a time
/// limit, and is killed with its children on failure, timeout or cancellation; a failed run leaves no output file.
/// </summary>
public sealed partial class VideoAnonymizer
{
    /// <summary>Audio codecs an MP4 carries as they are; anything else is transcoded to AAC.</summary>
    private static readonly HashSet<string> Mp4AudioCodecs = new(StringComparer.Ordinal) { "aac", "mp3", "alac", "ac3", "eac3" };

    private readonly IFaceDetector detector;
    private readonly VideoOptions options;
    private readonly ILogger<VideoAnonymizer> logger;

    public VideoAnonymizer(IFaceDetector detector, VideoOptions options, ILogger<VideoAnonymizer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(detector);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join("; ", errors));
        }

        this.detector = detector;
        this.options = options;
        this.logger = logger ?? NullLogger<VideoAnonymizer>.Instance;
    }

    /// <summary>
    /// The detector settings for video frames: the video model (<see cref="VideoOptions.DetectorModelPath"/>, run by ONNX
    /// Runtime, one thread per inference since <see cref="VideoOptions.DetectionParallelism"/> frames are detected at
    /// once) in one pass per frame, at the detection size of <see cref="VideoOptions.DetectionMaxSide"/> (the detector
    /// neither shrinks nor enlarges the frame copy beyond it), with the image thresholds. The extra passes (mirror,
    /// second model) pay off on single small photos; a video gets its recall over time instead, from the tracker's hold
    /// and look-ahead, and needs the frame rate.
    /// </summary>
    public static DetectorOptions DetectorOptionsFor(DetectorOptions imageOptions, VideoOptions videoOptions)
    {
        ArgumentNullException.ThrowIfNull(imageOptions);
        ArgumentNullException.ThrowIfNull(videoOptions);
        var video = imageOptions.Clone();
        video.ModelPath = videoOptions.DetectorModelPath;
        video.ModelPathSetting = "VIDEO_DETECTOR_MODEL_PATH";
        video.Runtime = DetectorRuntime.OnnxRuntime;
        video.RuntimeThreads = 1;
        video.ModelNEnabled = false;
        video.MultiPassMaxMegapixels = 0;
        video.MinSide = videoOptions.DetectionMaxSide;
        video.MaxSide = videoOptions.DetectionMaxSide;
        video.MaxMegapixels = 64;
        return video;
    }

    /// <summary>
    /// Nice value of the threads that detect faces and start ffmpeg (Linux; 0 leaves them at the caller's priority). The
    /// service sets the job workers' value, so that a video being processed does not slow down request handling.
    /// </summary>
    public int ThreadNice { get; init; }

    /// <summary>Diagnostics for tests and benchmarks: called with each frame's index and the face boxes hidden in it.</summary>
    internal Action<long, IReadOnlyList<FaceBox>>? RegionsObserver { get; set; }

    /// <summary>
    /// Anonymizes <paramref name="inputPath"/> into <paramref name="outputPath"/> (MP4, overwritten). Refusals and
    /// unreadable media come back as a <see cref="MediaError"/>; cancellation throws <see cref="OperationCanceledException"/>.
    /// Either way no ffmpeg process is left running and no output file is left behind.
    /// </summary>
    public async Task<MediaResult<VideoResult>> AnonymizeAsync(
        string inputPath, string outputPath, AnonymizeOptions anonymize, Action<double>? progress, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputPath);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        ArgumentNullException.ThrowIfNull(anonymize);
        var input = Path.GetFullPath(inputPath);
        var output = Path.GetFullPath(outputPath);
        if (!File.Exists(input))
        {
            return MediaResult<VideoResult>.Fail(MediaErrorKind.CorruptMedia, "The video file is missing.");
        }

        var container = await VideoSniffer.SniffFileAsync(input, ct).ConfigureAwait(false);
        if (container is null)
        {
            return MediaResult<VideoResult>.Fail(
                MediaErrorKind.UnsupportedMediaType, "The file is not a supported video container (MP4/MOV, WebM/Matroska, AVI).");
        }

        var demuxer = VideoSniffer.DemuxerName(container.Value);
        var probe = await VideoProbe.ProbeAsync(input, new VideoLimits(options.MaxVideoSeconds), options.FfprobePath, demuxer, ct)
            .ConfigureAwait(false);
        if (!probe.IsSuccess)
        {
            return MediaResult<VideoResult>.Fail(probe.Error!);
        }

        var succeeded = false;
        try
        {
            var result = await RunAsync(input, demuxer, output, probe.Value!, anonymize, progress, ct).ConfigureAwait(false);
            succeeded = result.IsSuccess;
            return result;
        }
        finally
        {
            if (!succeeded)
            {
                DeleteQuietly(output);
            }
        }
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more to do; the job layer's storage cleanup removes it later.
        }
    }

    private static string Invariant(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    private async Task<MediaResult<VideoResult>> RunAsync(
        string input, string demuxer, string output, VideoInfo info, AnonymizeOptions anonymize, Action<double>? progress, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var width = info.DisplayWidth & ~1;
        var height = info.DisplayHeight & ~1;
        if (width < 2 || height < 2)
        {
            return MediaResult<VideoResult>.Fail(MediaErrorKind.CorruptMedia, "The video's picture is too small.");
        }

        // Every frame keeps its time: read from the input's packets (evenly spaced at the average rate if they cannot be read).
        var times = await FrameTimes.ReadAsync(options.FfprobePath, input, demuxer, info.VideoStreamIndex, info.FrameRate, VideoProbe.Timeout, ct)
            .ConfigureAwait(false);
        var limit = options.TimeLimit(info.DurationSeconds);
        using var timeLimit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeLimit.CancelAfter(limit);
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(timeLimit.Token);
        var token = abort.Token;

        // The detector sees faces in their true shape: an anamorphic frame's detection copy is stretched to square pixels.
        var (aspectWidth, aspectHeight) = info.DisplayPixelAspect;
        var (detWidth, detHeight) = DetectionSize((int)Math.Round(width * (double)aspectWidth / aspectHeight), height, options.DetectionMaxSide);
        var holdFrames = (int)Math.Ceiling(options.HoldSeconds * info.FrameRate) + options.DetectionInterval - 1;
        var tracker = new FaceTracker(holdFrames, width, height);
        // The frames to be shown: those the container declares less those an edit list hides (a truncated file lists
        // fewer packets than it declares, so the declared count stays the measure).
        long? shown = info.FrameCount is { } declared ? declared - times.Discarded : times.Count > 0 ? times.Count : null;
        var expected = shown ?? info.ExpectedFrames;
        long decodedFrames = 0;
        long writtenFrames = 0;
        long detectionTicks = 0;
        long anonymizeTicks = 0;

        using var threads = new FrameThreads(options.DetectionParallelism, ThreadNice, "faceblur-video");
        using var decoder = await threads.RunAsync(() => FfmpegProcess.Start(options.FfmpegPath, DecoderArguments(input, demuxer, info, width, height), false, true))
            .ConfigureAwait(false);
        using var encoder = await threads.RunAsync(() => FfmpegProcess.Start(options.FfmpegPath, EncoderArguments(input, demuxer, output, info, times), true, false))
            .ConfigureAwait(false);
        using var killOnAbort = token.Register(() =>
        {
            decoder.Kill();
            encoder.Kill();
        });
        using var pool = new FramePool(width, height, options.LookAheadFrames + options.DetectionParallelism + 6);
        var decoded = Channel.CreateBounded<VideoFrame>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        var ready = Channel.CreateBounded<VideoFrame>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });

        var stages = new[]
        {
            Guard(ReadAsync),
            Guard(ProcessAsync),
            Guard(WriteAsync),
        };
        Exception? failure = null;
        int decoderExit = -1, encoderExit = -1;
        try
        {
            await Task.WhenAll(stages).ConfigureAwait(false);
            encoderExit = await encoder.WaitAsync(token).ConfigureAwait(false);
            decoderExit = await decoder.WaitAsync(token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e;
            await abort.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(stages.Select(s => s.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default)))
                .ConfigureAwait(false);
        }

        ct.ThrowIfCancellationRequested();
        if (timeLimit.IsCancellationRequested)
        {
            LogFailure(logger, "time limit", limit.TotalSeconds.ToString("0", CultureInfo.InvariantCulture), decoder.StderrTail, encoder.StderrTail);
            return MediaResult<VideoResult>.Fail(MediaErrorKind.CorruptMedia, "The video could not be processed within the time limit.");
        }

        if (decoderExit != 0 && (failure is not null || decoderExit > 0) && decodedFrames == 0)
        {
            LogFailure(logger, "decode", decoderExit.ToString(CultureInfo.InvariantCulture), decoder.StderrTail, encoder.StderrTail);
            return MediaResult<VideoResult>.Fail(MediaErrorKind.CorruptMedia, "The video could not be decoded: " + VideoProbe.Reason(decoder.StderrTail));
        }

        if (failure is not null || encoderExit != 0 || decoderExit != 0)
        {
            LogFailure(logger, failure?.GetType().Name ?? "exit", $"decoder={decoderExit} encoder={encoderExit} {failure?.Message}", decoder.StderrTail, encoder.StderrTail);
            return decoderExit != 0 && encoderExit == 0
                ? MediaResult<VideoResult>.Fail(MediaErrorKind.CorruptMedia, "The video could not be decoded: " + VideoProbe.Reason(decoder.StderrTail))
                : MediaResult<VideoResult>.Fail(MediaErrorKind.CorruptMedia, "The video could not be re-encoded.");
        }

        if (decodedFrames == 0)
        {
            return MediaResult<VideoResult>.Fail(MediaErrorKind.CorruptMedia, "The video has no decodable frames.");
        }

        var truncated = shown is { } count
            ? decodedFrames < count * 0.95 - 2
            : decodedFrames < expected * 0.8 - 2;
        if (truncated)
        {
            LogFailure(logger, "truncated", $"{decodedFrames}/{expected}", decoder.StderrTail, encoder.StderrTail);
            return MediaResult<VideoResult>.Fail(
                MediaErrorKind.CorruptMedia,
                $"The video is truncated or damaged: {decodedFrames} of {expected} frames could be decoded.");
        }

        progress?.Invoke(1);
        var faces = tracker.ConfirmedTracks > 0 ? tracker.ConfirmedTracks : tracker.TracksStarted;
        var elapsed = Stopwatch.GetElapsedTime(started);
        LogDone(logger, writtenFrames, width, height, faces, elapsed.TotalSeconds);
        var seconds = (times.MicrosecondsOf(writtenFrames - 1) + times.LastFrameMicroseconds) / 1e6;
        return MediaResult<VideoResult>.Ok(new VideoResult(faces, writtenFrames, seconds, info.HasAudio)
        {
            Width = width,
            Height = height,
            FrameRate = info.FrameRate,
            Elapsed = elapsed,
            DetectionTime = Stopwatch.GetElapsedTime(0, detectionTicks),
            AnonymizeTime = Stopwatch.GetElapsedTime(0, anonymizeTicks),
        });

        async Task Guard(Func<Task> stage)
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

        // Decoder stdout -> frames from the pool -> `decoded`.
        async Task ReadAsync()
        {
            var stream = decoder.StandardOutput;
            try
            {
                while (true)
                {
                    var frame = await pool.RentAsync(token).ConfigureAwait(false);
                    var read = await stream.ReadAtLeastAsync(frame.Buffer.AsMemory(0, frame.Size), frame.Size, false, token).ConfigureAwait(false);
                    if (read < frame.Size)
                    {
                        pool.Return(frame);
                        break;
                    }

                    frame.Reset(decodedFrames);
                    decodedFrames++;
                    await decoded.Writer.WriteAsync(frame, token).ConfigureAwait(false);
                }
            }
            finally
            {
                decoded.Writer.TryComplete();
            }
        }

        // `decoded` -> detection (several frames at once, results in order) -> tracker -> look-ahead queue -> `ready`.
        async Task ProcessAsync()
        {
            var inFlight = new Queue<(VideoFrame Frame, Task<IReadOnlyList<FaceBox>>? Detection)>();
            var pending = new Queue<VideoFrame>();
            try
            {
                await foreach (var frame in decoded.Reader.ReadAllAsync(token).ConfigureAwait(false))
                {
                    var detection = frame.Index % options.DetectionInterval == 0
                        ? threads.RunAsync(() =>
                        {
                            token.ThrowIfCancellationRequested();
                            var t0 = Stopwatch.GetTimestamp();
                            var found = Detect(frame, detWidth, detHeight);
                            Interlocked.Add(ref detectionTicks, Stopwatch.GetTimestamp() - t0);
                            return found;
                        })
                        : null;
                    inFlight.Enqueue((frame, detection));
                    while (inFlight.Count > options.DetectionParallelism)
                    {
                        await TrackAsync(inFlight.Dequeue()).ConfigureAwait(false);
                    }
                }

                while (inFlight.Count > 0)
                {
                    await TrackAsync(inFlight.Dequeue()).ConfigureAwait(false);
                }

                while (pending.Count > 0)
                {
                    await ready.Writer.WriteAsync(pending.Dequeue(), token).ConfigureAwait(false);
                }
            }
            finally
            {
                ready.Writer.TryComplete();

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

            async Task TrackAsync((VideoFrame Frame, Task<IReadOnlyList<FaceBox>>? Detection) item)
            {
                var faces = item.Detection is null ? null : await item.Detection.ConfigureAwait(false);
                var step = tracker.Update(item.Frame.Index, faces);
                item.Frame.Regions.AddRange(step.Regions);
                foreach (var face in step.NewFaces)
                {
                    // Look-ahead: the frames still held back get the new face too, grown with the distance in time.
                    foreach (var earlier in pending)
                    {
                        var grow = 0.08f * (item.Frame.Index - earlier.Index);
                        earlier.Regions.Add(Grow(face, grow));
                    }
                }

                pending.Enqueue(item.Frame);
                while (pending.Count > options.LookAheadFrames)
                {
                    await ready.Writer.WriteAsync(pending.Dequeue(), token).ConfigureAwait(false);
                }
            }
        }

        // `ready` -> anonymize -> encoder stdin -> frame back to the pool.
        async Task WriteAsync()
        {
            var stream = encoder.StandardInput;
            var container = new RawVideoMatroska(stream, width, height, info.DisplayPixelAspect);
            await container.WriteHeaderAsync(times.LastFrameMicroseconds, token).ConfigureAwait(false);
            await foreach (var frame in ready.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                if (frame.Regions.Count > 0)
                {
                    var t0 = Stopwatch.GetTimestamp();
                    frame.Anonymize(frame.Regions, anonymize);
                    anonymizeTicks += Stopwatch.GetTimestamp() - t0;
                }

                RegionsObserver?.Invoke(frame.Index, frame.Regions);
                await container.WriteFrameAsync(frame.Buffer.AsMemory(0, frame.Size), times.MicrosecondsOf(frame.Index), token).ConfigureAwait(false);
                pool.Return(frame);
                writtenFrames++;
                progress?.Invoke(Math.Min(0.99, writtenFrames / (double)Math.Max(expected, writtenFrames + 1)));
            }

            await stream.FlushAsync(token).ConfigureAwait(false);
            stream.Close();
        }
    }

    private IReadOnlyList<FaceBox> Detect(VideoFrame frame, int detWidth, int detHeight)
    {
        frame.PrepareDetectionCopy(detWidth, detHeight);
        var found = detector.Detect(frame.DetectionCopy);
        var sx = frame.Width / (float)detWidth;
        var sy = frame.Height / (float)detHeight;
        return [.. found.Select(b => Square(CompleteAtEdge(new FaceBox(b.X * sx, b.Y * sy, b.Width * sx, b.Height * sy, b.Score), frame.Width, frame.Height)))];
    }

    /// <summary>
    /// YuNet's boxes are narrower than tall (brow to chin, cheek to cheek); a turned head's ear and cheek stick out of
    /// them. Video boxes are widened about their centre to squares.
    /// </summary>
    internal static FaceBox Square(FaceBox box) =>
        box.Width >= box.Height ? box : box with { X = box.X - (box.Height - box.Width) / 2, Width = box.Height };

    /// <summary>
    /// A face cut by the frame's edge is detected as its visible part, often too narrow (or short) and off-centre; the
    /// box is widened inwards to a whole face's proportions (width 0.8 of the height), so the visible part stays hidden.
    /// Where a partial face lies along the edge is uncertain too: a box touching an edge grows by a quarter along it.
    /// </summary>
    internal static FaceBox CompleteAtEdge(FaceBox box, int width, int height)
    {
        const float Aspect = 0.8f;
        const float AlongEdge = 0.25f;
        var b = box;

        // Within a tenth of the face of the edge (the detector's box seldom reaches the last pixel).
        var touch = Math.Max(2, 0.1f * Math.Max(b.Width, b.Height));
        var (left, right) = (b.X <= touch, b.Right >= width - touch);
        if (left || right)
        {
            if (b.Width < Aspect * b.Height)
            {
                var grow = Aspect * b.Height - b.Width;
                b = right ? b with { X = b.X - grow, Width = b.Width + grow } : b with { Width = b.Width + grow };
            }

            b = b with { Y = b.Y - b.Height * AlongEdge / 2, Height = b.Height * (1 + AlongEdge) };
        }

        var (top, bottom) = (b.Y <= touch, b.Bottom >= height - touch);
        if (top || bottom)
        {
            if (b.Height < b.Width / Aspect)
            {
                var grow = b.Width / Aspect - b.Height;
                b = bottom ? b with { Y = b.Y - grow, Height = b.Height + grow } : b with { Height = b.Height + grow };
            }

            b = b with { X = b.X - b.Width * AlongEdge / 2, Width = b.Width * (1 + AlongEdge) };
        }

        return b;
    }

    /// <summary>The even size of the detection copy: the frame scaled so that its long side is at most <paramref name="maxSide"/>.</summary>
    internal static (int Width, int Height) DetectionSize(int width, int height, int maxSide)
    {
        var scale = Math.Min(1.0, maxSide / (double)Math.Max(width, height));
        if (scale >= 1)
        {
            return (width, height);
        }

        return (Math.Max(2, (int)Math.Round(width * scale / 2) * 2), Math.Max(2, (int)Math.Round(height * scale / 2) * 2));
    }

    private static FaceBox Grow(FaceBox box, float share) =>
        new(box.X - box.Width * share / 2, box.Y - box.Height * share / 2, box.Width * (1 + share), box.Height * (1 + share), box.Score);

    private static List<string> DecoderArguments(string input, string demuxer, VideoInfo info, int width, int height)
    {
        var args = new List<string>
        {
            "-hide_banner", "-nostdin", "-nostats", "-v", "error",
            "-protocol_whitelist", "file,pipe", "-f", demuxer, "-i", "file:" + input,
            "-map", "0:" + info.VideoStreamIndex.ToString(CultureInfo.InvariantCulture),
        };
        if (width != info.DisplayWidth || height != info.DisplayHeight)
        {
            // 4:2:0 needs even sizes: an odd last column or row is dropped (after the rotation, which ffmpeg applies first).
            args.AddRange(["-vf", $"crop={width}:{height}:0:0"]);
        }

        args.AddRange(["-fps_mode", "passthrough", "-an", "-sn", "-dn", "-pix_fmt", "yuv420p", "-f", "rawvideo", "pipe:1"]);
        return args;
    }

    private List<string> EncoderArguments(string input, string demuxer, string output, VideoInfo info, FrameTimes times)
    {
        var args = new List<string> { "-hide_banner", "-nostats", "-v", "error", "-y" };
        if (info.VideoStartOffset > 0 && info.HasAudio)
        {
            // Keeps the pictures where they were against the sound when the video started after the audio.
            args.AddRange(["-itsoffset", Invariant(info.VideoStartOffset)]);
        }

        args.AddRange(
        [
            // The anonymized frames with their times (see RawVideoMatroska).
            "-protocol_whitelist", "file,pipe", "-f", "matroska", "-i", "pipe:0",
        ]);
        if (info.HasAudio)
        {
            args.AddRange(["-protocol_whitelist", "file,pipe", "-f", demuxer, "-i", "file:" + input]);
        }

        args.AddRange(["-map", "0:v:0"]);
        for (var i = 0; i < info.AudioStreamIndexes.Count; i++)
        {
            args.AddRange(["-map", "1:" + info.AudioStreamIndexes[i].ToString(CultureInfo.InvariantCulture)]);
        }

        args.AddRange(["-c:v", "libx264", "-preset", options.EncoderPreset, "-crf", options.CrfText, "-pix_fmt", "yuv420p"]);

        // Each frame once, at its own time, counted in the input's ticks.
        args.AddRange(["-fps_mode", "passthrough", "-enc_time_base:v", "-1"]);
        if (times.TimeScale > 0)
        {
            args.AddRange(["-video_track_timescale", times.TimeScale.ToString(CultureInfo.InvariantCulture)]);
        }

        AddColor(args, "-colorspace", info.ColorSpace);
        AddColor(args, "-color_primaries", info.ColorPrimaries);
        AddColor(args, "-color_trc", info.ColorTransfer);
        AddColor(args, "-color_range", info.ColorRange);
        for (var i = 0; i < info.AudioCodecs.Count; i++)
        {
            var index = i.ToString(CultureInfo.InvariantCulture);
            if (Mp4AudioCodecs.Contains(info.AudioCodecs[i]))
            {
                args.AddRange(["-c:a:" + index, "copy"]);
            }
            else
            {
                args.AddRange(["-c:a:" + index, "aac", "-b:a:" + index, "160k"]);
            }
        }

        args.AddRange(["-map_metadata", "-1", "-map_chapters", "-1", "-movflags", "+faststart", "-f", "mp4", "file:" + output]);
        return args;

        static void AddColor(List<string> args, string option, string? value)
        {
            if (value is not null)
            {
                args.AddRange([option, value]);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Video anonymized: {Frames} frames {Width}x{Height}, {Faces} faces, {Seconds:0.0} s")]
    private static partial void LogDone(ILogger logger, long frames, int width, int height, int faces, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Video failed ({Stage} {Detail}); decoder: {DecoderTail}; encoder: {EncoderTail}")]
    private static partial void LogFailure(ILogger logger, string stage, string detail, string decoderTail, string encoderTail);
}
