using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>Settings of the video pipeline (<see cref="VideoAnonymizer"/>); the defaults are the service's defaults.</summary>
public sealed class VideoOptions : IValidatableObject
{
    public const string DefaultDetectorModelPath = "models/yunet_n_dynamic.onnx";

    /// <summary>The x264 presets the encoder accepts, fastest first.</summary>
    public static readonly IReadOnlyList<string> EncoderPresets =
        ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"];

    /// <summary>Longest video accepted, in seconds (`media_too_long` above).</summary>
    [ConfigurationKeyName("MAX_VIDEO_SECONDS")]
    public double MaxVideoSeconds { get; set; } = 300;

    /// <summary>How long a face that the detector stops seeing stays hidden, moving with its recent velocity.</summary>
    [ConfigurationKeyName("VIDEO_HOLD_SECONDS")]
    public double HoldSeconds { get; set; } = 0.5;

    /// <summary>Frames before a face's first detection in which it is hidden too (frames are held back this long).</summary>
    [ConfigurationKeyName("VIDEO_LOOKAHEAD_FRAMES")]
    public int LookAheadFrames { get; set; } = 5;

    /// <summary>
    /// The face detector of video frames: YuNet n with a dynamic input shape, run by ONNX Runtime (relative paths are
    /// resolved like DETECTOR_MODEL_PATH). Photos keep the DETECTOR_* models.
    /// </summary>
    [ConfigurationKeyName("VIDEO_DETECTOR_MODEL_PATH")]
    public string DetectorModelPath { get; set; } = DefaultDetectorModelPath;

    /// <summary>
    /// Longest side of the downscaled frame copy the detector searches in every frame (frames smaller than this are not
    /// scaled). At 768 it finds faces from about 40 px at 1080p (80 px at 4K) frame after frame.
    /// </summary>
    [ConfigurationKeyName("VIDEO_DETECTION_MAX_SIDE")]
    public int DetectionMaxSide { get; set; } = 768;

    /// <summary>
    /// Longest side of the larger copy searched every <see cref="FineDetectionInterval"/> frames, instead of the other,
    /// for faces too small for the every-frame scan (0 = no fine scan). At 1088 it finds faces from 24 px at 1080p and
    /// 48 px at 4K (the copy's size does not depend on the input's); the tracker and the look-ahead hide them in the
    /// frames between. Chosen by measurement: with 768 every frame and 1088 every 6th, the pipeline costs the CPU it did
    /// with 832 every frame and no fine scan (docs/BENCHMARKS.md).
    /// </summary>
    [ConfigurationKeyName("VIDEO_FINE_DETECTION_MAX_SIDE")]
    public int FineDetectionMaxSide { get; set; } = 1088;

    /// <summary>
    /// Frames between two fine scans; at most <see cref="LookAheadFrames"/> + 1, so that a face first found by one is
    /// hidden back to the frame after the scan before.
    /// </summary>
    [ConfigurationKeyName("VIDEO_FINE_DETECTION_INTERVAL")]
    public int FineDetectionInterval { get; set; } = 6;

    /// <summary>Detect every this many frames (1 = every frame); in between, faces are moved by the tracker.</summary>
    [ConfigurationKeyName("VIDEO_DETECTION_INTERVAL")]
    public int DetectionInterval { get; set; } = 1;

    /// <summary>How many frames are detected at once (one per core is right for a dedicated worker).</summary>
    [ConfigurationKeyName("VIDEO_DETECTION_PARALLELISM")]
    public int DetectionParallelism { get; set; } = 2;

    /// <summary>The x264 preset of the output (see <see cref="EncoderPresets"/>).</summary>
    [ConfigurationKeyName("VIDEO_ENCODER_PRESET")]
    public string EncoderPreset { get; set; } = "superfast";

    /// <summary>The x264 constant rate factor of the output (0..51, lower is better quality).</summary>
    [ConfigurationKeyName("VIDEO_CRF")]
    public int Crf { get; set; } = 23;

    /// <summary>The ffmpeg executable (a name looked up on PATH, or a path).</summary>
    [ConfigurationKeyName("VIDEO_FFMPEG_PATH")]
    public string FfmpegPath { get; set; } = "ffmpeg";

