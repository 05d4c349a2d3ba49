using System.Collections.Concurrent;
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

    /// <summary>The jobs running on this instance, so a cancel stops them at once.</summary>
    private readonly ConcurrentDictionary<string, CancellationTokenSource> running = new(StringComparer.Ordinal);

    internal TimeProvider Time => time;

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
            var message = new JobMessage(upload.TaskId, upload.Kind, upload.Inputs, anonymize, now)
            {
                Detect = upload.Detect,
                GivenRegions = upload.HasGivenRegions,
            };
            await queue.EnqueueAsync(message, cancellationToken);
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

    /// <summary>The size and last change of a succeeded job's result file; null when it has none (any more).</summary>
    public ResultFile? DescribeResult(JobState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Status != JobStatus.Succeeded || state.ResultPath is null)
        {
            return null;
        }

        var file = new FileInfo(storage.Resolve(state.ResultPath));
        return file.Exists ? new ResultFile(file.Length, file.LastWriteTimeUtc) : null;
    }

    /// <summary>
    /// Claims a succeeded job's whole result for one download: null when another download has it or had it (served),
    /// or its file is gone. The caller reports how the download ended: <see cref="ResultDownload.DeliveredAsync"/>
    /// counts it delivered, <see cref="ResultDownload.NotDeliveredAsync"/> releases the claim for another try.
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

        if (OpenResult(path) is not { } file)
        {
            await store.ReleaseServedAsync(state.TaskId, CancellationToken.None);
            return null;
        }

        return new ResultDownload(this, state, file, claimed: true);
    }

    /// <summary>
    /// A succeeded job's result for a resumed download (a range), claimed by nobody: until the result was delivered,
    /// for any client; once delivered, only for a client whose request names this very result
    /// (<paramref name="namesThisResult"/>: its If-Range matched) and only for RESULT_RESUME_SECONDS. Null otherwise.
    /// </summary>
    public ResultDownload? ResumeResult(JobState state, bool namesThisResult)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Status != JobStatus.Succeeded || state.ResultPath is null)
        {
            return null;
        }

        if (state.DeliveredAt is { } delivered && (!namesThisResult || time.GetUtcNow() >= delivered + options.ResultResumeGrace))
        {
            return null;
        }

        return OpenResult(storage.Resolve(state.ResultPath)) is { } file ? new ResultDownload(this, state, file, claimed: false) : null;
    }

    /// <summary>
    /// The regions export of a succeeded job (also after its result was served), null while it has none (not done,
    /// failed). The caller looks the job up first to tell those apart.
    /// </summary>
    public Task<byte[]?> GetRegionsAsync(string taskId, CancellationToken cancellationToken) =>
        JobStorage.IsValidTaskId(taskId) ? store.GetRegionsAsync(taskId, cancellationToken) : Task.FromResult<byte[]?>(null);

    /// <summary>
    /// Cancels and forgets a job, whatever its state: its state and regions are deleted, so a queued job is skipped when
    /// its message comes up, a running one is stopped (at once on this instance, within a poll on another), and its
    /// files, a result unread among them, are deleted. False for an id that is unknown, expired or already deleted.
    /// </summary>
    public async Task<bool> CancelAsync(string taskId, CancellationToken cancellationToken)
    {
        if (!JobStorage.IsValidTaskId(taskId) || !await store.DeleteAsync(taskId, cancellationToken))
        {
            return false;
        }

        if (running.TryGetValue(taskId, out var job))
        {
            job.Cancel();
        }

        LogCancelled(logger, taskId);
        TryDelete(taskId, () => storage.DeleteJob(taskId));
        return true;
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

    /// <summary>
    /// A result's last byte reached a client: the first time, the result is recorded delivered (plain requests get
    /// result_gone from now on) and its files are deleted after RESULT_RESUME_SECONDS, the time a client that lost
    /// what its own side had acknowledged has to resume. When the store cannot record it, the files go all the same.
    /// </summary>
    internal async Task OnDeliveredAsync(string taskId)
    {
        try
        {
            if (!await store.MarkDeliveredAsync(taskId, CancellationToken.None))
            {
                return; // delivered before, or cancelled meanwhile (its files are deleted then)
            }
        }
        catch (JobStoreUnavailableException ex)
        {
            LogDeliveryNotRecorded(logger, taskId, ex.Message);
        }

        LogServed(logger, taskId);
        var grace = options.ResultResumeGrace;
        if (grace <= TimeSpan.Zero)
        {
            TryDelete(taskId, () => storage.DeleteJob(taskId));
            return;
        }

        // Not awaited: the request that delivered it is done. Lost if the process stops first; the sweep deletes it
        // at STORAGE_TTL_MINUTES then.
        _ = Task.Delay(grace, time).ContinueWith(
            _ => TryDelete(taskId, () => storage.DeleteJob(taskId)),
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }

    /// <summary>A claimed result was not delivered: the claim is released and the result kept for another try.</summary>
    internal async Task OnNotDeliveredAsync(string taskId)
    {
        LogDownloadInterrupted(logger, taskId);
        try
        {
            await store.ReleaseServedAsync(taskId, CancellationToken.None);
        }
        catch (JobStoreUnavailableException ex)
        {
            // The claim stays: a resumed download (a range) still gets the result until it was delivered.
            LogClaimNotReleased(logger, taskId, ex.Message);
        }
    }

    /// <summary>The result file open for reading, or null when it is gone.</summary>
    private static FileStream? OpenResult(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, useAsync: true);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {TaskId} cancelled: its state and files are deleted")]
    private static partial void LogCancelled(ILogger logger, string taskId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Result of job {TaskId} delivered")]
    private static partial void LogServed(ILogger logger, string taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Download of job {TaskId} interrupted; the result is kept for another try")]
    private static partial void LogDownloadInterrupted(ILogger logger, string taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery of job {TaskId} not recorded (the store does not answer): {Reason}")]
    private static partial void LogDeliveryNotRecorded(ILogger logger, string taskId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Download claim of job {TaskId} not released (the store does not answer): {Reason}")]
    private static partial void LogClaimNotReleased(ILogger logger, string taskId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Files of job {TaskId} not deleted: {Reason}")]
    private static partial void LogFilesNotDeleted(ILogger logger, string taskId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage sweep could not delete job directory {Name}: {Reason}")]
    private static partial void LogSweepDeleteFailed(ILogger logger, string name, string reason);
}
