using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace FaceBlur.Modules.Processing.Jobs.RabbitMq;

/// <summary>
/// Runs the job handler for the deliveries of the job queue, at most <c>prefetch</c> at once, and settles each delivery
/// only after its handler returned: acknowledged when it returned normally, returned to the queue (one more delivery)
/// when it threw, left unsettled when its channel generation went stale (the broker delivers it again).
/// </summary>
/// <remarks>
/// A message whose body is not a job (see <see cref="InvalidJobMessageException"/>) is logged without its body and
/// acknowledged, i.e. dropped: no handler can be called without a job. Lives as long as one <c>ConsumeAsync</c> call,
/// across the sessions (connections) it goes through.
/// </remarks>
internal sealed class JobDeliveryHandler(
    ushort prefetch,
    Func<JobDelivery, CancellationToken, Task> handler,
    RabbitMqQueueOptions options,
    ILogger logger) : IDisposable
{
    private readonly ConcurrentDictionary<Task, bool> _running = new();
    private readonly SemaphoreSlim _slots = new(prefetch, prefetch);

    /// <summary>Reads the delivery (its body is valid only during this call) and starts its handler.</summary>
    public async Task OnDeliveryAsync(IChannel channel, DeliveryGeneration generation, ReceivedMessage received)
    {
        JobMessage message;
        try
        {
            message = JobMessageSerializer.Deserialize(received.Body.Span);
        }
        catch (InvalidJobMessageException ex)
        {
            logger.LogError(
                "Invalid job message dropped: Queue={Queue} MessageId={MessageId} Bytes={Bytes} Error={Error}",
                options.QueueName,
                received.Properties.MessageId,
                received.Body.Length,
                ex.Message);
            await TrySettleAsync(channel, generation, received.DeliveryTag, ack: true);
            return;
        }

        var delivery = new JobDelivery(message, DeliveryHeaders.DeliveryCountOf(received.Properties));
        try
        {
            // The broker already bounds unacknowledged deliveries; this also bounds handlers left over from a
            // lost channel, whose messages the broker is delivering again.
            await _slots.WaitAsync(generation.Token);
        }
        catch (OperationCanceledException)
        {
            return; // stopping or channel lost: the broker takes the message back
        }

        var tag = received.DeliveryTag;
        var task = Task.Run(() => RunHandlerAsync(channel, generation, tag, delivery), CancellationToken.None);
        _running.TryAdd(task, true);
        _ = task.ContinueWith(t => _running.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>Completes when every handler started so far has finished.</summary>
    public Task WhenAllFinished() => Task.WhenAll(_running.Keys);

    public void Dispose() => _slots.Dispose();

    private async Task RunHandlerAsync(IChannel channel, DeliveryGeneration generation, ulong deliveryTag, JobDelivery delivery)
    {
        try
        {
            logger.LogDebug(
                "Job delivered: TaskId={TaskId} DeliveryCount={DeliveryCount}",
                delivery.Message.TaskId,
                delivery.DeliveryCount);
            await handler(delivery, generation.Token);
        }
        catch (Exception ex) when (generation.Token.IsCancellationRequested)
        {
            logger.LogInformation(
                "Job interrupted; it returns to the queue: TaskId={TaskId} DeliveryCount={DeliveryCount} Error={Error}",
                delivery.Message.TaskId,
                delivery.DeliveryCount,
                ex.GetType().Name);
            _slots.Release();
            return;
        }
        catch (Exception ex)
        {
            logger.LogWarning(
                ex,
                "Job handler failed; returning it to the queue: TaskId={TaskId} DeliveryCount={DeliveryCount} DeliveryLimit={DeliveryLimit}",
                delivery.Message.TaskId,
                delivery.DeliveryCount,
                options.DeliveryLimit);
            await TrySettleAsync(channel, generation, deliveryTag, ack: false);
            _slots.Release();
            return;
        }

        // Finished: acknowledge, even when the consumer is stopping, as long as the channel still allows it.
        await TrySettleAsync(channel, generation, deliveryTag, ack: true);
        _slots.Release();
    }

    private async Task TrySettleAsync(IChannel channel, DeliveryGeneration generation, ulong deliveryTag, bool ack)
    {
        if (generation.Stale || !channel.IsOpen)
        {
            logger.LogInformation(
                "Delivery not settled, its channel is gone; the broker delivers it again: Queue={Queue} Ack={Ack}",
                options.QueueName,
                ack);
            return;
        }

        if (await ChannelOperations.SettleAsync(channel, deliveryTag, ack) is { } error)
        {
            logger.LogInformation(
                "Delivery not settled, its channel closed; the broker delivers it again: Queue={Queue} Ack={Ack} Error={Error}",
                options.QueueName,
                ack,
                error);
        }
    }
}
