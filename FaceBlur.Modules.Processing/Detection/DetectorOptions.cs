using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace FaceBlur.Modules.Processing.Detection;

/// <summary>
/// Settings of <see cref="YuNetFaceDetector"/>; the defaults are the service's defaults, tuned on the evaluation sets
/// (see <c>FaceBlur.Bench eval</c>).
/// </summary>
/// <remarks>
/// <para>Detection-size policy. Every image is detected on a resized copy whose size is chosen first:</para>
/// <list type="number">
/// <item>Small images (long side below <see cref="MinSide"/>) are upscaled so that the long side reaches
/// <see cref="MinSide"/>, by at most <see cref="MaxUpscale"/>: YuNet misses faces under about 10 px, and crowd photos
/// are full of them.</item>
/// <item>Large images are downscaled so that the long side is at most <see cref="MaxSide"/> and the area is at most
/// <see cref="MaxMegapixels"/>: the network's cost grows with the pixel count, and this bounds the time of a
/// 1080p or 12 MP photo.</item>
/// </list>
/// <para>Passes. The main pass runs the any-size model on that copy. Images of at most
/// <see cref="MultiPassMaxMegapixels"/> (as given) also get extra passes: the mirrored copy when <see cref="Flip"/> is set,
/// and the fixed 640x640 n model (and its mirror) when <see cref="ModelNEnabled"/> is set. Each pass keeps its
/// candidates above <see cref="CandidateThreshold"/>; the candidates of all passes are clustered (IoU at least
/// <see cref="FusionIou"/>), a cluster's score is the mean over all passes of the best score each pass gave it (a pass
/// that saw nothing there adds 0), and clusters scoring at least <see cref="ScoreThreshold"/> are kept, with the union of
/// the passes' boxes (<see cref="BoxMerge"/>). Agreement lifts true faces while one pass's noise stays below the
/// threshold; the union hides the whole extent the passes disagree on. A main pass alone uses
/// <see cref="SinglePassScoreThreshold"/>. Finally faces smaller than <see cref="MinFaceSize"/> input pixels are dropped.</para>
/// </remarks>
public sealed class DetectorOptions : IValidatableObject
{
    public const string DefaultModelPath = "models/face_detection_yunet_2023mar.onnx";

    public const string DefaultModelNPath = "models/yunet_n_640_640.onnx";

    /// <summary>The YuNet 2023mar ONNX model (any input size). Relative paths are resolved against <see cref="BasePath"/>.</summary>
    [ConfigurationKeyName("DETECTOR_MODEL_PATH")]
    public string ModelPath { get; set; } = DefaultModelPath;

    /// <summary>The YuNet n ONNX model (fixed 640x640 input), used as an extra pass when <see cref="ModelNEnabled"/>.</summary>
    [ConfigurationKeyName("DETECTOR_MODEL_N_PATH")]
    public string ModelNPath { get; set; } = DefaultModelNPath;

    /// <summary>Whether the YuNet n model runs as an extra pass (on images within <see cref="MultiPassMaxMegapixels"/>).</summary>
    [ConfigurationKeyName("DETECTOR_MODEL_N_ENABLED")]
    public bool ModelNEnabled { get; set; } = true;

    /// <summary>
    /// Long side of the copy the n model sees. Up to 640 the copy is letterboxed into the model's 640x640 input; above,
    /// it is cut into overlapping 640x640 tiles. Capped by the image's own long side times <see cref="MaxUpscale"/>.
    /// </summary>
    [ConfigurationKeyName("DETECTOR_N_SIDE")]
    public int ModelNSide { get; set; } = 640;

    /// <summary>Weight of each n-model pass relative to an any-size-model pass in the mean score fusion.</summary>
    [ConfigurationKeyName("DETECTOR_N_WEIGHT")]
    public float ModelNWeight { get; set; } = 1f;

    /// <summary>Final threshold (0..1) on the fused score of a face.</summary>
    [ConfigurationKeyName("DETECTOR_SCORE_THRESHOLD")]
    public float ScoreThreshold { get; set; } = 0.4f;

