namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>
/// A stored result's size and last change, from which a client's copy is recognised when it resumes a download (the
/// result file is written once, under a temporary name renamed into place, and never changed afterwards).
/// </summary>
public sealed record ResultFile(long Length, DateTimeOffset LastModified);

/// <summary>
/// One download of a succeeded job's result, handed out by <see cref="JobService"/>: the whole result (claimed: no
/// other request gets the whole result while it runs) or a range of it for a resumed download (claimed by nobody).
/// Whoever sends it says once how it ended: <see cref="DeliveredAsync"/> when the result's last byte reached the client,
/// <see cref="NotDeliveredAsync"/> otherwise. Dispose it when done (it holds the file open).
/// </summary>
public sealed class ResultDownload : IAsyncDisposable
{
    private readonly JobService owner;
    private readonly FileStream file;
    private readonly bool claimed;
    private int ended;

    internal ResultDownload(JobService owner, JobState state, FileStream file, bool claimed)
    {
        this.owner = owner;
        this.file = file;
        this.claimed = claimed;
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

    /// <summary>The result's bytes, open for reading (seek to the first byte of a range).</summary>
    public Stream Content => file;

    /// <summary>
    /// The result's last byte reached the client (the whole result, or the range that ends it): the result counts as
    /// delivered and is deleted after RESULT_RESUME_SECONDS.
    /// </summary>
    public Task DeliveredAsync() =>
        Interlocked.Exchange(ref ended, 1) == 0 ? owner.OnDeliveredAsync(TaskId) : Task.CompletedTask;

    /// <summary>The download broke off (or was a range short of the end): a claim is released, the result stays.</summary>
    public Task NotDeliveredAsync() =>
        Interlocked.Exchange(ref ended, 1) == 0 && claimed ? owner.OnNotDeliveredAsync(TaskId) : Task.CompletedTask;

    public ValueTask DisposeAsync() => file.DisposeAsync();
}
