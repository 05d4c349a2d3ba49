using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace FaceBlur.Modules.Processing.Jobs.RabbitMq;

/// <summary>
/// <see cref="IJobQueue"/> on RabbitMQ (client 7.x): a durable quorum queue whose messages are dead-lettered to a
/// second quorum queue once they reached the delivery limit (<see cref="RabbitMqTopology"/>).
/// </summary>
/// <remarks>
/// <para>
/// Nothing connects in the constructor, so the application starts while the broker is down. Publishing, statistics
/// and pings share one lazily made connection with one confirming channel (<see cref="RabbitMqPublisher"/>); each
/// <see cref="ConsumeAsync"/> call owns a connection of its own, made and remade in the background with back-off
/// (<see cref="ConsumerLoop"/>). A lost connection is left to the client's automatic connection and topology recovery
/// and replaced only when that does not bring it back (<see cref="BrokerConnection"/>).
/// </para>
/// <para>
/// Delivery counts come from the quorum queue's header (<see cref="DeliveryHeaders"/>). When a consumer's channel is
/// lost, its running handlers are cancelled: their deliveries can no longer be acknowledged and the broker hands them
/// out again (<see cref="DeliveryGenerations"/>).
/// </para>
/// </remarks>
public sealed class RabbitMqJobQueue : IJobQueue, IAsyncDisposable
{
    private readonly RabbitMqQueueOptions _options;
    private readonly ILogger<RabbitMqJobQueue> _logger;
    private readonly RabbitMqConnector _connector;
    private readonly RabbitMqPublisher _publisher;
    private readonly CancellationTokenSource _disposed = new();

    /// <param name="options">Where the queue lives and its delivery limit.</param>
    /// <param name="time">The clock for timeouts, back-off and the recovery grace.</param>
    /// <param name="logger">Connection, delivery and failure events (never a message body).</param>
    public RabbitMqJobQueue(RabbitMqQueueOptions options, TimeProvider time, ILogger<RabbitMqJobQueue> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Url);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.QueueName);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DeliveryLimit, 1);
        if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
        {
            throw new ArgumentException("The RabbitMQ URL must be an absolute amqp:// or amqps:// URI.", nameof(options));
        }

        _options = options;
        _logger = logger;
        _connector = new RabbitMqConnector(uri, time, logger);
        _publisher = new RabbitMqPublisher(_connector, options, logger);
    }

    public Task EnqueueAsync(JobMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _publisher.PublishAsync(message, cancellationToken);
    }

    public Task<QueueStats> GetStatsAsync(CancellationToken cancellationToken) =>
        _publisher.GetStatsAsync(cancellationToken);

    /// <summary>Healthy when a publish could go out right now (connected, queues declared).</summary>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await _publisher.CanPublishAsync(cancellationToken)
            ? HealthCheckResult.Healthy("Connected to RabbitMQ.")
            : HealthCheckResult.Unhealthy("RabbitMQ cannot take jobs right now.");

    public async Task ConsumeAsync(
        int prefetch,
        Func<JobDelivery, CancellationToken, Task> handler,
        Func<JobMessage, int, CancellationToken, Task> onDeadLetter,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(prefetch, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefetch, ushort.MaxValue);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(onDeadLetter);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        using var consumer = new ConsumerLoop(_connector, _options, (ushort)prefetch, handler, onDeadLetter, _logger, stop.Token);
        await consumer.RunAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        // Stops the consumers (each closes its own connection), then the publisher's connection.
        await _disposed.CancelAsync();
        await _publisher.DisposeAsync();

        // The token source is left to the GC: a consumer may still be unwinding with a token linked to it.
    }
}
