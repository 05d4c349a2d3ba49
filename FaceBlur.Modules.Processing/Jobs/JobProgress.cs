using Microsoft.Extensions.Logging;

namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>
/// Progress of a running job, written to the store at most once per <see cref="Interval"/> (and on every stage
/// change), never once per frame. A failed write is logged and skipped: progress is informative, the job goes on.
/// </summary>
public sealed partial class JobProgress(IJobStore store, string taskId, TimeProvider time, ILogger logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private readonly Lock _gate = new();
    private string? _stage;
    private long _lastWrite;
    private Task _pending = Task.CompletedTask;

    /// <summary>Reports <paramref name="progress"/> (0..1) in <paramref name="stage"/>; cheap to call per frame.</summary>
    public void Report(string stage, double progress)
    {
        lock (_gate)
        {
            var now = time.GetTimestamp();
            var stageChanged = stage != _stage;
            if (!stageChanged && time.GetElapsedTime(_lastWrite, now) < Interval)
            {
                return;
            }

            if (!stageChanged && !_pending.IsCompleted)
            {
                return; // the store is slower than the interval: skip rather than queue writes up
            }

            _stage = stage;
            _lastWrite = now;
            var value = Math.Clamp(progress, 0, 1);
            _pending = _pending.ContinueWith(_ => WriteAsync(stage, value), TaskScheduler.Default).Unwrap();
        }
    }

    /// <summary>Waits for the last write, so a final state is never overtaken by a late progress write.</summary>
    public Task FlushAsync()
    {
        lock (_gate)
        {
            return _pending;
        }
    }

    private async Task WriteAsync(string stage, double progress)
    {
        try
        {
            await store.UpdateProgressAsync(taskId, stage, progress, CancellationToken.None);
        }
        catch (JobStoreUnavailableException ex)
        {
            LogProgressWriteFailed(logger, taskId, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Progress of job {TaskId} not written: {Reason}")]
    private static partial void LogProgressWriteFailed(ILogger logger, string taskId, string reason);
}
