using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace FaceBlur.Modules.Processing.Jobs.RabbitMq;

/// <summary>
/// One connection to the broker, and whether it is still worth waiting for.
/// </summary>
/// <remarks>
/// A lost connection is left to the client's automatic recovery: it reconnects every <c>NetworkRecoveryInterval</c>
/// and its topology recovery brings back the declared queues and every channel with its confirm mode, prefetch and
/// consumers. It does not recover a connection the broker refused access to, nor one closed by the application, and it
/// has had bugs where a recovery never completed; so a connection still down <see cref="RecoveryGrace"/> after it was
/// lost is declared <see cref="BeyondRecovery"/>, and its owner replaces it with a new one.
/// </remarks>
internal sealed class BrokerConnection : IAsyncDisposable
{
    /// <summary>How long a lost connection is left to automatic recovery before it is replaced by a new one.</summary>
    public static readonly TimeSpan RecoveryGrace = TimeSpan.FromSeconds(30);

    private readonly TaskCompletionSource _beyondRecovery = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private readonly string _role;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private ITimer? _grace;

    public BrokerConnection(IConnection connection, string role, TimeProvider time, ILogger logger)
    {
        Connection = connection;
        _role = role;
        _time = time;
        _logger = logger;
        connection.ConnectionShutdownAsync += (_, args) =>
        {
            OnShutdown(args);
            return Task.CompletedTask;
        };
        connection.RecoverySucceededAsync += (_, _) =>
        {
            StopGrace();
            _logger.LogInformation("RabbitMQ connection recovered: Role={Role}", _role);
            return Task.CompletedTask;
        };
        connection.ConnectionRecoveryErrorAsync += (_, args) =>
        {
            _logger.LogWarning(
                "RabbitMQ connection recovery attempt failed: Role={Role} Error={Error}",
                _role,
                args.Exception.GetBaseException().Message);
            return Task.CompletedTask;
        };
    }

    public IConnection Connection { get; }

    /// <summary>
    /// Completes once the connection is closed for good: closed by the application, or lost and not recovered within
    /// <see cref="RecoveryGrace"/>.
    /// </summary>
    public Task BeyondRecovery => _beyondRecovery.Task;

    /// <summary>Down, and no longer expected to come back by itself.</summary>
    public bool IsBeyondRecovery => !Connection.IsOpen && _beyondRecovery.Task.IsCompleted;

    public async ValueTask DisposeAsync()
    {
        StopGrace();
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

    private void OnShutdown(ShutdownEventArgs args)
    {
        if (args.Initiator == ShutdownInitiator.Application)
        {
            _beyondRecovery.TrySetResult();
            return;
        }

        _logger.LogWarning(
            "RabbitMQ connection lost: Role={Role} Initiator={Initiator} ReplyCode={ReplyCode} ReplyText={ReplyText}",
            _role,
            args.Initiator,
            args.ReplyCode,
            args.ReplyText);
        lock (_lock)
        {
            _grace ??= _time.CreateTimer(_ => OnGraceExpired(), null, RecoveryGrace, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnGraceExpired()
    {
        if (!Connection.IsOpen)
        {
            _beyondRecovery.TrySetResult();
        }
    }

    private void StopGrace()
    {
        lock (_lock)
        {
            _grace?.Dispose();
            _grace = null;
        }
    }
}
