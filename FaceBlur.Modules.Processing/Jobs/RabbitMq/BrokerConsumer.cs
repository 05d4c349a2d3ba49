using RabbitMQ.Client;

namespace FaceBlur.Modules.Processing.Jobs.RabbitMq;

/// <summary>A message as delivered; <see cref="Body"/> is valid only until the delivery callback returns.</summary>
internal readonly record struct ReceivedMessage(ulong DeliveryTag, IReadOnlyBasicProperties Properties, ReadOnlyMemory<byte> Body);

/// <summary>
/// A consumer that hands each delivery to a callback and reports a cancellation by the broker (e.g. its queue was
/// deleted), which, unlike a lost connection, automatic recovery does not undo.
/// </summary>
internal sealed class BrokerConsumer(
    IChannel channel,
    Func<ReceivedMessage, Task> onDelivery,
    Action onCancelledByBroker) : AsyncDefaultBasicConsumer(channel)
{
    public override Task HandleBasicDeliverAsync(
        string consumerTag,
        ulong deliveryTag,
        bool redelivered,
        string exchange,
        string routingKey,
        IReadOnlyBasicProperties properties,
        ReadOnlyMemory<byte> body,
        CancellationToken cancellationToken = default) =>
        onDelivery(new ReceivedMessage(deliveryTag, properties, body));

    public override async Task HandleBasicCancelAsync(string consumerTag, CancellationToken cancellationToken = default)
    {
        await base.HandleBasicCancelAsync(consumerTag, cancellationToken);
        onCancelledByBroker();
    }
}
