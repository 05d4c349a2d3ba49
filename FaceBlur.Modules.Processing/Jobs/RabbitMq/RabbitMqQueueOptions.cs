namespace FaceBlur.Modules.Processing.Jobs.RabbitMq;

/// <summary>
/// Where the RabbitMQ job queue lives. <paramref name="Url"/> is an AMQP URI (amqp://user:pass@host:5672/vhost);
/// dead-lettered jobs go to <c>{QueueName}.dead</c>; a message is delivered at most <paramref name="DeliveryLimit"/>
/// times before it is dead-lettered.
/// </summary>
public sealed record RabbitMqQueueOptions(string Url, string QueueName = "faceblur.jobs", int DeliveryLimit = 3)
{
    /// <summary>The dead-letter queue's name.</summary>
    public string DeadLetterQueueName => QueueName + ".dead";
}
