using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace FaceBlur.Modules.Processing.Jobs.RabbitMq;

/// <summary>
/// One connection of a consumer: a job channel (prefetch = the handler concurrency) and a dead-letter channel (one
/// message at a time), each with its consumer, until something happens that automatic recovery does not undo.
/// </summary>
/// <remarks>
/// A lost connection is not such a thing: the client recovers it with both channels, their prefetch and their
/// consumers, and only the deliveries made before the loss are stale (<see cref="DeliveryGenerations"/>). The session
/// ends when the broker cancels a consumer (e.g. its queue was deleted), when a channel-level error closes a channel
/// while its connection stays up (the client recovers channels only along with their connection), or when the
/// connection is <see cref="BrokerConnection.BeyondRecovery"/>. The consumer loop then starts a new session, whose
/// new channels declare the queues again.
/// </remarks>
internal sealed class ConsumerSession(
    RabbitMqConnector connector,
    RabbitMqQueueOptions options,
    ushort prefetch,
    JobDeliveryHandler jobs,
    DeadLetterHandler deadLetters,
    ILogger logger,
    CancellationToken stopToken)
{
    private readonly TaskCompletionSource<SessionEnd> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<IChannel> _channels = [];

    private enum SessionEndReason
    {
        CancelledByBroker,
        ChannelClosed,
        ConnectionBeyondRecovery,
    }

    /// <summary>Connects and consumes; returns when the session has to be replaced, throws when stopped.</summary>
    public async Task RunAsync()
    {
        var connection = await connector.ConnectAsync("consumer", stopToken);
        using var generations = new DeliveryGenerations(stopToken);
        try
        {
            _ = connection.BeyondRecovery.ContinueWith(
                _ => _ended.TrySetResult(new SessionEnd(SessionEndReason.ConnectionBeyondRecovery, null)),
                TaskScheduler.Default);
            var work = await OpenChannelAsync(connection.Connection, prefetch, generations.StartNew);
            await RabbitMqTopology.DeclareAsync(work, options, stopToken);
            var dead = await OpenChannelAsync(connection.Connection, 1, onShutdown: null);

            var deadConsumer = new BrokerConsumer(dead, received => deadLetters.OnDeliveryAsync(dead, received), OnCancelledByBroker);
            await dead.BasicConsumeAsync(options.DeadLetterQueueName, autoAck: false, deadConsumer, stopToken);
            var workConsumer = new BrokerConsumer(
                work, received => jobs.OnDeliveryAsync(work, generations.Current, received), OnCancelledByBroker);
            await work.BasicConsumeAsync(options.QueueName, autoAck: false, workConsumer, stopToken);
            logger.LogInformation("Job consumer started: Queue={Queue} Prefetch={Prefetch}", options.QueueName, prefetch);

            LogEnd(await _ended.Task.WaitAsync(stopToken));
        }
        finally
        {
            // First stop the handlers' ability to settle anything, then give the messages back by closing.
            generations.End();
            foreach (var channel in _channels)
            {
                await ChannelOperations.CloseQuietlyAsync(channel, connector.Time);
            }

            await connection.DisposeAsync();
        }
    }

    private async Task<IChannel> OpenChannelAsync(IConnection connection, ushort channelPrefetch, Action? onShutdown)
    {
        var channel = await connection.CreateChannelAsync(cancellationToken: stopToken);
        _channels.Add(channel);
        channel.ChannelShutdownAsync += (_, args) =>
        {
            onShutdown?.Invoke();
            OnChannelShutdown(connection, args);
            return Task.CompletedTask;
        };
        await channel.BasicQosAsync(0, channelPrefetch, global: false, stopToken);
        return channel;
    }

    private void OnChannelShutdown(IConnection connection, ShutdownEventArgs args)
    {
        // With the connection down, the channel comes back with it; with the connection up, it is closed for good.
        // (The connection is marked closed before its channels hear of it.)
        if (args.Initiator != ShutdownInitiator.Application && connection.IsOpen)
        {
            _ended.TrySetResult(new SessionEnd(SessionEndReason.ChannelClosed, args.ReplyText));
        }
    }

    private void OnCancelledByBroker() => _ended.TrySetResult(new SessionEnd(SessionEndReason.CancelledByBroker, null));

    private void LogEnd(SessionEnd end)
    {
        switch (end.Reason)
        {
            case SessionEndReason.CancelledByBroker:
                logger.LogWarning("Job consumer cancelled by the broker; restarting: Queue={Queue}", options.QueueName);
                break;
            case SessionEndReason.ChannelClosed:
                logger.LogWarning(
                    "Job consumer channel closed; restarting: Queue={Queue} Reason={Reason}", options.QueueName, end.Detail);
                break;
            default:
                logger.LogWarning("Job consumer connection did not recover; reconnecting: Queue={Queue}", options.QueueName);
                break;
        }
    }

    private sealed record SessionEnd(SessionEndReason Reason, string? Detail);
}