    /// <summary>The ffprobe executable (a name looked up on PATH, or a path).</summary>
    [ConfigurationKeyName("VIDEO_FFPROBE_PATH")]
    public string FfprobePath { get; set; } = "ffprobe";

    /// <summary>Fixed part of every ffmpeg run's time limit, in seconds.</summary>
    [ConfigurationKeyName("VIDEO_TIMEOUT_BASE_SECONDS")]
    public double TimeoutBaseSeconds { get; set; } = 30;

    /// <summary>Part of every ffmpeg run's time limit proportional to the video's duration (seconds per second).</summary>
    [ConfigurationKeyName("VIDEO_TIMEOUT_PER_VIDEO_SECOND")]
    public double TimeoutPerVideoSecond { get; set; } = 4;

    /// <summary>The time limit of an ffmpeg run on a video of <paramref name="durationSeconds"/>.</summary>
    public TimeSpan TimeLimit(double durationSeconds) =>
        TimeSpan.FromSeconds(TimeoutBaseSeconds + TimeoutPerVideoSecond * Math.Max(0, durationSeconds));

    /// <summary>One line per invalid setting, naming it; empty when the options are usable.</summary>
    /// <summary>The rules of <see cref="Validate()"/>, for the options validation every module registers.</summary>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext) =>
        Validate().Select(problem => new ValidationResult(problem));

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!(MaxVideoSeconds > 0 && MaxVideoSeconds <= 86_400))
        {
            errors.Add("MAX_VIDEO_SECONDS must be between 0 (exclusive) and 86400");
        }

        if (!(HoldSeconds >= 0 && HoldSeconds <= 10))
        {
            errors.Add("VIDEO_HOLD_SECONDS must be between 0 and 10");
        }

        if (LookAheadFrames is < 0 or > 60)
        {
            errors.Add("VIDEO_LOOKAHEAD_FRAMES must be between 0 and 60");
        }

        if (DetectionMaxSide is < 64 or > 4096)
        {
            errors.Add("VIDEO_DETECTION_MAX_SIDE must be between 64 and 4096");
        }

        if (string.IsNullOrWhiteSpace(DetectorModelPath))
        {
            errors.Add("VIDEO_DETECTOR_MODEL_PATH must not be empty");
        }

        if (FineDetectionMaxSide != 0 && FineDetectionMaxSide is < 64 or > 4096)
        {
            errors.Add("VIDEO_FINE_DETECTION_MAX_SIDE must be 0 (no fine scan) or between 64 and 4096");
        }

        if (FineDetectionInterval < 1 || FineDetectionInterval > LookAheadFrames + 1)
        {
            errors.Add("VIDEO_FINE_DETECTION_INTERVAL must be between 1 and VIDEO_LOOKAHEAD_FRAMES + 1");
        }

        if (DetectionInterval is < 1 or > 30)
        {
            errors.Add("VIDEO_DETECTION_INTERVAL must be between 1 and 30");
        }

        if (DetectionParallelism is < 1 or > 16)
        {
            errors.Add("VIDEO_DETECTION_PARALLELISM must be between 1 and 16");
        }

        if (!EncoderPresets.Contains(EncoderPreset))
        {
            errors.Add("VIDEO_ENCODER_PRESET must be one of " + string.Join(", ", EncoderPresets));
        }

        if (Crf is < 0 or > 51)
        {
            errors.Add("VIDEO_CRF must be between 0 and 51");
        }

        if (string.IsNullOrWhiteSpace(FfmpegPath))
        {
            errors.Add("VIDEO_FFMPEG_PATH must not be empty");
        }

        if (string.IsNullOrWhiteSpace(FfprobePath))
        {
            errors.Add("VIDEO_FFPROBE_PATH must not be empty");
        }

        if (!(TimeoutBaseSeconds > 0 && TimeoutBaseSeconds <= 3600))
        {
            errors.Add("VIDEO_TIMEOUT_BASE_SECONDS must be between 0 (exclusive) and 3600");
        }

        if (!(TimeoutPerVideoSecond > 0 && TimeoutPerVideoSecond <= 100))
        {
            errors.Add("VIDEO_TIMEOUT_PER_VIDEO_SECOND must be between 0 (exclusive) and 100");
        }

        return errors;
    }

    internal string CrfText => Crf.ToString(CultureInfo.InvariantCulture);
}