    /// <summary>Threshold (0..1) on the score of a face when the main pass runs alone (images above
    /// <see cref="MultiPassMaxMegapixels"/>, or no extra pass enabled).</summary>
    [ConfigurationKeyName("DETECTOR_SINGLE_PASS_SCORE_THRESHOLD")]
    public float SinglePassScoreThreshold { get; set; } = 0.5f;

    /// <summary>Minimum score (0..1) of a single pass's candidate to enter the fusion.</summary>
    [ConfigurationKeyName("DETECTOR_CANDIDATE_THRESHOLD")]
    public float CandidateThreshold { get; set; } = 0.25f;

    /// <summary>IoU above which two boxes of one pass, or two fused faces, are duplicates (non-maximum suppression).</summary>
    [ConfigurationKeyName("DETECTOR_NMS_THRESHOLD")]
    public float NmsThreshold { get; set; } = 0.3f;

    /// <summary>IoU from which candidates of different passes are taken for the same face.</summary>
    [ConfigurationKeyName("DETECTOR_FUSION_IOU")]
    public float FusionIou { get; set; } = 0.3f;

    /// <summary>How the scores of several passes are combined (<c>mean</c> rewards agreement, <c>max</c> does not).</summary>
    [ConfigurationKeyName("DETECTOR_SCORE_FUSION")]
    public ScoreFusion ScoreFusion { get; set; } = ScoreFusion.Mean;

    /// <summary>
    /// Faces whose box is narrower or shorter than this many pixels of the input image are dropped (0 keeps all). Boxes
    /// that small are mostly noise, and a face that small is not recognizable.
    /// </summary>
    [ConfigurationKeyName("DETECTOR_MIN_FACE_SIZE")]
    public float MinFaceSize { get; set; } = 9f;

    /// <summary>How the boxes of several passes for one face are merged (<c>mean</c> fits best, <c>union</c> hides more).</summary>
    [ConfigurationKeyName("DETECTOR_BOX_MERGE")]
    public BoxMerge BoxMerge { get; set; } = BoxMerge.Union;

    /// <summary>Images whose long side is shorter are upscaled to this long side (at most by <see cref="MaxUpscale"/>).</summary>
    [ConfigurationKeyName("DETECTOR_MIN_SIDE")]
    public int MinSide { get; set; } = 832;

    /// <summary>Largest upscale factor for small images (1 disables upscaling).</summary>
    [ConfigurationKeyName("DETECTOR_MAX_UPSCALE")]
    public float MaxUpscale { get; set; } = 2f;

    /// <summary>Longest side of the copy a large image is detected on.</summary>
    [ConfigurationKeyName("DETECTOR_MAX_SIDE")]
    public int MaxSide { get; set; } = 1280;

    /// <summary>Largest area, in megapixels, of the copy an image is detected on.</summary>
    [ConfigurationKeyName("DETECTOR_MAX_MEGAPIXELS")]
    public float MaxMegapixels { get; set; } = 0.75f;

    /// <summary>Whether a horizontally mirrored copy is detected as an extra pass.</summary>
    [ConfigurationKeyName("DETECTOR_FLIP")]
    public bool Flip { get; set; } = true;

    /// <summary>
    /// Extra passes (mirror, n model) run only for images of at most this many megapixels (as given, before resizing):
    /// the small images whose faces are tiny and whose passes are cheap. Larger photos get the main pass alone.
    /// </summary>
    [ConfigurationKeyName("DETECTOR_MULTI_PASS_MAX_MEGAPIXELS")]
    public float MultiPassMaxMegapixels { get; set; } = 0.5f;

    /// <summary>Directory against which relative model paths are resolved (the host's content root; not a setting).</summary>
    public string BasePath { get; set; } = Directory.GetCurrentDirectory();

    /// <summary>What runs the main model (not a setting: the video detector uses ONNX Runtime, see <c>VideoOptions</c>).</summary>
    internal DetectorRuntime Runtime { get; set; } = DetectorRuntime.OpenCv;

    /// <summary>The setting that names the main model, for error messages (not a setting itself).</summary>
    internal string ModelPathSetting { get; set; } = "DETECTOR_MODEL_PATH";

