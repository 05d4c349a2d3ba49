using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>
/// The job queue (RabbitMQ for production and scale-out, an in-process channel for the zero-setup default).
/// Delivery is at least once: a message is removed only when its handler finished; a handler that throws, or a
/// consumer that stops or dies, returns the message to the queue, and after <c>JOB_DELIVERY_LIMIT</c> deliveries the
/// message is dead-lettered and handed to the dead-letter handler instead. Its health check says whether it can take
/// a job right now (<c>queue</c> in /health).
/// </summary>
public interface IJobQueue : IHealthCheck
{
    /// <summary>
    /// Enqueues durably: returns only once the broker holds the message (publisher confirm). Throws
    /// <see cref="JobQueueUnavailableException"/> when it cannot, so no 202 is ever answered for a lost job.
    /// </summary>
    Task EnqueueAsync(JobMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Consumes until <paramref name="cancellationToken"/> is cancelled, with at most <paramref name="prefetch"/>
    /// messages handled at once. <paramref name="handler"/> returning normally acknowledges the message; throwing
    /// returns it to the queue (one more delivery). <paramref name="onDeadLetter"/> receives each message that reached
    /// the delivery limit, with the number of deliveries it had; it is then dropped. Survives broker restarts
    /// (reconnects by itself) and returns only on cancellation.
    /// </summary>
    Task ConsumeAsync(
        int prefetch,
        Func<JobDelivery, CancellationToken, Task> handler,
        Func<JobMessage, int, CancellationToken, Task> onDeadLetter,
        CancellationToken cancellationToken);

    /// <summary>Messages waiting (not yet delivered) and consumers attached. Throws when unavailable.</summary>
    Task<QueueStats> GetStatsAsync(CancellationToken cancellationToken);
}

/// <summary>One delivery of a message: <see cref="DeliveryCount"/> is 1 the first time, 2 after one return, ...</summary>
public sealed record JobDelivery(JobMessage Message, int DeliveryCount);

public sealed record QueueStats(long Queued, int Consumers);

/// <summary>The queue cannot take the job (answered as 503 <c>service_unavailable</c>).</summary>
public sealed class JobQueueUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
