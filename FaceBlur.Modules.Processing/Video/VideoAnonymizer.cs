using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Media;
using FaceBlur.Modules.Processing.Regions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>
/// Anonymizes videos: inspect (<see cref="VideoInspector"/>: container from content, playlists refused, one probe for
/// limits and frame times) -> <see cref="VideoPipeline"/> (decode -> detect + track -> anonymize + encode: H.264
/// yuv420p, audio copied or AAC, MP4 with faststart). Knows nothing of HTTP or queues. Every ffmpeg run reads local
/// files only under a time limit and is killed with its children on failure, timeout or cancellation; a failed run
/// leaves no output file.
/// </summary>
public sealed class VideoAnonymizer
{
    private readonly IFaceDetector detector;
    private readonly VideoOptions options;
    private readonly ILogger<VideoAnonymizer> logger;

    public VideoAnonymizer(IFaceDetector detector, VideoOptions options, ILogger<VideoAnonymizer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(detector);
        ArgumentNullException.ThrowIfNull(options);
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

    /// <summary>
    /// Inspects <paramref name="inputPath"/> (see <see cref="VideoInspector.InspectAsync"/>), then anonymizes it into
    /// <paramref name="outputPath"/>. For a file whose <see cref="VideoSource"/> is already known, use the other overload.
    /// </summary>
    public async Task<MediaResult<VideoResult>> AnonymizeAsync(
        string inputPath, string outputPath, AnonymizeOptions anonymize, Action<double>? progress, CancellationToken ct)
    {
        var source = await VideoInspector.InspectAsync(inputPath, options, ct).ConfigureAwait(false);
        return source.IsSuccess
            ? await AnonymizeAsync(source.Value!, inputPath, outputPath, anonymize, progress, ct).ConfigureAwait(false)
            : MediaResult<VideoResult>.Fail(source.Error!);
    }

    /// <summary>
    /// Anonymizes <paramref name="inputPath"/>, inspected earlier as <paramref name="source"/> (nothing is probed again),
    /// into <paramref name="outputPath"/> (MP4, overwritten). Refusals and unreadable media come back as a
    /// <see cref="MediaError"/>; cancellation throws <see cref="OperationCanceledException"/>. Either way no ffmpeg process
    /// is left running and no output file is left behind.
    /// </summary>
    public Task<MediaResult<VideoResult>> AnonymizeAsync(
        VideoSource source, string inputPath, string outputPath, AnonymizeOptions anonymize, Action<double>? progress, CancellationToken ct) =>
        AnonymizeAsync(source, inputPath, outputPath, anonymize, VideoRegionRequest.DetectOnly, progress, ct);

    /// <summary>
    /// As the other overload, hiding what <paramref name="regions"/> asks: the tracker's faces (no detector runs when
    /// it is off) except those over a kept track's box in that frame, plus the given hidden tracks' boxes.
    /// </summary>
    public async Task<MediaResult<VideoResult>> AnonymizeAsync(
        VideoSource source,
        string inputPath,
        string outputPath,
        AnonymizeOptions anonymize,
        VideoRegionRequest regions,
        Action<double>? progress,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(regions);
        ArgumentException.ThrowIfNullOrEmpty(inputPath);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        ArgumentNullException.ThrowIfNull(anonymize);
        var input = Path.GetFullPath(inputPath);
        var output = Path.GetFullPath(outputPath);
        if (!File.Exists(input))
        {
            return MediaResult<VideoResult>.Fail(MediaErrorKind.CorruptMedia, "The video file is missing.");
        }

        var succeeded = false;
        try
        {
            var result = await new VideoPipeline(detector, options, ThreadNice, logger)
                .RunAsync(source, input, output, anonymize, regions, progress, ct).ConfigureAwait(false);
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
}
