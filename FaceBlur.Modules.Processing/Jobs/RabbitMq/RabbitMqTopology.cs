using RabbitMQ.Client;

namespace FaceBlur.Modules.Processing.Jobs.RabbitMq;

/// <summary>
/// The two durable quorum queues: the job queue, which dead-letters a message that reached the delivery limit
/// (through the default exchange) to the dead-letter queue <c>{QueueName}.dead</c>.
/// </summary>
/// <remarks>
/// Declared on every channel this code opens (declaring again with the same arguments is a no-op), so a queue deleted
/// behind our back comes back with the next channel. The client records each declaration, and its topology recovery
/// declares the queues again when it re-establishes a lost connection.
/// </remarks>
internal static class RabbitMqTopology
{
    /// <summary>The arguments the job queue is declared with (a quorum queue dead-lettering to the dead queue).</summary>
    public static Dictionary<string, object?> MainQueueArguments(RabbitMqQueueOptions options) => new()
    {
        ["x-queue-type"] = "quorum",
        // RabbitMQ 3.x dead-letters a message when it is returned more than x-delivery-limit times.
        ["x-delivery-limit"] = options.DeliveryLimit - 1,
        ["x-dead-letter-exchange"] = string.Empty,
        ["x-dead-letter-routing-key"] = options.DeadLetterQueueName,
        // Dead-lettering is confirmed by the dead queue (at-least-once needs overflow reject-publish).
        ["x-dead-letter-strategy"] = "at-least-once",
        ["x-overflow"] = "reject-publish",
    };

    /// <summary>The arguments the dead-letter queue is declared with.</summary>
    public static Dictionary<string, object?> DeadQueueArguments() => new() { ["x-queue-type"] = "quorum" };

    /// <summary>Declares the dead-letter queue, then the job queue that routes to it.</summary>
    public static async Task DeclareAsync(IChannel channel, RabbitMqQueueOptions options, CancellationToken cancellationToken)
    {
        await channel.QueueDeclareAsync(
            options.DeadLetterQueueName,
            durable: true,
            exclusive: false,
            autoDelete: false,
            arguments: DeadQueueArguments(),
            cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(
            options.QueueName,
            durable: true,
            exclusive: false,
            autoDelete: false,
            arguments: MainQueueArguments(options),
            cancellationToken: cancellationToken);
    }
}
