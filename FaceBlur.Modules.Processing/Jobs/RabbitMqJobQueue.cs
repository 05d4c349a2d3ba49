using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>
/// <see cref="IJobQueue"/> on RabbitMQ (client 7.x): a durable quorum queue whose messages are dead-lettered (through
/// the default exchange) to the durable quorum queue <c>{QueueName}.dead</c> once they reached the delivery limit.
/// </summary>
/// <remarks>
/// <para>
/// Nothing connects in the constructor, so the application starts while the broker is down. Publishing, statistics
/// and pings share one lazily made connection with one confirming channel; each <see cref="ConsumeAsync"/> call owns a
/// connection of its own, made and remade in the background with back-off. Connections recover by themselves
/// (automatic and topology recovery); one that has not recovered after <see cref="DefaultRecoveryGrace"/> is thrown away and
/// made anew.
/// </para>
/// <para>
/// Delivery counting (observed on RabbitMQ 3.10.8): the quorum queue counts returns of a message (a nack with
/// requeue, or the channel or connection closing while the message was unacknowledged) and sends that count as the
/// <c>x-delivery-count</c> header on every delivery (0 the first time), so <see cref="JobDelivery.DeliveryCount"/> is
/// the header plus one. It dead-letters a message when a return would make the count exceed <c>x-delivery-limit</c>,
/// which is therefore declared as <c>DeliveryLimit - 1</c>: at most <c>DeliveryLimit</c> deliveries. An interrupted
/// delivery (consumer stopped, broker or network gone) counts as one too. When a consumer's channel is lost, its
/// running handlers are cancelled: their deliveries can no longer be acknowledged and the broker hands them out again.
/// </para>
/// <para>
/// A message whose body is not a job (see <see cref="InvalidJobMessageException"/>) is logged without its body and
/// acknowledged, i.e. dropped, on either queue: no dead-letter handler can be called without a job.
/// </para>
/// </remarks>
public sealed class RabbitMqJobQueue : IJobQueue, IAsyncDisposable
{
    /// <summary>How long a publish (connect, declare, publish, confirm) may take before the job is refused.</summary>
    public static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long a lost connection is left to automatic recovery before it is replaced by a new one.</summary>
    public static readonly TimeSpan DefaultRecoveryGrace = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan MinBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MonitorInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan DeadLetterRetryDelay = TimeSpan.FromSeconds(1);

    private readonly RabbitMqQueueOptions _options;
    private readonly ILogger<RabbitMqJobQueue> _logger;
    private readonly ConnectionFactory _factory;
    private readonly SemaphoreSlim _publisherLock = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private TrackedConnection? _publisherConnection;
    private IChannel? _publisherChannel;

