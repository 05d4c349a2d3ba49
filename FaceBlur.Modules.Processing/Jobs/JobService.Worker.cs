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
