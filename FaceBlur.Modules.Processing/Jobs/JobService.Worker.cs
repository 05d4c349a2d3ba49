using Microsoft.Extensions.Logging;

namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>The worker's side of a job's lifecycle: start, progress, and the end (succeeded, failed, dead-lettered).</summary>
public sealed partial class JobService
{
    /// <summary>
    /// Marks the job processing (one more attempt); null when it is unknown, expired or already done, and the worker
    /// then acknowledges the message without running it again.
    /// </summary>
    internal Task<JobState?> TryStartAsync(string taskId, CancellationToken cancellationToken) =>
        store.TryStartAsync(taskId, cancellationToken);

    /// <summary>How often a running job checks that it was not cancelled on another instance.</summary>
    internal static readonly TimeSpan CancelPollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// A running job's cancellation: cancelled when the host stops, when the job is cancelled on this instance, and when
    /// a poll finds its state gone (cancelled on another instance). Dispose it when the job ends.
    /// </summary>
    internal RunningJob Run(string taskId, CancellationToken stopping)
    {
        var job = new RunningJob(this, taskId, stopping);
        running[taskId] = job.Source;
        return job;
    }

    /// <summary>True when the job's state is gone: it was cancelled (or expired) while it ran.</summary>
    internal async Task<bool> IsGoneAsync(string taskId, CancellationToken cancellationToken) =>
        await store.GetAsync(taskId, cancellationToken) is null;

    /// <summary>
    /// After a job ended: when it was cancelled meanwhile (its state gone, so the end was not stored), what it wrote is
    /// deleted. A store that does not answer now leaves that to the sweep.
    /// </summary>
    internal async Task DeleteFilesIfCancelledAsync(string taskId, CancellationToken cancellationToken)
    {
        try
        {
            if (await IsGoneAsync(taskId, cancellationToken))
            {
                OnCancelledWhileRunning(taskId);
            }
        }
        catch (JobStoreUnavailableException)
        {
            // The sweep deletes the files of a job whose state expired.
        }
    }

    /// <summary>The end of a job that was cancelled while it ran: whatever it wrote meanwhile is deleted.</summary>
    internal void OnCancelledWhileRunning(string taskId) => TryDelete(taskId, () => storage.DeleteJob(taskId));

    internal void Forget(RunningJob job) => running.TryRemove(new KeyValuePair<string, CancellationTokenSource>(job.TaskId, job.Source));

    /// <summary>Where a running job reports its stage and progress (written at most twice a second).</summary>
    internal JobProgress TrackProgress(string taskId) => new(store, taskId, time, logger);

    /// <summary>Stores the result, then deletes the inputs (the result stays until it is served or expires).</summary>
    internal async Task CompleteAsync(JobMessage message, JobResult result, CancellationToken cancellationToken)
    {
        await store.CompleteAsync(message.TaskId, result, cancellationToken);
        TryDelete(message.TaskId, () => storage.DeleteInputs(message));
    }

    /// <summary>Stores why the job failed, then deletes its files.</summary>
    internal async Task FailAsync(JobMessage message, string reason, CancellationToken cancellationToken)
    {
        await store.FailAsync(message.TaskId, reason, cancellationToken);
        TryDelete(message.TaskId, () => storage.DeleteJob(message.TaskId));
    }

    /// <summary>A job whose processing threw on every delivery: it ends failed instead of looping.</summary>
    internal async Task DeadLetterAsync(JobMessage message, int deliveries, CancellationToken cancellationToken)
    {
        await FailAsync(message, $"Processing failed {deliveries} times; the file may be damaged or unsupported.", cancellationToken);
        metrics.DeadLettered(message.Kind);
        LogDeadLettered(logger, message.TaskId, deliveries);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {TaskId} dead-lettered after {Deliveries} deliveries")]
    private static partial void LogDeadLettered(ILogger logger, string taskId, int deliveries);
}
