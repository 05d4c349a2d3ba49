using System.Text.Json.Serialization;
using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Images;
using FaceBlur.Modules.Processing.Video;

namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>What a job anonymizes. JSON: "images" | "video".</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobKind>))]
public enum JobKind
{
    [JsonStringEnumMemberName("images")]
    Images,

    [JsonStringEnumMemberName("video")]
    Video,
}

/// <summary>The job lifecycle: queued -> processing -> succeeded | failed. JSON: the lower-case names.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobStatus>))]
public enum JobStatus
{
    [JsonStringEnumMemberName("queued")]
    Queued,

    [JsonStringEnumMemberName("processing")]
    Processing,

    [JsonStringEnumMemberName("succeeded")]
    Succeeded,

    [JsonStringEnumMemberName("failed")]
    Failed,
}

/// <summary>The stages reported while a job is processing.</summary>
public static class JobStages
{
    public const string Detecting = "detecting";

    public const string Encoding = "encoding";
}

/// <summary>
/// One uploaded file of a job: where it is stored (relative to STORAGE_DIR), a safe name for the output, and what the
/// upload learned of it, so the worker reads nothing twice (absent in messages queued by an older version).
/// </summary>
public sealed record JobInput(
    [property: JsonPropertyName("stored_path")] string StoredPath,
    [property: JsonPropertyName("display_name")] string DisplayName)
{
    /// <summary>An image's format and upright size, from its header.</summary>
    [JsonPropertyName("image")]
    public ImageFacts? Image { get; init; }

    /// <summary>A video's container, streams and frame times, from the one ffprobe pass of the upload.</summary>
    [JsonPropertyName("video")]
    public VideoSource? Video { get; init; }
}

/// <summary>What a worker needs to run a job. Travels through the queue as JSON.</summary>
public sealed record JobMessage(
    [property: JsonPropertyName("task_id")] string TaskId,
    [property: JsonPropertyName("kind")] JobKind Kind,
    [property: JsonPropertyName("inputs")] IReadOnlyList<JobInput> Inputs,
    [property: JsonPropertyName("options")] AnonymizeOptions Options,
    [property: JsonPropertyName("enqueued_at")] DateTimeOffset EnqueuedAt)
{
    /// <summary>False: no detector runs, only the given regions are hidden.</summary>
    [JsonPropertyName("detect")]
    public bool Detect { get; init; } = true;

    /// <summary>True when the upload gave regions (stored beside the inputs, checked against them before queueing).</summary>
    [JsonPropertyName("given_regions")]
    public bool GivenRegions { get; init; }
}

/// <summary>A produced result, stored under STORAGE_DIR.</summary>
public sealed record JobResult(string ResultPath, string ContentType, string FileName, int FacesDetected)
{
    /// <summary>A video result: the duration processed, in seconds (for metrics and stats; not stored with the job).</summary>
    public double VideoSeconds { get; init; }

    /// <summary>A video result: the frames processed (for metrics; not stored with the job).</summary>
    public long VideoFrames { get; init; }

    /// <summary>The regions the job hid, as the regions export (UTF-8 JSON in the SPEC's schema).</summary>
    public byte[]? Regions { get; init; }
}

/// <summary>Everything known about a job. Kept by an <see cref="IJobStore"/> until STORAGE_TTL_MINUTES after its last change.</summary>
public sealed record JobState
{
    public required string TaskId { get; init; }

    public required JobKind Kind { get; init; }

    public JobStatus Status { get; init; } = JobStatus.Queued;

    /// <summary><see cref="JobStages"/> while processing, else null.</summary>
    public string? Stage { get; init; }

    /// <summary>0..1.</summary>
    public double Progress { get; init; }

    public int Files { get; init; }

    public int? FacesDetected { get; init; }

    /// <summary>Why the job failed, in words for the user.</summary>
    public string? Error { get; init; }

    /// <summary>The result's path relative to STORAGE_DIR, once succeeded.</summary>
    public string? ResultPath { get; init; }

    public string? ResultContentType { get; init; }

    public string? ResultFileName { get; init; }

    /// <summary>
    /// True while a download of the whole result is under way and once the result was delivered: other requests for the
    /// whole result get <c>result_gone</c>. Released when that download broke off before it was delivered.
    /// </summary>
    public bool Served { get; init; }

    /// <summary>
    /// When a download's last byte was acknowledged by the client (see <see cref="ResultDownload"/>). From then on only
    /// a resumed download (a range with a matching validator) is answered, for RESULT_RESUME_SECONDS, and then the
    /// result is deleted.
    /// </summary>
    public DateTimeOffset? DeliveredAt { get; init; }

    /// <summary>How many times processing started.</summary>
    public int Attempts { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public bool IsTerminal => Status is JobStatus.Succeeded or JobStatus.Failed;
}
