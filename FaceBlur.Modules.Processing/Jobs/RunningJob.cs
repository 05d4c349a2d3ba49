namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>
/// The cancellation of one running job (<see cref="JobService.Run"/>): the host stopping, a cancel on this instance, or
/// its state found gone by a poll every <see cref="JobService.CancelPollInterval"/> (a cancel on another instance).
/// </summary>
internal sealed class RunningJob : IDisposable
{
    private readonly JobService owner;
    private readonly CancellationTokenSource stopWatching = new();
    private readonly Task watcher;

    public RunningJob(JobService owner, string taskId, CancellationToken stopping)
    {
        this.owner = owner;
        TaskId = taskId;
        Source = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        watcher = WatchAsync();
    }

    public string TaskId { get; }

    public CancellationTokenSource Source { get; }

    public CancellationToken Token => Source.Token;

    /// <summary>True when the job was cancelled as a job (not because the host stops).</summary>
    public bool WasCancelled(CancellationToken stopping) => Source.IsCancellationRequested && !stopping.IsCancellationRequested;

    public void Dispose()
    {
        owner.Forget(this);
        stopWatching.Cancel();
        _ = watcher.ContinueWith(
            _ =>
            {
                stopWatching.Dispose();
                Source.Dispose();
            },
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }

    private async Task WatchAsync()
    {
        try
        {
            using var timer = new PeriodicTimer(JobService.CancelPollInterval, owner.Time);
            while (await timer.WaitForNextTickAsync(stopWatching.Token))
            {
                if (await IsGoneAsync())
                {
                    await Source.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stopWatching.IsCancellationRequested)
        {
            // The job ended.
        }
    }

    private async Task<bool> IsGoneAsync()
    {
        try
        {
            return await owner.IsGoneAsync(TaskId, stopWatching.Token);
        }
        catch (JobStoreUnavailableException)
        {
            // The store is away: no news is not a cancel; ask again at the next tick.
            return false;
        }
    }
}
