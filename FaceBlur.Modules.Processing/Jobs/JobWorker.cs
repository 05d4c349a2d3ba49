using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>
/// The in-process consumer: takes jobs from the queue (at most WORKER_CONCURRENCY at once), runs each on a dedicated
/// thread so request threads stay free, stores the result and its state, and only then lets the queue acknowledge the
/// message. A job is acknowledged without running again when the store says it is already done (a redelivery after a
/// crash that happened between storing and acknowledging). Stopping the host cancels running jobs without
/// acknowledging them, so the queue delivers them again.
/// </summary>
internal sealed partial class JobWorker(
    IJobQueue queue,
    JobService jobs,
    JobRunner runner,
    JobsOptions options,
    JobMetrics metrics,
    IEnumerable<IJobObserver> observers,
    TimeProvider time,
    ILogger<JobWorker> logger) : BackgroundService
{
    /// <summary>The nice value of job threads (0 = normal, 19 = lowest).</summary>
    internal const int WorkerNice = 10;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.WorkerEnabled)
        {
            LogDisabled(logger);
            return;
        }

        LogStarted(logger, options.EffectiveConcurrency);
        try
        {
            await queue.ConsumeAsync(options.EffectiveConcurrency, HandleAsync, jobs.DeadLetterAsync, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: unacknowledged jobs go back to the queue.
        }
    }

    /// <summary>Runs one delivery; returning acknowledges it, throwing hands it back to the queue.</summary>
    internal async Task HandleAsync(JobDelivery delivery, CancellationToken cancellationToken)
    {
        var message = delivery.Message;
        var state = await jobs.TryStartAsync(message.TaskId, cancellationToken);
        if (state is null)
        {
            LogSkipped(logger, message.TaskId, delivery.DeliveryCount);
            return;
        }

        LogJobStarted(logger, message.TaskId, message.Kind, message.Inputs.Count, delivery.DeliveryCount);
        metrics.Started(message.EnqueuedAt);
        var started = time.GetTimestamp();
        var progress = jobs.TrackProgress(message.TaskId);

        var job = jobs.Run(message.TaskId, cancellationToken);
        JobOutcome outcome;
        try
        {
            outcome = await RunWithinLimitAsync(message, progress, job, cancellationToken);
        }
        catch (OperationCanceledException) when (job.WasCancelled(cancellationToken))
        {
            await progress.FlushAsync();
            jobs.OnCancelledWhileRunning(message.TaskId);
            LogCancelledWhileRunning(logger, message.TaskId);
            return;
        }

        await progress.FlushAsync();
        var ended = await EndAsync(message, outcome, time.GetElapsedTime(started), cancellationToken);
        metrics.Ended(ended);
        await NotifyAsync(ended);
    }

    /// <summary>Stores how the job ended; a job cancelled meanwhile (its state gone) leaves no file behind.</summary>
    private async Task<JobEnded> EndAsync(JobMessage message, JobOutcome outcome, TimeSpan elapsed, CancellationToken cancellationToken)
    {
        JobEnded ended;
        if (outcome.Result is { } result)
        {
            await jobs.CompleteAsync(message, result, cancellationToken);
            LogJobSucceeded(logger, message.TaskId, result.FacesDetected, elapsed.TotalMilliseconds);
            ended = new JobEnded(message.TaskId, message.Kind, true, message.Inputs.Count, result.FacesDetected, result.VideoSeconds, result.VideoFrames, elapsed);
        }
        else
        {
            await jobs.FailAsync(message, outcome.FailureReason ?? "Processing failed.", cancellationToken);
            LogJobFailed(logger, message.TaskId, outcome.FailureReason);
            ended = new JobEnded(message.TaskId, message.Kind, false, message.Inputs.Count, 0, 0, 0, elapsed);
        }

        await jobs.DeleteFilesIfCancelledAsync(message.TaskId, cancellationToken);
        return ended;
    }

    /// <summary>
    /// Runs the job's CPU work on a dedicated thread (the queue bounds how many run at once: prefetch =
    /// WORKER_CONCURRENCY), below the request threads' priority, until it ends or <paramref name="job"/> is cancelled.
    /// An images job has IMAGE_TIMEOUT_SECONDS per image (more for one above 12 MP): past that it ends failed and the worker is free for the next
    /// job; its thread is told to stop and ends when the decoder call it may be stuck in returns (a native call cannot
    /// be interrupted). Videos bound each ffmpeg run themselves.
    /// </summary>
    private async Task<JobOutcome> RunWithinLimitAsync(JobMessage message, JobProgress progress, RunningJob job, CancellationToken stopping)
    {
        var run = Task.Factory.StartNew(
            () =>
            {
                // Below the request threads: a busy worker must not make /health or uploads wait.
                WorkerThreadPriority.Lower(WorkerNice);
                return runner.RunAsync(message, progress, job.Token);
            },
            job.Token,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).Unwrap();

        // Released when the work really ends, which for a job stopped at its time limit can be after this returns.
        _ = run.ContinueWith(_ => job.Dispose(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        if (message.Kind != JobKind.Images)
        {
            return await run;
        }

        var limit = options.ImageTimeLimit(message.Inputs.Select(i => i.Image is { } image ? (image.Width, image.Height) : ((int, int)?)null));
        try
        {
            return await run.WaitAsync(limit, time, stopping);
        }
        catch (TimeoutException)
        {
            await job.Source.CancelAsync();
            LogTimedOut(logger, message.TaskId, limit.TotalSeconds);
            return JobOutcome.Failed(
                $"Processing took longer than its time limit ({limit.TotalSeconds:0.#} s for {message.Inputs.Count} image(s)) and was stopped.");
        }
    }

    /// <summary>Tells the observers; what they throw is logged, never turned into a retry of a job that is done.</summary>
    private async Task NotifyAsync(JobEnded ended)
    {
        foreach (var observer in observers)
        {
            try
            {
                // Not the job's token: a job whose result is stored is counted even while the host stops.
                await observer.OnJobEndedAsync(ended, CancellationToken.None);
            }
            catch (Exception ex)
            {
                LogObserverFailed(logger, ex, ended.TaskId, observer.GetType().Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job worker disabled (WORKER_ENABLED=false): this instance only accepts and serves jobs")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job worker started with concurrency {Concurrency}")]
    private static partial void LogStarted(ILogger logger, int concurrency);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {TaskId} skipped: unknown, expired or already done (delivery {Delivery})")]
    private static partial void LogSkipped(ILogger logger, string taskId, int delivery);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {TaskId} started: kind {Kind}, {Files} file(s), delivery {Delivery}")]
    private static partial void LogJobStarted(ILogger logger, string taskId, JobKind kind, int files, int delivery);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {TaskId} succeeded: {Faces} face(s) in {ElapsedMs:0} ms")]
    private static partial void LogJobSucceeded(ILogger logger, string taskId, int faces, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {TaskId} failed: {Reason}")]
    private static partial void LogJobFailed(ILogger logger, string taskId, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {TaskId} stopped: it was cancelled")]
    private static partial void LogCancelledWhileRunning(ILogger logger, string taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {TaskId} stopped at its time limit of {LimitSeconds} s")]
    private static partial void LogTimedOut(ILogger logger, string taskId, double limitSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Observer {Observer} failed for job {TaskId}")]
    private static partial void LogObserverFailed(ILogger logger, Exception exception, string taskId, string observer);
}
