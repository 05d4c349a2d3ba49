using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>
/// Where job state lives (Redis for production and scale-out, in-memory for the zero-setup default). Every entry
/// expires STORAGE_TTL_MINUTES after its last change. Methods throw <see cref="JobStoreUnavailableException"/> when the
/// store cannot be reached. Its health check says whether it answers right now (<c>result_store</c> in /health).
/// </summary>
public interface IJobStore : IHealthCheck
{
    /// <summary>Records a new job (status queued) and puts it at the end of the queue order.</summary>
    Task CreateAsync(JobState state, CancellationToken cancellationToken);

    /// <summary>The job, or null for an id never issued or expired.</summary>
    Task<JobState?> GetAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>1-based position among the jobs still queued (oldest first), or null when the job is not queued.</summary>
    Task<int?> GetQueuePositionAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>
    /// Status processing (stage detecting, progress 0), one more attempt, StartedAt set, out of the queue order.
    /// Returns the state after the change, or null when the job is unknown, expired or already terminal (the worker
    /// then acknowledges the message without running it again).
    /// </summary>
    Task<JobState?> TryStartAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>Stage and progress of a processing job (ignored once the job is terminal).</summary>
    Task UpdateProgressAsync(string taskId, string stage, double progress, CancellationToken cancellationToken);

    /// <summary>
    /// Status succeeded with the result (progress 1), and the regions it hid (<see cref="JobResult.Regions"/>), kept as
    /// long as the job. Ignored for an unknown or terminal job.
    /// </summary>
    Task CompleteAsync(string taskId, JobResult result, CancellationToken cancellationToken);

    /// <summary>The regions export of a succeeded job (also once its result was served), or null.</summary>
    Task<byte[]?> GetRegionsAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>Forgets the job and its regions at once (cancel); false when it was unknown or expired.</summary>
    Task<bool> DeleteAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>Status failed with the reason. Ignored for an unknown or terminal job.</summary>
    Task FailAsync(string taskId, string reason, CancellationToken cancellationToken);

    /// <summary>Atomically marks a succeeded result as served: true for exactly one caller, false for every other.</summary>
    Task<bool> TryMarkServedAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>
    /// Undoes <see cref="TryMarkServedAsync"/> when the download did not complete (the client went away): the result
    /// is still there and may be fetched again. Ignored unless the job succeeded and was marked served, and once a
    /// download was delivered (<see cref="MarkDeliveredAsync"/>).
    /// </summary>
    Task ReleaseServedAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>
    /// Records that a download of a succeeded result was delivered (served, with <see cref="JobState.DeliveredAt"/> =
    /// now): true for the first caller only, false for every other and for a job that did not succeed.
    /// </summary>
    Task<bool> MarkDeliveredAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>How many jobs are processing right now, over all instances sharing the store.</summary>
    Task<int> CountProcessingAsync(CancellationToken cancellationToken);

    /// <summary>Drops what has expired (the in-memory store; Redis expires keys itself but tidies its indexes).</summary>
    Task PurgeExpiredAsync(CancellationToken cancellationToken);
}

/// <summary>The job store cannot be reached (answered as 503 <c>service_unavailable</c>).</summary>
public sealed class JobStoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
