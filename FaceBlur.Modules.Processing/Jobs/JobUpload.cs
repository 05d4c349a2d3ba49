using FaceBlur.Modules.Processing.Images;

namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>
/// A job being uploaded: its task id and where its files are written, until <see cref="JobService.SubmitAsync"/> takes
/// it over. Disposed without being submitted (a refusal, an error, a client that went away), it deletes everything
/// written for it, so a refused upload leaves nothing behind.
/// </summary>
public sealed class JobUpload : IDisposable
{
    private readonly JobStorage storage;
    private readonly List<JobInput> inputs = [];

    internal JobUpload(JobStorage storage, JobKind kind)
    {
        this.storage = storage;
        Kind = kind;
        TaskId = JobStorage.NewTaskId();
        storage.CreateJobDirectory(TaskId);
    }

    public string TaskId { get; }

    public JobKind Kind { get; }

    /// <summary>The files added so far, in order, with what the upload learned of each.</summary>
    public IReadOnlyList<JobInput> Inputs => inputs;

    internal bool Submitted { get; set; }

    /// <summary>Where the upload writes its file number <paramref name="index"/> (a generated name in the job's directory).</summary>
    public string InputPath(int index) => storage.InputPath(TaskId, index);

    /// <summary>Adds a checked image written at <see cref="InputPath"/>(<paramref name="index"/>).</summary>
    public void AddImage(int index, string displayName, ImageFacts facts) =>
        inputs.Add(new JobInput(JobStorage.RelativePath(TaskId, JobStorage.InputFileName(index)), displayName) { Image = facts });

    /// <summary>Adds a checked video written at <see cref="InputPath"/>(<paramref name="index"/>).</summary>
    public void AddVideo(int index, string displayName) =>
        inputs.Add(new JobInput(JobStorage.RelativePath(TaskId, JobStorage.InputFileName(index)), displayName));

    public void Dispose()
    {
        if (Submitted)
        {
            return;
        }

        try
        {
            storage.DeleteJob(TaskId);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The sweep removes what is left; never masks why the upload was abandoned.
        }
    }
}
