using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace FaceBlur.Modules.Processing.Jobs.RabbitMq;

/// <summary>
/// Opens connections to the broker, with automatic connection and topology recovery switched on. Only the first
/// connection attempt is ours to repeat: the client recovers a connection once it was made, not one it never made.
/// </summary>
internal sealed class RabbitMqConnector
{
    /// <summary>How long connecting, or a publish (connect, declare, publish, confirm), may take.</summary>
    public static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(5);

    private readonly ConnectionFactory _factory;
    private readonly ILogger _logger;

    public RabbitMqConnector(Uri url, TimeProvider time, ILogger logger)
    {
        Time = time;
        _logger = logger;
        _factory = new ConnectionFactory
        {
            Uri = url,
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(2),
            RequestedConnectionTimeout = OperationTimeout,
            HandshakeContinuationTimeout = OperationTimeout,
            ContinuationTimeout = TimeSpan.FromSeconds(10),
            RequestedHeartbeat = TimeSpan.FromSeconds(30),
        };
    }

    public TimeProvider Time { get; }

    /// <summary>Connects, or throws <see cref="JobQueueUnavailableException"/> within <see cref="OperationTimeout"/>.</summary>
    /// <param name="role">Names the connection (in the broker's list and in the log).</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    public async Task<BrokerConnection> ConnectAsync(string role, CancellationToken cancellationToken)
    {
        using var deadline = new Deadline(OperationTimeout, Time, cancellationToken);
        IConnection connection;
        try
        {
            connection = await _factory.CreateConnectionAsync($"faceblur-{role}", deadline.Token);
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
        return new BrokerConnection(connection, role, Time, _logger);
    }
}