    public RabbitMqJobQueue(RabbitMqQueueOptions options, ILogger<RabbitMqJobQueue> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
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
        _factory = new ConnectionFactory
        {
            Uri = uri,
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(2),
            RequestedConnectionTimeout = OperationTimeout,
            HandshakeContinuationTimeout = OperationTimeout,
            ContinuationTimeout = TimeSpan.FromSeconds(10),
            RequestedHeartbeat = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>How long a lost connection is left to automatic recovery (shorter in tests).</summary>
    internal TimeSpan RecoveryGrace { get; init; } = DefaultRecoveryGrace;

    /// <summary>The arguments the job queue is declared with (a quorum queue dead-lettering to the dead queue).</summary>
    internal static Dictionary<string, object?> MainQueueArguments(RabbitMqQueueOptions options) => new()
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
    internal static Dictionary<string, object?> DeadQueueArguments() => new() { ["x-queue-type"] = "quorum" };

    public async Task EnqueueAsync(JobMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var body = JobMessageSerializer.Serialize(message);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        timeout.CancelAfter(OperationTimeout);
        IChannel? channel = null;
        try
        {
            channel = await GetPublisherChannelAsync(timeout.Token);
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
                routingKey: _options.QueueName,
                mandatory: true,
                basicProperties: properties,
                body: body,
                cancellationToken: timeout.Token);
            _logger.LogInformation(
                "Job enqueued: TaskId={TaskId} Queue={Queue} Bytes={Bytes}",
                message.TaskId,
                _options.QueueName,
                body.Length);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            if (channel is not null)
            {
                // The channel may be left with an unconfirmed publish: never reuse it.
                await DropPublisherChannelAsync(channel);
            }

            var reason = ex switch
            {
                PublishException { IsReturn: true } => "the broker could not route it",
                PublishException => "the broker refused it (nack)",
                OperationCanceledException => $"no confirmation within {OperationTimeout.TotalSeconds:0} s",
                JobQueueUnavailableException => "the broker is unreachable",
                _ => ex.GetType().Name,
            };
            _logger.LogWarning(
                "Job enqueue failed: TaskId={TaskId} Queue={Queue} Reason={Reason} Error={Error}",
                message.TaskId,
                _options.QueueName,
                reason,
                ex.Message);
            throw ex as JobQueueUnavailableException
                ?? new JobQueueUnavailableException($"The job queue did not take the job: {reason}.", ex);
        }
    }

    public async Task<QueueStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        timeout.CancelAfter(OperationTimeout);
        try
        {
            var channel = await GetPublisherChannelAsync(timeout.Token);
            var ok = await channel.QueueDeclarePassiveAsync(_options.QueueName, timeout.Token);
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

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        timeout.CancelAfter(OperationTimeout);
        try
        {
            var channel = await GetPublisherChannelAsync(timeout.Token);
            return channel.IsOpen;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            _logger.LogDebug("Job queue ping failed: Error={Error}", ex.Message);
            return false;
        }
    }

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
        using var consumer = new ConsumerLoop(this, (ushort)prefetch, handler, onDeadLetter, stop.Token);
        await consumer.RunAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync();
        await _publisherLock.WaitAsync();
        try
        {
            if (_publisherChannel is not null)
            {
                await CloseQuietlyAsync(_publisherChannel);
                _publisherChannel = null;
            }

            if (_publisherConnection is not null)
            {
                await _publisherConnection.DisposeAsync();
                _publisherConnection = null;
            }
        }
        finally
        {
            _publisherLock.Release();
        }

        // The lock and the token source are left to the GC: a late caller may still be waiting on them.
    }

    private async Task<IChannel> GetPublisherChannelAsync(CancellationToken cancellationToken)
    {
        await _publisherLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
            if (_publisherChannel is { IsOpen: true } open)
            {
                return open;
            }

            var connection = await GetPublisherConnectionAsync(cancellationToken);
            if (_publisherChannel is not null)
            {
                await CloseQuietlyAsync(_publisherChannel);
                _publisherChannel = null;
            }

            var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
                cancellationToken);
            try
            {
                await DeclareTopologyAsync(channel, cancellationToken);
            }
            catch
            {
                await CloseQuietlyAsync(channel);
                throw;
            }