    /// <summary>Threads of one ONNX Runtime inference (not a setting; the video pipeline runs several inferences at once).</summary>
    internal int RuntimeThreads { get; set; } = 1;

    /// <summary>A copy of these options, to derive variants (e.g. for video frames) without changing the original.</summary>
    public DetectorOptions Clone() => (DetectorOptions)MemberwiseClone();

    /// <summary><paramref name="path"/> made absolute against <see cref="BasePath"/>.</summary>
    public string Resolve(string path) => Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(BasePath, path));

    /// <summary>One line per invalid setting, naming it; empty when the options are usable.</summary>
    /// <summary>The rules of <see cref="Validate()"/>, for the options validation every module registers.</summary>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext) =>
        Validate().Select(problem => new ValidationResult(problem));

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(ModelPath))
        {
            errors.Add("DETECTOR_MODEL_PATH must not be empty");
        }

        if (ModelNEnabled && string.IsNullOrWhiteSpace(ModelNPath))
        {
            errors.Add("DETECTOR_MODEL_N_PATH must not be empty when DETECTOR_MODEL_N_ENABLED is true");
        }

        CheckUnit(errors, "DETECTOR_SCORE_THRESHOLD", ScoreThreshold);
        CheckUnit(errors, "DETECTOR_SINGLE_PASS_SCORE_THRESHOLD", SinglePassScoreThreshold);
        CheckUnit(errors, "DETECTOR_CANDIDATE_THRESHOLD", CandidateThreshold);
        CheckUnit(errors, "DETECTOR_NMS_THRESHOLD", NmsThreshold);
        CheckUnit(errors, "DETECTOR_FUSION_IOU", FusionIou);
        if (!Enum.IsDefined(ScoreFusion))
        {
            errors.Add("DETECTOR_SCORE_FUSION must be mean or max");
        }

        if (!Enum.IsDefined(BoxMerge))
        {
            errors.Add("DETECTOR_BOX_MERGE must be mean or union");
        }

        if (!(MinFaceSize >= 0 && MinFaceSize <= 1000))
        {
            errors.Add("DETECTOR_MIN_FACE_SIZE must be between 0 and 1000");
        }

        if (MinSide is < 32 or > 8192)
        {
            errors.Add("DETECTOR_MIN_SIDE must be between 32 and 8192");
        }

        if (!(ModelNWeight > 0 && ModelNWeight <= 10))
        {
            errors.Add("DETECTOR_N_WEIGHT must be greater than 0 and at most 10");
        }

        if (ModelNSide is < 32 or > 4096)
        {
            errors.Add("DETECTOR_N_SIDE must be between 32 and 4096");
        }

        if (!(MaxUpscale >= 1 && MaxUpscale <= 8))
        {
            errors.Add("DETECTOR_MAX_UPSCALE must be between 1 and 8");
        }

        if (MaxSide is < 64 or > 8192)
        {
            errors.Add("DETECTOR_MAX_SIDE must be between 64 and 8192");
        }

        if (!(MaxMegapixels >= 0.01f && MaxMegapixels <= 64))
        {
            errors.Add("DETECTOR_MAX_MEGAPIXELS must be between 0.01 and 64");
        }

        if (!(MultiPassMaxMegapixels >= 0 && MultiPassMaxMegapixels <= 64))
        {
            errors.Add("DETECTOR_MULTI_PASS_MAX_MEGAPIXELS must be between 0 and 64");
        }

        return errors;
    }

    private static void CheckUnit(List<string> errors, string name, float value)
    {
        if (!(value >= 0 && value <= 1))
        {
            errors.Add($"{name} must be between 0 and 1");
        }
    }
}

/// <summary>The inference engine of the main YuNet model.</summary>
internal enum DetectorRuntime
{
    /// <summary>OpenCV's DNN module (reads the any-size 2023mar model).</summary>
    OpenCv,

    /// <summary>ONNX Runtime (reads models with dynamic input shapes; faster on CPU).</summary>
    OnnxRuntime,
}
