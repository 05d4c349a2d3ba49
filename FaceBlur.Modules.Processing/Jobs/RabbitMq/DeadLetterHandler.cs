using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace FaceBlur.Modules.Processing.Jobs.RabbitMq;

/// <summary>
/// Hands each message of the dead-letter queue to the dead-letter handler, one at a time, and acknowledges it (drops
/// it) once the handler returned. A failing handler gets the message again after <see cref="RetryDelay"/>; one
/// interrupted by the consumer stopping leaves it in the dead-letter queue for the next consumer.
/// </summary>
/// <remarks>
/// An unreadable message (see <see cref="InvalidJobMessageException"/>) is logged without its body and dropped: the
/// handler cannot be called without a job.
/// </remarks>
internal sealed class DeadLetterHandler(
    Func<JobMessage, int, CancellationToken, Task> onDeadLetter,
    RabbitMqQueueOptions options,
    TimeProvider time,
    ILogger logger,
    CancellationToken stopToken)
{
    /// <summary>How long a message whose handler failed waits before it is handed over again.</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    public async Task OnDeliveryAsync(IChannel channel, ReceivedMessage received)
    {
        JobMessage message;
        try
        {
            message = JobMessageSerializer.Deserialize(received.Body.Span);
        }
        catch (InvalidJobMessageException ex)
        {
            logger.LogError(
                "Invalid dead-lettered message dropped: Queue={Queue} Bytes={Bytes} Error={Error}",
                options.DeadLetterQueueName,
                received.Body.Length,
                ex.Message);
            await SettleAsync(channel, received.DeliveryTag, ack: true);
            return;
        }

        // Dead-lettered for reaching the limit: exactly DeliveryLimit deliveries (see DeliveryHeaders).
        var deliveries = options.DeliveryLimit;
        try
        {
            logger.LogWarning(
                "Job dead-lettered: TaskId={TaskId} Deliveries={Deliveries} Reason={Reason}",
                message.TaskId,
                deliveries,
                DeliveryHeaders.DeadLetterReasonOf(received.Properties));
            await onDeadLetter(message, deliveries, stopToken);
        }
        catch (Exception) when (stopToken.IsCancellationRequested)
        {
            return; // stays in the dead-letter queue for the next consumer
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Dead-letter handler failed; it will be retried: TaskId={TaskId}", message.TaskId);
            try
            {
                await Task.Delay(RetryDelay, time, stopToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await SettleAsync(channel, received.DeliveryTag, ack: false);
            return;
        }

        await SettleAsync(channel, received.DeliveryTag, ack: true);
    }

    private async Task SettleAsync(IChannel channel, ulong deliveryTag, bool ack)
    {
        if (await ChannelOperations.SettleAsync(channel, deliveryTag, ack) is { } error)
        {
            logger.LogInformation(
                "Dead-letter delivery not settled, its channel closed: Queue={Queue} Error={Error}",
                options.DeadLetterQueueName,
                error);
        }
    }
}
