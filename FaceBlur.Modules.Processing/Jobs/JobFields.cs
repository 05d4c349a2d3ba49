using System.Globalization;

namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>
/// How a <see cref="JobState"/> is laid out as flat string fields (the Redis hash): one field per property, an absent
/// field meaning null. Timestamps use the round-trip format ("O"), numbers the invariant culture.
/// </summary>
internal static class JobFields
{
    public const string TaskId = "id";
    public const string Kind = "kind";
    public const string Status = "status";
    public const string Stage = "stage";
    public const string Progress = "progress";
    public const string Files = "files";
    public const string FacesDetected = "faces";
    public const string Error = "error";
    public const string ResultPath = "result_path";
    public const string ResultContentType = "result_type";
    public const string ResultFileName = "result_name";
    public const string Served = "served";
    public const string DeliveredAt = "delivered";
    public const string Attempts = "attempts";
    public const string CreatedAt = "created";
    public const string UpdatedAt = "updated";
    public const string StartedAt = "started";
    public const string CompletedAt = "completed";

    /// <summary>The regions export of a succeeded job: kept in the job's hash so it lives and expires with the job.</summary>
    public const string Regions = "regions";

    /// <summary>Every field of the state (not the regions, which can be megabytes and are read on their own).</summary>
    public static readonly string[] StateFields =
    [
        TaskId, Kind, Status, Stage, Progress, Files, FacesDetected, Error, ResultPath, ResultContentType, ResultFileName,
        Served, Attempts, CreatedAt, UpdatedAt, StartedAt, CompletedAt, DeliveredAt,
    ];

    public static List<KeyValuePair<string, string>> ToFields(JobState state)
    {
        var fields = new List<KeyValuePair<string, string>>(17)
        {
            new(TaskId, state.TaskId),
            new(Kind, FormatKind(state.Kind)),
            new(Status, FormatStatus(state.Status)),
            new(Progress, FormatDouble(state.Progress)),
            new(Files, state.Files.ToString(CultureInfo.InvariantCulture)),
            new(Served, state.Served ? "1" : "0"),
            new(Attempts, state.Attempts.ToString(CultureInfo.InvariantCulture)),
            new(CreatedAt, FormatTime(state.CreatedAt)),
            new(UpdatedAt, FormatTime(state.UpdatedAt)),
        };
        AddIfSet(fields, Stage, state.Stage);
        AddIfSet(fields, FacesDetected, state.FacesDetected?.ToString(CultureInfo.InvariantCulture));
        AddIfSet(fields, Error, state.Error);
        AddIfSet(fields, ResultPath, state.ResultPath);
        AddIfSet(fields, ResultContentType, state.ResultContentType);
        AddIfSet(fields, ResultFileName, state.ResultFileName);
        AddIfSet(fields, StartedAt, state.StartedAt is { } started ? FormatTime(started) : null);
        AddIfSet(fields, CompletedAt, state.CompletedAt is { } completed ? FormatTime(completed) : null);
        AddIfSet(fields, DeliveredAt, state.DeliveredAt is { } delivered ? FormatTime(delivered) : null);
        return fields;
    }

    public static JobState FromFields(string taskId, IReadOnlyDictionary<string, string> fields) => new()
    {
        TaskId = fields.GetValueOrDefault(TaskId) ?? taskId,
        Kind = ParseKind(fields.GetValueOrDefault(Kind)),
        Status = ParseStatus(fields.GetValueOrDefault(Status)),
        Stage = fields.GetValueOrDefault(Stage),
        Progress = fields.TryGetValue(Progress, out var progress) ? ParseDouble(progress) : 0,
        Files = ParseInt(fields.GetValueOrDefault(Files)) ?? 0,
        FacesDetected = ParseInt(fields.GetValueOrDefault(FacesDetected)),
        Error = fields.GetValueOrDefault(Error),
        ResultPath = fields.GetValueOrDefault(ResultPath),
        ResultContentType = fields.GetValueOrDefault(ResultContentType),
        ResultFileName = fields.GetValueOrDefault(ResultFileName),
        Served = fields.GetValueOrDefault(Served) == "1",
        Attempts = ParseInt(fields.GetValueOrDefault(Attempts)) ?? 0,
        CreatedAt = ParseTime(fields.GetValueOrDefault(CreatedAt)) ?? default,
        UpdatedAt = ParseTime(fields.GetValueOrDefault(UpdatedAt)) ?? default,
        StartedAt = ParseTime(fields.GetValueOrDefault(StartedAt)),
        CompletedAt = ParseTime(fields.GetValueOrDefault(CompletedAt)),
        DeliveredAt = ParseTime(fields.GetValueOrDefault(DeliveredAt)),
    };

    public static string FormatStatus(JobStatus status) => status switch
    {
        JobStatus.Queued => "queued",
        JobStatus.Processing => "processing",
        JobStatus.Succeeded => "succeeded",
        JobStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown job status."),
    };

    public static string FormatTime(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    public static string FormatDouble(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Progress is 0..1: clamps, and rejects NaN.</summary>
    public static double ClampProgress(double progress)
    {
        if (double.IsNaN(progress))
        {
            throw new ArgumentOutOfRangeException(nameof(progress), progress, "Progress must be a number in 0..1.");
        }

        return Math.Clamp(progress, 0, 1);
    }

    private static void AddIfSet(List<KeyValuePair<string, string>> fields, string name, string? value)
    {
        if (value is not null)
        {
            fields.Add(new(name, value));
        }
    }

    private static string FormatKind(JobKind kind) => kind switch
    {
        JobKind.Images => "images",
        JobKind.Video => "video",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown job kind."),
    };

    private static JobKind ParseKind(string? value) => value switch
    {
        "video" => JobKind.Video,
        _ => JobKind.Images,
    };

    private static JobStatus ParseStatus(string? value) => value switch
    {
        "processing" => JobStatus.Processing,
        "succeeded" => JobStatus.Succeeded,
        "failed" => JobStatus.Failed,
        _ => JobStatus.Queued,
    };

    private static double ParseDouble(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var result) ? result : 0;

    private static int? ParseInt(string? value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var result) ? result : null;

    private static DateTimeOffset? ParseTime(string? value) =>
        DateTimeOffset.TryParseExact(value, "O", CultureInfo.InvariantCulture, DateTimeStyles.None, out var result)
            ? result
            : null;
}
