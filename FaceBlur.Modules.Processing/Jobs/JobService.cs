using FaceBlur.Modules.Processing.Anonymization;
using Microsoft.Extensions.Logging;

namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>What a client may know of a job: its state and, while it waits, its place in the queue.</summary>
public sealed record JobLookup(JobState State, int? QueuePosition);

/// <summary>Queue depth, consumers, jobs processing; <see cref="Available"/> false when the queue or store is unreachable.</summary>
public sealed record QueueStatus(long Queued, int Consumers, int Processing, bool Available);

/// <summary>
/// The one owner of a job: submit (store its files, record its state, queue it), look it up, hand out its result once,
/// and sweep what expired; its worker-side transitions are in the other half of this class. The job store, the queue
/// and the storage layout are its internals: nothing else writes job state or knows where a job's files are.
/// </summary>
public sealed partial class JobService(
    IJobStore store,
    IJobQueue queue,
    JobsOptions options,
    JobMetrics metrics,
    TimeProvider time,
    ILogger<JobService> logger)
{
    private static readonly TimeSpan QueueStatusTimeout = TimeSpan.FromSeconds(2);

    private readonly JobStorage storage = new(options);

    /// <summary>The storage layout, for the worker's runner (inside this module only).</summary>
    internal JobStorage Storage => storage;

    /// <summary>Starts an upload: a new task id and a place for its files (throws <see cref="StorageUnavailableException"/>).</summary>
    public JobUpload BeginUpload(JobKind kind) => new(storage, kind);

    /// <summary>
    /// Records the job and queues it; returns only once the queue holds it, so a 202 is never answered for a lost job.
    /// Throws <see cref="JobStoreUnavailableException"/> or <see cref="JobQueueUnavailableException"/> (the upload is then
    /// abandoned and its files deleted when it is disposed).
    /// </summary>
    public async Task SubmitAsync(JobUpload upload, AnonymizeOptions anonymize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(anonymize);
        if (upload.Inputs.Count == 0)
        {
            throw new InvalidOperationException("A job needs at least one input.");
        }

        var now = time.GetUtcNow();
        await store.CreateAsync(
            new JobState { TaskId = upload.TaskId, Kind = upload.Kind, Files = upload.Inputs.Count, CreatedAt = now, UpdatedAt = now },
            cancellationToken);
        try
        {
            await queue.EnqueueAsync(new JobMessage(upload.TaskId, upload.Kind, upload.Inputs, anonymize, now), cancellationToken);
        }
        catch (JobQueueUnavailableException)
        {
            await store.FailAsync(upload.TaskId, "The job could not be queued.", CancellationToken.None);
            throw;
        }

        upload.Submitted = true;
        metrics.Submitted(upload.Kind);
    }

    /// <summary>The job, or null for an id that is malformed, was never issued or has expired.</summary>
    public async Task<JobLookup?> FindAsync(string taskId, CancellationToken cancellationToken)
    {
        if (!JobStorage.IsValidTaskId(taskId) || await store.GetAsync(taskId, cancellationToken) is not { } state)
        {
            return null;
        }

        var position = state.Status == JobStatus.Queued ? await store.GetQueuePositionAsync(taskId, cancellationToken) : null;
        return new JobLookup(state, position);
    }

    /// <summary>
    /// Claims a succeeded job's result for one download: null when it was already served (or its file is gone). The
    /// caller reports how the download ended: <see cref="ResultDownload.DeliveredAsync"/> deletes the result,
    /// <see cref="ResultDownload.NotDeliveredAsync"/> keeps it for another try.
    /// </summary>
    public async Task<ResultDownload?> ClaimResultAsync(JobState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Status != JobStatus.Succeeded || state.Served || state.ResultPath is null)
        {
            return null;
        }

        var path = storage.Resolve(state.ResultPath);
        if (!File.Exists(path) || !await store.TryMarkServedAsync(state.TaskId, cancellationToken))
        {
            return null;
        }

        return new ResultDownload(this, state, path);
    }

    /// <summary>Queue depth and consumers, and how many jobs are processing, each within a short time limit.</summary>
    public async Task<QueueStatus> GetQueueStatusAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(QueueStatusTimeout);
            var stats = await queue.GetStatsAsync(timeout.Token);
            var processing = await store.CountProcessingAsync(timeout.Token);
            return new QueueStatus(stats.Queued, stats.Consumers, processing, true);
        }
        catch (Exception ex) when (ex is JobQueueUnavailableException or JobStoreUnavailableException or OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return new QueueStatus(0, 0, 0, false);
        }
    }

    /// <summary>
    /// Deletes job directories untouched for longer than STORAGE_TTL_MINUTES and drops expired job state; returns how
    /// many directories were deleted. Only the jobs folder of STORAGE_DIR is swept (the stats database is never touched).
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.StorageTtl;
        var deleted = 0;
        foreach (var (name, lastTouched) in storage.ListJobDirectories())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (lastTouched >= cutoff)
            {
                continue;
            }

            try
            {
                storage.DeleteJobDirectory(name);
                deleted++;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogSweepDeleteFailed(logger, name, ex.Message);
            }
        }

        await store.PurgeExpiredAsync(cancellationToken);
        return deleted;
    }

    /// <summary>A claimed result was sent whole: it is deleted (served once).</summary>
    internal void OnDelivered(string taskId)
    {
        LogServed(logger, taskId);
        TryDelete(taskId, () => storage.DeleteJob(taskId));
    }

    /// <summary>A claimed result was not sent whole: the claim is released and the result kept for another try.</summary>
    internal async Task OnNotDeliveredAsync(string taskId)
    {
        LogDownloadInterrupted(logger, taskId);
        await store.ReleaseServedAsync(taskId, CancellationToken.None);
    }

    /// <summary>Deletes files that are no longer needed; on failure the sweep removes them later.</summary>
    private void TryDelete(string taskId, Action delete)
    {
        try
        {
            delete();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogFilesNotDeleted(logger, taskId, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Result of job {TaskId} served")]
    private static partial void LogServed(ILogger logger, string taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Download of job {TaskId} interrupted; the result is kept for another try")]
    private static partial void LogDownloadInterrupted(ILogger logger, string taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Files of job {TaskId} not deleted: {Reason}")]
    private static partial void LogFilesNotDeleted(ILogger logger, string taskId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage sweep could not delete job directory {Name}: {Reason}")]
    private static partial void LogSweepDeleteFailed(ILogger logger, string name, string reason);
}
