using System.Threading.Channels;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>
/// The zero-setup <see cref="IJobQueue"/>: an unbounded <see cref="Channel{T}"/> in this process, with the same
/// semantics as the RabbitMQ queue (at most <c>prefetch</c> handlers at once per consumer, a failed or interrupted
/// delivery goes back to the queue with one more delivery counted, after <c>deliveryLimit</c> deliveries the message
/// goes to the dead-letter handler and is dropped). Messages live only as long as the process: this mode is for a
/// single instance that accepts losing queued jobs when the process dies.
/// </summary>
/// <remarks>
/// A message that goes back to the queue joins its end (the channel has no front), so other waiting messages are not
/// held up by a failing one. When <c>ConsumeAsync</c> is cancelled, the messages its handlers were running go back to
/// the queue at once (before the handlers have even returned); whatever such a handler does afterwards is ignored.
/// </remarks>
public sealed class InProcessJobQueue : IJobQueue
{
    private readonly Channel<QueuedMessage> _channel = Channel.CreateUnbounded<QueuedMessage>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });

    private readonly int _deliveryLimit;
    private readonly ILogger _logger;
    private int _consumers;

    public InProcessJobQueue(int deliveryLimit = 3, ILogger<InProcessJobQueue>? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(deliveryLimit, 1);
        _deliveryLimit = deliveryLimit;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public Task EnqueueAsync(JobMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_channel.Writer.TryWrite(new QueuedMessage(message, 0)))
        {
            // Only possible if the writer were completed, which this class never does.
            throw new JobQueueUnavailableException("The in-process job queue is closed.");
        }

        return Task.CompletedTask;
    }

    public async Task ConsumeAsync(
        int prefetch,
        Func<JobDelivery, CancellationToken, Task> handler,
        Func<JobMessage, int, CancellationToken, Task> onDeadLetter,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(prefetch, 1);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(onDeadLetter);

        Interlocked.Increment(ref _consumers);
        using var slots = new SemaphoreSlim(prefetch, prefetch);
        var running = new List<Task>();
        try
        {
            while (true)
            {
                await slots.WaitAsync(cancellationToken);
                QueuedMessage queued;
                try
                {
                    queued = await _channel.Reader.ReadAsync(cancellationToken);
                }
                catch
                {
                    slots.Release();
                    throw;
                }

                var task = Task.Run(
                    async () =>
                    {
                        try
                        {
                            await ProcessAsync(queued, handler, onDeadLetter, cancellationToken);
                        }
                        finally
                        {
                            slots.Release();
                        }
                    },
                    CancellationToken.None);
                lock (running)
                {
                    running.RemoveAll(t => t.IsCompleted);
                    running.Add(task);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Normal end: the caller stopped consuming.
        }
        finally
        {
            Interlocked.Decrement(ref _consumers);
            Task[] pending;
            lock (running)
            {
                pending = [.. running];
            }

            // The interrupted messages are already back in the queue; wait for the handlers to notice.
            await Task.WhenAll(pending);
        }
    }

    public Task<QueueStats> GetStatsAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new QueueStats(_channel.Reader.Count, Volatile.Read(ref _consumers)));

    /// <summary>Healthy while the process runs: the queue is in its memory.</summary>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(HealthCheckResult.Healthy("In-process queue."));

    private async Task ProcessAsync(
        QueuedMessage queued,
        Func<JobDelivery, CancellationToken, Task> handler,
        Func<JobMessage, int, CancellationToken, Task> onDeadLetter,
        CancellationToken cancellationToken)
    {
        if (queued.Deliveries >= _deliveryLimit)
        {
            // It reached the limit on a delivery that was interrupted by a stopping consumer.
            await DeadLetterAsync(queued, onDeadLetter, cancellationToken);
            return;
        }

        var delivery = new JobDelivery(queued.Message, queued.Deliveries + 1);
        var returned = queued with { Deliveries = delivery.DeliveryCount };

        // 0 = in flight, 1 = settled by the handler or by the consumer stopping: whoever is first decides.
        var settled = 0;
        bool TrySettle() => Interlocked.CompareExchange(ref settled, 1, 0) == 0;

        await using (cancellationToken.Register(() =>
        {
            if (TrySettle())
            {
                Requeue(returned, "consumer stopped");
            }
        }))
        {
            try
            {
                await handler(delivery, cancellationToken);
                if (TrySettle())
                {
                    return; // acknowledged: the message is gone
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                if (TrySettle())
                {
                    _logger.LogWarning(
                        ex,
                        "Job handler failed: TaskId={TaskId} DeliveryCount={DeliveryCount} DeliveryLimit={DeliveryLimit}",
                        delivery.Message.TaskId,
                        delivery.DeliveryCount,
                        _deliveryLimit);
                    if (returned.Deliveries >= _deliveryLimit)
                    {
                        await DeadLetterAsync(returned, onDeadLetter, cancellationToken);
                    }
                    else
                    {
                        Requeue(returned, "handler failed");
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Cancelled with the consumer: the registration above has put the message back.
            }
        }
    }

    private async Task DeadLetterAsync(
        QueuedMessage queued,
        Func<JobMessage, int, CancellationToken, Task> onDeadLetter,
        CancellationToken cancellationToken)
    {
        _logger.LogWarning(
            "Job dead-lettered: TaskId={TaskId} Deliveries={Deliveries}", queued.Message.TaskId, queued.Deliveries);
        try
        {
            await onDeadLetter(queued.Message, queued.Deliveries, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Keep it for the next consumer, which dead-letters it again on receipt.
            Requeue(queued, "consumer stopped during dead-letter handling");
        }
        catch (Exception ex)
        {
            // Nothing more can be done in process: the message is dropped either way.
            _logger.LogError(
                ex, "Dead-letter handler failed; message dropped: TaskId={TaskId}", queued.Message.TaskId);
        }
    }

    private void Requeue(QueuedMessage queued, string reason)
    {
        _channel.Writer.TryWrite(queued);
        _logger.LogInformation(
            "Job returned to queue: TaskId={TaskId} Deliveries={Deliveries} Reason={Reason}",
            queued.Message.TaskId,
            queued.Deliveries,
            reason);
    }

    /// <summary>A waiting message and how many deliveries it has had so far.</summary>
    private sealed record QueuedMessage(JobMessage Message, int Deliveries);
}
