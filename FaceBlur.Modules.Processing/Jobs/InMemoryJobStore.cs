using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>
/// <see cref="IJobStore"/> in this process's memory: the zero-setup default for a single instance. Thread-safe (one
/// lock around every operation). An entry expires TTL after its last change by the <see cref="TimeProvider"/>; an
/// expired entry is invisible to every read and write even before <see cref="PurgeExpiredAsync"/> drops it.
/// </summary>
public sealed class InMemoryJobStore : IJobStore
{
    private readonly Dictionary<string, Entry> _jobs = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;
    private long _sequence;

    /// <param name="ttl">How long an entry lives after its last change (STORAGE_TTL_MINUTES).</param>
    /// <param name="time">The clock for timestamps and expiry.</param>
    public InMemoryJobStore(TimeSpan ttl, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        _ttl = ttl;
        _time = time;
    }

    /// <inheritdoc />
    /// <remarks>The state is stored as given (a missing CreatedAt/UpdatedAt is set to now); a queued job goes to the
    /// end of the queue order. An existing job with the same id is replaced.</remarks>
    public Task CreateAsync(JobState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentException.ThrowIfNullOrEmpty(state.TaskId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var createdAt = state.CreatedAt == default ? now : state.CreatedAt;
            var updatedAt = state.UpdatedAt == default ? createdAt : state.UpdatedAt;
            _jobs[state.TaskId] = new Entry(state with { CreatedAt = createdAt, UpdatedAt = updatedAt }, ++_sequence, now + _ttl);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<JobState?> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult(Find(taskId, _time.GetUtcNow())?.State);
        }
    }

    /// <inheritdoc />
    public Task<int?> GetQueuePositionAsync(string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (Find(taskId, now) is not { State.Status: JobStatus.Queued } entry)
            {
                return Task.FromResult<int?>(null);
            }

            var ahead = 0;
            foreach (var other in _jobs.Values)
            {
                if (other.State.Status == JobStatus.Queued && !other.IsExpired(now) && other.IsBefore(entry))
                {
                    ahead++;
                }
            }

            return Task.FromResult<int?>(ahead + 1);
        }
    }

    /// <inheritdoc />
    /// <remarks>Allowed from queued and from processing (a redelivery after a crash restarts the job).</remarks>
    public Task<JobState?> TryStartAsync(string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (Find(taskId, now) is not { State.IsTerminal: false } entry)
            {
                return Task.FromResult<JobState?>(null);
            }

            var started = entry.State with
            {
                Status = JobStatus.Processing,
                Stage = JobStages.Detecting,
                Progress = 0,
                Attempts = entry.State.Attempts + 1,
                StartedAt = now,
                UpdatedAt = now,
            };
            Save(entry, started, now);
            return Task.FromResult<JobState?>(started);
        }
    }

    /// <inheritdoc />
    /// <remarks>Applies only while the job is processing (ignored for queued, terminal, unknown or expired jobs).
    /// <paramref name="progress"/> is clamped to 0..1.</remarks>
    public Task UpdateProgressAsync(string taskId, string stage, double progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        ArgumentNullException.ThrowIfNull(stage);
        var clamped = JobFields.ClampProgress(progress);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (Find(taskId, now) is { State.Status: JobStatus.Processing } entry)
            {
                Save(entry, entry.State with { Stage = stage, Progress = clamped, UpdatedAt = now }, now);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task CompleteAsync(string taskId, JobResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        ArgumentNullException.ThrowIfNull(result);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (Find(taskId, now) is { State.IsTerminal: false } entry)
            {
                Save(
                    entry with { Regions = result.Regions },
                    entry.State with
                    {
                        Status = JobStatus.Succeeded,
                        Stage = null,
                        Progress = 1,
                        FacesDetected = result.FacesDetected,
                        ResultPath = result.ResultPath,
                        ResultContentType = result.ContentType,
                        ResultFileName = result.FileName,
                        CompletedAt = now,
                        UpdatedAt = now,
                    },
                    now);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task FailAsync(string taskId, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        ArgumentNullException.ThrowIfNull(reason);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (Find(taskId, now) is { State.IsTerminal: false } entry)
            {
                Save(
                    entry,
                    entry.State with
                    {
                        Status = JobStatus.Failed,
                        Stage = null,
                        Error = reason,
                        CompletedAt = now,
                        UpdatedAt = now,
                    },
                    now);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> TryMarkServedAsync(string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (Find(taskId, now) is not { State: { Status: JobStatus.Succeeded, Served: false } } entry)
            {
                return Task.FromResult(false);
            }

            Save(entry, entry.State with { Served = true, UpdatedAt = now }, now);
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task ReleaseServedAsync(string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (Find(taskId, now) is { State: { Status: JobStatus.Succeeded, Served: true, DeliveredAt: null } } entry)
            {
                Save(entry, entry.State with { Served = false, UpdatedAt = now }, now);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> MarkDeliveredAsync(string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (Find(taskId, now) is not { State: { Status: JobStatus.Succeeded, DeliveredAt: null } } entry)
            {
                return Task.FromResult(false);
            }

            Save(entry, entry.State with { Served = true, DeliveredAt = now, UpdatedAt = now }, now);
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<int> CountProcessingAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var count = 0;
            foreach (var entry in _jobs.Values)
            {
                if (entry.State.Status == JobStatus.Processing && !entry.IsExpired(now))
                {
                    count++;
                }
            }

            return Task.FromResult(count);
        }
    }

    /// <inheritdoc />
    public Task PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            foreach (var (taskId, entry) in _jobs)
            {
                if (entry.IsExpired(now))
                {
                    // Removing the current key while enumerating a Dictionary is allowed.
                    _jobs.Remove(taskId);
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<byte[]?> GetRegionsAsync(string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult(Find(taskId, _time.GetUtcNow()) is { State.Status: JobStatus.Succeeded } entry ? entry.Regions : null);
        }
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult(Find(taskId, _time.GetUtcNow()) is not null && _jobs.Remove(taskId));
        }
    }

    /// <summary>Healthy while the process runs: the store is in its memory.</summary>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(HealthCheckResult.Healthy("In-memory job store."));

    private Entry? Find(string taskId, DateTimeOffset now) =>
        _jobs.TryGetValue(taskId, out var entry) && !entry.IsExpired(now) ? entry : null;

    private void Save(Entry entry, JobState state, DateTimeOffset now) =>
        _jobs[state.TaskId] = entry with { State = state, ExpiresAt = now + _ttl };

    private sealed record Entry(JobState State, long Sequence, DateTimeOffset ExpiresAt)
    {
        /// <summary>The regions export of a succeeded job.</summary>
        public byte[]? Regions { get; init; }

        public bool IsExpired(DateTimeOffset now) => now >= ExpiresAt;

        /// <summary>Queue order: creation time (to the millisecond, like the Redis store), then creation sequence.</summary>
        public bool IsBefore(Entry other)
        {
            var created = State.CreatedAt.ToUnixTimeMilliseconds();
            var otherCreated = other.State.CreatedAt.ToUnixTimeMilliseconds();
            return created != otherCreated ? created < otherCreated : Sequence < other.Sequence;
        }
    }
}
