namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>
/// A succeeded job's result, claimed for one download by <see cref="JobService.ClaimResultAsync"/>. Whoever sends it
/// says how that ended, once: delivered (every byte written: the result is deleted, later requests get
/// <c>result_gone</c>) or not delivered (the client went away: the claim is released and the result kept).
/// </summary>
public sealed class ResultDownload
{
    private readonly JobService owner;
    private readonly string path;
    private int ended;

    internal ResultDownload(JobService owner, JobState state, string path)
    {
        this.owner = owner;
        this.path = path;
        TaskId = state.TaskId;
        ContentType = state.ResultContentType ?? "application/octet-stream";
        FileName = state.ResultFileName;
        FacesDetected = state.FacesDetected ?? 0;
    }

    public string TaskId { get; }

    public string ContentType { get; }

    /// <summary>The name the client should save it under, or null.</summary>
    public string? FileName { get; }

    public int FacesDetected { get; }

    /// <summary>The result's bytes (throws <see cref="IOException"/> when the file went away in the meantime).</summary>
    public FileStream OpenRead() => new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);

    /// <summary>Every byte reached the client: the result is deleted.</summary>
    public Task DeliveredAsync()
    {
        if (Interlocked.Exchange(ref ended, 1) == 0)
        {
            owner.OnDelivered(TaskId);
        }

        return Task.CompletedTask;
    }

    /// <summary>The download broke off: the result stays for another try.</summary>
    public Task NotDeliveredAsync() =>
        Interlocked.Exchange(ref ended, 1) == 0 ? owner.OnNotDeliveredAsync(TaskId) : Task.CompletedTask;
}
