using System.Net;
using System.Net.Sockets;

namespace FaceBlur.Tests.Jobs;

/// <summary>
/// A loopback TCP relay in front of the broker, so a test can make "the broker" go away and come back (stop
/// listening, cut every connection) without touching the real broker.
/// </summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly Lock _lock = new();
    private readonly List<TcpClient> _clients = [];
    private TcpListener? _listener;
    private CancellationTokenSource? _acceptStop;

    public TcpRelay(int targetPort)
    {
        _target = new IPEndPoint(IPAddress.Loopback, targetPort);
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
    }

    /// <summary>The loopback port the relay listens on (reserved up front, listening only while started).</summary>
    public int Port { get; }

    public void Start()
    {
        lock (_lock)
        {
            _listener = new TcpListener(IPAddress.Loopback, Port);
            _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _listener.Start();
            _acceptStop = new CancellationTokenSource();
            _ = AcceptLoopAsync(_listener, _acceptStop.Token);
        }
    }

    /// <summary>Stops listening and cuts every relayed connection, like a broker that went down.</summary>
    public void Stop()
    {
        lock (_lock)
        {
            _acceptStop?.Cancel();
            _acceptStop?.Dispose();
            _acceptStop = null;
            _listener?.Stop();
            _listener = null;
            foreach (var client in _clients)
            {
                try
                {
                    client.Client?.LingerState = new LingerOption(true, 0); // reset, not a polite close
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    // Already gone.
                }

                client.Dispose();
            }

            _clients.Clear();
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private async Task AcceptLoopAsync(TcpListener listener, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync(stop);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var outbound = new TcpClient();
            try
            {
                await outbound.ConnectAsync(_target, stop);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                inbound.Dispose();
                outbound.Dispose();
                continue;
            }

            lock (_lock)
            {
                _clients.Add(inbound);
                _clients.Add(outbound);
            }

            _ = PumpAsync(inbound, outbound);
            _ = PumpAsync(outbound, inbound);
        }
    }

    private static async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream());
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Cut.
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }
}
