using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace FaceBlur.Modules.Processing.Jobs.RabbitMq;

/// <summary>
/// The publishing side: one lazily made connection with one channel in confirm mode, shared by publishing, statistics
/// and pings. A publish returns only once the broker confirmed it holds the message.
/// </summary>
/// <remarks>
/// While the connection is down and the client is recovering it, every call fails at once with
/// <see cref="JobQueueUnavailableException"/> (503) instead of waiting. A channel that failed a call is never reused
/// (it may hold an unconfirmed publish); the next call opens and declares a new one.
/// </remarks>
internal sealed class RabbitMqPublisher(RabbitMqConnector connector, RabbitMqQueueOptions options, ILogger logger)
    : IAsyncDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private BrokerConnection? _connection;
    private IChannel? _channel;

    /// <summary>Publishes a persistent message to the job queue and waits for the broker's confirmation.</summary>
    public async Task PublishAsync(JobMessage message, CancellationToken cancellationToken)
    {
        var body = JobMessageSerializer.Serialize(message);
        using var deadline = new Deadline(RabbitMqConnector.OperationTimeout, connector.Time, cancellationToken, _disposed.Token);
        IChannel? channel = null;
        try
        {
            channel = await GetChannelAsync(deadline.Token);
            var properties = new BasicProperties
            {
                Persistent = true,
                ContentType = "application/json",
                MessageId = message.TaskId,
                Type = "faceblur.job",
                Timestamp = new AmqpTimestamp(message.EnqueuedAt.ToUnixTimeSeconds()),
            };
            await channel.BasicPublishAsync(
                exchange: string.Empty,
                routingKey: options.QueueName,
                mandatory: true,
                basicProperties: properties,
                body: body,
                cancellationToken: deadline.Token);
            logger.LogInformation(
                "Job enqueued: TaskId={TaskId} Queue={Queue} Bytes={Bytes}", message.TaskId, options.QueueName, body.Length);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            if (channel is not null)
            {
                await DropChannelAsync(channel);
            }

            var reason = ex switch
            {
                PublishException { IsReturn: true } => "the broker could not route it",
                PublishException => "the broker refused it (nack)",
                OperationCanceledException => $"no confirmation within {RabbitMqConnector.OperationTimeout.TotalSeconds:0} s",
                JobQueueUnavailableException => "the broker is unreachable",
                _ => ex.GetType().Name,
            };
            logger.LogWarning(
                "Job enqueue failed: TaskId={TaskId} Queue={Queue} Reason={Reason} Error={Error}",
                message.TaskId,
                options.QueueName,
                reason,
                ex.Message);
            throw ex as JobQueueUnavailableException
                ?? new JobQueueUnavailableException($"The job queue did not take the job: {reason}.", ex);
        }
    }

    /// <summary>Messages waiting in the job queue and consumers attached to it.</summary>
    public async Task<QueueStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        using var deadline = new Deadline(RabbitMqConnector.OperationTimeout, connector.Time, cancellationToken, _disposed.Token);
        try
        {
            var channel = await GetChannelAsync(deadline.Token);
            var ok = await channel.QueueDeclarePassiveAsync(options.QueueName, deadline.Token);
            return new QueueStats(ok.MessageCount, checked((int)ok.ConsumerCount));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (JobQueueUnavailableException)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw new JobQueueUnavailableException($"The job queue statistics are unavailable: {ex.Message}", ex);
        }
    }

    /// <summary>True when a publish could go out right now (connected, queues declared).</summary>
    public async Task<bool> CanPublishAsync(CancellationToken cancellationToken)
    {
        using var deadline = new Deadline(RabbitMqConnector.OperationTimeout, connector.Time, cancellationToken, _disposed.Token);
        try
        {
            var channel = await GetChannelAsync(deadline.Token);
            return channel.IsOpen;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            logger.LogDebug("Job queue ping failed: Error={Error}", ex.Message);
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync();
        await _lock.WaitAsync();
        try
        {
            if (_channel is not null)
            {
                await ChannelOperations.CloseQuietlyAsync(_channel, connector.Time);
                _channel = null;
            }

            if (_connection is not null)
            {
                await _connection.DisposeAsync();
                _connection = null;
            }
        }
        finally
        {
            _lock.Release();
        }

        // The lock and the token source are left to the GC: a late caller may still be waiting on them.
    }

    private async Task<IChannel> GetChannelAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
            if (_channel is { IsOpen: true } open)
            {
                return open;
            }

            var connection = await GetConnectionAsync(cancellationToken);
            if (_channel is not null)
            {
                await ChannelOperations.CloseQuietlyAsync(_channel, connector.Time);
                _channel = null;
            }

            var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
                cancellationToken);
            try
            {
                await RabbitMqTopology.DeclareAsync(channel, options, cancellationToken);
            }
            catch
            {
                await ChannelOperations.CloseQuietlyAsync(channel, connector.Time);
                throw;
            }

            _channel = channel;
            return channel;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Called with the lock held: the open connection, a new one, or unavailable while recovering.</summary>
    private async Task<IConnection> GetConnectionAsync(CancellationToken cancellationToken)
    {
        if (_connection is { } current)
        {
            if (current.Connection.IsOpen)
            {
                return current.Connection;
            }

            if (!current.IsBeyondRecovery)
            {
                throw new JobQueueUnavailableException(
                    "The connection to RabbitMQ is lost; automatic recovery is in progress.");
            }

            logger.LogWarning("RabbitMQ publisher connection did not recover; reconnecting: Queue={Queue}", options.QueueName);
            _connection = null;
            await current.DisposeAsync();
        }

        _connection = await connector.ConnectAsync("publisher", cancellationToken);
        return _connection.Connection;
    }

    private async Task DropChannelAsync(IChannel channel)
    {
        await _lock.WaitAsync(CancellationToken.None);
        try
        {
            if (ReferenceEquals(_channel, channel))
            {
                _channel = null;
            }
        }
        finally
        {
            _lock.Release();
        }

        await ChannelOperations.CloseQuietlyAsync(channel, connector.Time);
    }
}
