using Microsoft.Extensions.Logging;

namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>The worker's side of a job's lifecycle: start, progress, and the end (succeeded, failed, dead-lettered).</summary>
public sealed partial class JobService
{
    /// <summary>The first wait of the worker before it tries an unreachable store again; it doubles up to <see cref="MaxStoreRetryDelay"/>.</summary>
    internal static readonly TimeSpan FirstStoreRetryDelay = TimeSpan.FromMilliseconds(500);

    internal static readonly TimeSpan MaxStoreRetryDelay = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Marks the job processing (one more attempt); null when it is unknown, expired or already done, and the worker
    /// then acknowledges the message without running it again. Waits for an unreachable store (see <see cref="UntilStoredAsync"/>).
    /// </summary>
    internal Task<JobState?> TryStartAsync(string taskId, CancellationToken cancellationToken) =>
        UntilStoredAsync(ct => store.TryStartAsync(taskId, ct), taskId, "start", cancellationToken);

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

    /// <summary>Stores the result (waiting for an unreachable store), then deletes the inputs (the result stays until it is served or expires).</summary>
    internal async Task CompleteAsync(JobMessage message, JobResult result, CancellationToken cancellationToken)
    {
        await UntilStoredAsync(ct => Done(store.CompleteAsync(message.TaskId, result, ct)), message.TaskId, "completion", cancellationToken);
        TryDelete(message.TaskId, () => storage.DeleteInputs(message));
    }

    /// <summary>
    /// Stores why the job failed (waiting for an unreachable store), then deletes its files, unless the store says the
    /// job succeeded: a completion that a frozen store took late wins over this failure, and its result must stay.
    /// </summary>
    internal async Task FailAsync(JobMessage message, string reason, CancellationToken cancellationToken)
    {
        var taskId = message.TaskId;
        await UntilStoredAsync(ct => Done(store.FailAsync(taskId, reason, ct)), taskId, "failure", cancellationToken);
        var state = await UntilStoredAsync(ct => store.GetAsync(taskId, ct), taskId, "state", cancellationToken);
        if (state is { Status: JobStatus.Succeeded })
        {
            LogResultKept(logger, taskId);
            return;
        }

        TryDelete(taskId, () => storage.DeleteJob(taskId));
    }

    /// <summary>
    /// Runs one of the worker's store calls until the store answers. An unreachable or frozen store is an outage, not
    /// the job's fault: the job keeps its delivery (the queue holds it unacknowledged meanwhile) and is never failed or
    /// dead-lettered for it. Waits double from <see cref="FirstStoreRetryDelay"/> to <see cref="MaxStoreRetryDelay"/>;
    /// only <paramref name="cancellationToken"/> (the host stopping, the delivery lost) ends the wait.
    /// </summary>
    private async Task<T> UntilStoredAsync<T>(Func<CancellationToken, Task<T>> call, string taskId, string what, CancellationToken cancellationToken)
    {
        var delay = FirstStoreRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call(cancellationToken);
            }
            catch (JobStoreUnavailableException ex)
            {
                LogStoreRetry(logger, taskId, what, attempt, delay.TotalSeconds, ex.Message);
            }

            await Task.Delay(delay, time, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxStoreRetryDelay.Ticks));
        }
    }

    private static async Task<bool> Done(Task write)
    {
        await write;
        return true;
    }

    /// <summary>A job whose processing threw on every delivery: it ends failed instead of looping.</summary>
    internal async Task DeadLetterAsync(JobMessage message, int deliveries, CancellationToken cancellationToken)
    {
        await FailAsync(message, $"Processing failed {deliveries} times; the file may be damaged or unsupported.", cancellationToken);
        metrics.DeadLettered(message.Kind);
        LogDeadLettered(logger, message.TaskId, deliveries);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {TaskId}: the store did not take its {What} (try {Attempt}); trying again in {DelaySeconds} s: {Reason}")]
    private static partial void LogStoreRetry(ILogger logger, string taskId, string what, int attempt, double delaySeconds, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {TaskId} not failed: the store says it succeeded, so its result is kept")]
    private static partial void LogResultKept(ILogger logger, string taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {TaskId} dead-lettered after {Deliveries} deliveries")]
    private static partial void LogDeadLettered(ILogger logger, string taskId, int deliveries);
}