            _publisherChannel = channel;
            return channel;
        }
        finally
        {
            _publisherLock.Release();
        }
    }

    /// <summary>Called with the publisher lock held.</summary>
    private async Task<IConnection> GetPublisherConnectionAsync(CancellationToken cancellationToken)
    {
        if (_publisherConnection is { } tracked)
        {
            if (tracked.Connection.IsOpen)
            {
                return tracked.Connection;
            }

            if (!tracked.ShouldRebuild(RecoveryGrace))
            {
                throw new JobQueueUnavailableException(
                    "The connection to RabbitMQ is lost; automatic recovery is in progress.");
            }

            _logger.LogWarning("RabbitMQ publisher connection did not recover; reconnecting: Queue={Queue}", _options.QueueName);
            _publisherConnection = null;
            await tracked.DisposeAsync();
        }

        _publisherConnection = await ConnectAsync("publisher", cancellationToken);
        return _publisherConnection.Connection;
    }

    private async Task DropPublisherChannelAsync(IChannel channel)
    {
        await _publisherLock.WaitAsync(CancellationToken.None);
        try
        {
            if (ReferenceEquals(_publisherChannel, channel))
            {
                _publisherChannel = null;
            }
        }
        finally
        {
            _publisherLock.Release();
        }

        await CloseQuietlyAsync(channel);
    }

    private async Task<TrackedConnection> ConnectAsync(string role, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(OperationTimeout);
        IConnection connection;
        try
        {
            connection = await _factory.CreateConnectionAsync($"faceblur-{role}", timeout.Token);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw new JobQueueUnavailableException(
                $"RabbitMQ is unreachable at {_factory.HostName}:{_factory.Port}: {ex.GetBaseException().Message}", ex);
        }

        _logger.LogInformation(
            "RabbitMQ connected: Role={Role} Host={Host} Port={Port}", role, _factory.HostName, _factory.Port);
        return new TrackedConnection(connection, role, _logger);
    }

    private async Task DeclareTopologyAsync(IChannel channel, CancellationToken cancellationToken)
    {
        await channel.QueueDeclareAsync(
            _options.DeadLetterQueueName,
            durable: true,
            exclusive: false,
            autoDelete: false,
            arguments: DeadQueueArguments(),
            cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(
            _options.QueueName,
            durable: true,
            exclusive: false,
            autoDelete: false,
            arguments: MainQueueArguments(_options),
            cancellationToken: cancellationToken);
    }

    private static async Task CloseQuietlyAsync(IChannel channel)
    {
        try
        {
            if (channel.IsOpen)
            {
                using var timeout = new CancellationTokenSource(OperationTimeout);
                await channel.CloseAsync(timeout.Token);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Already closing or closed: nothing left to release but the object.
        }

        try
        {
            await channel.DisposeAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Same as above.
        }
    }

    private static long? ReadInteger(object? value) => value switch
    {
        byte v => v,
        sbyte v => v,
        short v => v,
        ushort v => v,
        int v => v,
        uint v => v,
        long v => v,
        ulong v when v <= long.MaxValue => (long)v,
        _ => null,
    };

    private static string? ReadString(object? value) => value switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string text => text,
        _ => null,
    };

    /// <summary>
    /// The broker's <c>x-delivery-count</c> (returns so far; RabbitMQ 3.10 sends 0 on a first delivery) plus one, or 1
    /// when the header is missing.
    /// </summary>
    internal static int DeliveryCountOf(IReadOnlyBasicProperties properties)
    {
        if (properties.Headers is { } headers
            && headers.TryGetValue("x-delivery-count", out var raw)
            && ReadInteger(raw) is { } returns
            && returns >= 0)
        {
            return (int)Math.Min(returns + 1, int.MaxValue);
        }

        return 1;
    }

    /// <summary>
    /// How many deliveries a dead-lettered message had. RabbitMQ 3.10 does not carry the job queue's count over: the
    /// dead-lettered copy has an <c>x-death</c> entry (reason <c>delivery_limit</c>, count 1 = times dead-lettered) and
    /// an <c>x-delivery-count</c> that belongs to the dead-letter queue. A message dead-lettered for reaching the limit
    /// had exactly <c>DeliveryLimit</c> deliveries, so that is the answer.
    /// </summary>
    private int DeadLetterDeliveriesOf(IReadOnlyBasicProperties properties, out string reason)
    {
        reason = properties.Headers is { } headers && headers.TryGetValue("x-first-death-reason", out var raw)
            ? ReadString(raw) ?? "unknown"
            : "unknown";
        return _options.DeliveryLimit;
    }

    /// <summary>A connection and when it was lost, to tell "recovering" from "given up".</summary>
    private sealed class TrackedConnection : IAsyncDisposable
    {
        private long _lostAt;
        private volatile bool _closedByApplication;

        public TrackedConnection(IConnection connection, string role, ILogger logger)
        {
            Connection = connection;
            connection.ConnectionShutdownAsync += (_, args) =>
            {
                Interlocked.CompareExchange(ref _lostAt, Stopwatch.GetTimestamp(), 0);
                if (args.Initiator == ShutdownInitiator.Application)
                {
                    _closedByApplication = true;
                }
                else
                {
                    logger.LogWarning(
                        "RabbitMQ connection lost: Role={Role} Initiator={Initiator} ReplyCode={ReplyCode} ReplyText={ReplyText}",
                        role,
                        args.Initiator,
                        args.ReplyCode,
                        args.ReplyText);
                }

                return Task.CompletedTask;
            };
            connection.RecoverySucceededAsync += (_, _) =>
            {
                Interlocked.Exchange(ref _lostAt, 0);
                logger.LogInformation("RabbitMQ connection recovered: Role={Role}", role);
                return Task.CompletedTask;
            };
            connection.ConnectionRecoveryErrorAsync += (_, args) =>
            {
                logger.LogWarning(
                    "RabbitMQ connection recovery attempt failed: Role={Role} Error={Error}",
                    role,
                    args.Exception.GetBaseException().Message);
                return Task.CompletedTask;
            };
        }

        public IConnection Connection { get; }

        /// <summary>True when the connection is down and automatic recovery cannot or did not bring it back in time.</summary>
        public bool ShouldRebuild(TimeSpan grace)
        {
            if (Connection.IsOpen)
            {
                return false;
            }

            if (_closedByApplication)
            {
                return true;
            }

            var lostAt = Interlocked.Read(ref _lostAt);
            if (lostAt == 0)
            {
                // Closed, but the shutdown event has not run yet: start the clock now.
                Interlocked.CompareExchange(ref _lostAt, Stopwatch.GetTimestamp(), 0);
                return false;
            }

            return Stopwatch.GetElapsedTime(lostAt) > grace;
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await Connection.CloseAsync(TimeSpan.FromSeconds(2));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Already closed.
            }

            try
            {
                await Connection.DisposeAsync();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Already disposed.
            }
        }
    }

    /// <summary>One <see cref="ConsumeAsync"/> call: connects, consumes, and starts over until stopped.</summary>
    private sealed class ConsumerLoop(
        RabbitMqJobQueue queue,
        ushort prefetch,
        Func<JobDelivery, CancellationToken, Task> handler,
        Func<JobMessage, int, CancellationToken, Task> onDeadLetter,
        CancellationToken stopToken) : IDisposable
    {
        private readonly ConcurrentDictionary<Task, bool> _running = new();
        private readonly SemaphoreSlim _slots = new(prefetch, prefetch);
        private readonly ILogger _logger = queue._logger;
        private readonly RabbitMqQueueOptions _options = queue._options;

        public async Task RunAsync()
        {
            var backoff = MinBackoff;
            try
            {
                while (!stopToken.IsCancellationRequested)
                {
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        await RunSessionAsync();
                    }
                    catch (OperationCanceledException) when (stopToken.IsCancellationRequested)
                    {
                        break;
                    }
                    catch (Exception ex)
                    {
                        _logger.LogWarning(
                            "Job consumer not connected; retrying: Queue={Queue} RetryInSeconds={RetryInSeconds} Error={Error}",
                            _options.QueueName,
                            backoff.TotalSeconds,
                            ex.GetBaseException().Message);
                    }

                    if (Stopwatch.GetElapsedTime(started) > MaxBackoff)
                    {
                        backoff = MinBackoff; // it ran for a while: start the back-off over
                    }

                    try
                    {
                        await Task.Delay(backoff, stopToken);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }

                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                }
            }
            finally
            {
                // The connection is closed, so the broker has taken back what the handlers were running.
                await Task.WhenAll(_running.Keys);
                _logger.LogInformation("Job consumer stopped: Queue={Queue}", _options.QueueName);
            }
        }

        public void Dispose() => _slots.Dispose();

        private async Task RunSessionAsync()
        {
            var tracked = await queue.ConnectAsync("consumer", stopToken);
            using var session = new Session(stopToken);
            try
            {
                var connection = tracked.Connection;
                var work = await connection.CreateChannelAsync(cancellationToken: stopToken);
                session.Channels.Add(work);
                work.ChannelShutdownAsync += (_, _) =>
                {
                    session.NewGeneration();
                    return Task.CompletedTask;
                };
                await queue.DeclareTopologyAsync(work, stopToken);
                await work.BasicQosAsync(0, prefetch, global: false, stopToken);
                var workConsumer = new AsyncEventingBasicConsumer(work);
                workConsumer.ReceivedAsync += (_, args) => OnDeliveryAsync(session, work, args);

                var dead = await connection.CreateChannelAsync(cancellationToken: stopToken);
                session.Channels.Add(dead);
                await dead.BasicQosAsync(0, 1, global: false, stopToken);
                var deadConsumer = new AsyncEventingBasicConsumer(dead);
                deadConsumer.ReceivedAsync += (_, args) => OnDeadLetterAsync(dead, args);

                await dead.BasicConsumeAsync(_options.DeadLetterQueueName, autoAck: false, deadConsumer, stopToken);
                await work.BasicConsumeAsync(_options.QueueName, autoAck: false, workConsumer, stopToken);
                _logger.LogInformation(
                    "Job consumer started: Queue={Queue} Prefetch={Prefetch}", _options.QueueName, prefetch);

                var consumerLostChecks = 0;
                while (true)
                {
                    await Task.Delay(MonitorInterval, stopToken);
                    if (work.IsOpen && dead.IsOpen)
                    {
                        // Cancelled by the broker (e.g. the queue was deleted): start over, which declares it again.
                        consumerLostChecks = workConsumer.IsRunning && deadConsumer.IsRunning ? 0 : consumerLostChecks + 1;
                        if (consumerLostChecks >= 4)
                        {
                            _logger.LogWarning("Job consumer cancelled by the broker; restarting: Queue={Queue}", _options.QueueName);
                            return;
                        }

                        continue;
                    }

                    if (connection.IsOpen)
                    {
                        // A channel-level error closed a channel: automatic recovery does not bring it back.
                        _logger.LogWarning(
                            "Job consumer channel closed; restarting: Queue={Queue} Reason={Reason}",
                            _options.QueueName,
                            (work.IsOpen ? dead : work).CloseReason?.ReplyText);
                        return;
                    }

                    if (tracked.ShouldRebuild(queue.RecoveryGrace))
                    {
                        _logger.LogWarning(
                            "Job consumer connection did not recover; reconnecting: Queue={Queue}", _options.QueueName);
                        return;
                    }
                }
            }
            finally
            {
                // First stop the handlers' ability to settle anything, then give the messages back by closing.
                session.End();
                foreach (var channel in session.Channels)
                {
                    await CloseQuietlyAsync(channel);
                }

                await tracked.DisposeAsync();
            }
        }

        private async Task OnDeliveryAsync(Session session, IChannel channel, BasicDeliverEventArgs args)
        {
            var generation = session.Current;
            JobMessage message;
            try
            {
                // The body is only valid during this call: read it now.
                message = JobMessageSerializer.Deserialize(args.Body.Span);
            }
            catch (InvalidJobMessageException ex)
            {
                _logger.LogError(
                    "Invalid job message dropped: Queue={Queue} MessageId={MessageId} Bytes={Bytes} Error={Error}",
                    _options.QueueName,
                    args.BasicProperties.MessageId,
                    args.Body.Length,
                    ex.Message);
                await TrySettleAsync(channel, generation, args.DeliveryTag, ack: true);
                return;
            }

            var delivery = new JobDelivery(message, DeliveryCountOf(args.BasicProperties));
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

            var task = Task.Run(() => RunHandlerAsync(channel, generation, args.DeliveryTag, delivery), CancellationToken.None);
            _running.TryAdd(task, true);
            _ = task.ContinueWith(t => _running.TryRemove(t, out _), TaskScheduler.Default);
        }

        private async Task RunHandlerAsync(IChannel channel, Generation generation, ulong deliveryTag, JobDelivery delivery)
        {
            try
            {
                _logger.LogDebug(
                    "Job delivered: TaskId={TaskId} DeliveryCount={DeliveryCount}",
                    delivery.Message.TaskId,
                    delivery.DeliveryCount);
                await handler(delivery, generation.Token);
            }
            catch (Exception ex) when (generation.Token.IsCancellationRequested)
            {
                _logger.LogInformation(
                    "Job interrupted; it returns to the queue: TaskId={TaskId} DeliveryCount={DeliveryCount} Error={Error}",
                    delivery.Message.TaskId,
                    delivery.DeliveryCount,
                    ex.GetType().Name);
                _slots.Release();
                return;
            }
            catch (Exception ex)
            {
                _logger.LogWarning(
                    ex,
                    "Job handler failed; returning it to the queue: TaskId={TaskId} DeliveryCount={DeliveryCount} DeliveryLimit={DeliveryLimit}",
                    delivery.Message.TaskId,
                    delivery.DeliveryCount,
                    _options.DeliveryLimit);
                await TrySettleAsync(channel, generation, deliveryTag, ack: false);
                _slots.Release();
                return;
            }

            // Finished: acknowledge, even when the consumer is stopping, as long as the channel still allows it.
            await TrySettleAsync(channel, generation, deliveryTag, ack: true);
            _slots.Release();
        }

        private async Task TrySettleAsync(IChannel channel, Generation generation, ulong deliveryTag, bool ack)
        {
            if (generation.Stale || !channel.IsOpen)
            {
                _logger.LogInformation(
                    "Delivery not settled, its channel is gone; the broker delivers it again: Queue={Queue} Ack={Ack}",
                    _options.QueueName,
                    ack);
                return;
            }

            if (await SettleAsync(channel, deliveryTag, ack) is { } error)
            {
                _logger.LogInformation(
                    "Delivery not settled, its channel closed; the broker delivers it again: Queue={Queue} Ack={Ack} Error={Error}",
                    _options.QueueName,
                    ack,
                    error);
            }
        }

        private async Task OnDeadLetterAsync(IChannel channel, BasicDeliverEventArgs args)
        {
            JobMessage message;
            try
            {
                message = JobMessageSerializer.Deserialize(args.Body.Span);
            }
            catch (InvalidJobMessageException ex)
            {
                _logger.LogError(
                    "Invalid dead-lettered message dropped: Queue={Queue} Bytes={Bytes} Error={Error}",
                    _options.DeadLetterQueueName,
                    args.Body.Length,
                    ex.Message);
                await SettleDeadAsync(channel, args.DeliveryTag, ack: true);
                return;
            }

            var deliveries = queue.DeadLetterDeliveriesOf(args.BasicProperties, out var reason);
            try
            {
                _logger.LogWarning(
                    "Job dead-lettered: TaskId={TaskId} Deliveries={Deliveries} Reason={Reason}",
                    message.TaskId,
                    deliveries,
                    reason);
                await onDeadLetter(message, deliveries, stopToken);
            }
            catch (Exception) when (stopToken.IsCancellationRequested)
            {
                return; // stays in the dead-letter queue for the next consumer
            }
            catch (Exception ex)
            {
                _logger.LogError(
                    ex, "Dead-letter handler failed; it will be retried: TaskId={TaskId}", message.TaskId);
                try
                {
                    await Task.Delay(DeadLetterRetryDelay, stopToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                await SettleDeadAsync(channel, args.DeliveryTag, ack: false);
                return;
            }

            await SettleDeadAsync(channel, args.DeliveryTag, ack: true);
        }

        private async Task SettleDeadAsync(IChannel channel, ulong deliveryTag, bool ack)
        {
            if (await SettleAsync(channel, deliveryTag, ack) is { } error)
            {
                _logger.LogInformation(
                    "Dead-letter delivery not settled, its channel closed: Queue={Queue} Error={Error}",
                    _options.DeadLetterQueueName,
                    error);
            }
        }

        /// <summary>Acknowledges or returns (requeue) a delivery; the error when its channel closed first, else null.</summary>
        private static async Task<string?> SettleAsync(IChannel channel, ulong deliveryTag, bool ack)
        {
            try
            {
                if (ack)
                {
                    await channel.BasicAckAsync(deliveryTag, multiple: false, CancellationToken.None);
                }
                else
                {
                    await channel.BasicNackAsync(deliveryTag, multiple: false, requeue: true, CancellationToken.None);
                }

                return null;
            }
            catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or ObjectDisposedException)
            {
                return ex.Message;
            }
        }
    }

    /// <summary>
    /// The deliveries of one channel incarnation. When the channel shuts down (connection lost, even if it recovers
    /// later) its deliveries can no longer be settled and the broker delivers them again, so their handlers are
    /// cancelled.
    /// </summary>
    private sealed class Generation(CancellationToken stopToken) : IDisposable
    {
        private readonly CancellationTokenSource _cts = CancellationTokenSource.CreateLinkedTokenSource(stopToken);
        private volatile bool _stale;

        public CancellationToken Token => _cts.Token;

        public bool Stale => _stale;

        public void MarkStale()
        {
            _stale = true;
            try
            {
                _cts.Cancel();
            }
            catch (AggregateException)
            {
                // A handler's cancellation callback threw; the handler sees the cancellation anyway.
            }
        }

        public void Dispose() => _cts.Dispose();
    }

    private sealed class Session(CancellationToken stopToken) : IDisposable
    {
        private readonly Lock _lock = new();
        private readonly List<Generation> _generations = [new Generation(stopToken)];

        public List<IChannel> Channels { get; } = [];

        public Generation Current
        {
            get
            {
                lock (_lock)
                {
                    return _generations[^1];
                }
            }
        }

        public void NewGeneration()
        {
            Generation old;
            lock (_lock)
            {
                old = _generations[^1];
                _generations.Add(new Generation(stopToken));
            }

            old.MarkStale();
        }

        public void End()
        {
            lock (_lock)
            {
                foreach (var generation in _generations)
                {
                    if (!generation.Stale && !stopToken.IsCancellationRequested)
                    {
                        generation.MarkStale();
                    }
                }
            }
        }

        /// <summary>After <see cref="End"/>: every generation is cancelled, so tokens held by handlers stay cancelled.</summary>
        public void Dispose()
        {
            lock (_lock)
            {
                foreach (var generation in _generations)
                {
                    generation.Dispose();
                }

                _generations.Clear();
            }
        }
    }
}
