using System.Net.Sockets;
using Microsoft.AspNetCore.Connections.Features;

namespace FaceBlur.Web.Results;

/// <summary>
/// Whether the client's TCP acknowledged every byte of a response, read from the connection's socket (Linux TCP_INFO).
/// </summary>
/// <remarks>
/// <para>A write completes when its bytes are in the server's socket buffer, not when they reached the client: a result
/// that fits in the buffers (several MB on Linux) is "written" while the client may have read a tenth of it, and a
/// client that then closes makes its kernel answer with a reset that comes after the server counted the result sent.
/// What the server can know is the client's acknowledgement of the last byte: its kernel then holds every byte. Whether
/// its application reads them is beyond TCP (RESULT_RESUME_SECONDS is for that case).</para>
/// <para>The body's bytes are counted from the socket's own tallies, never from what Kestrel says it wrote: the headers
/// are flushed first and the count starts once the kernel has them; the body is delivered when the bytes acknowledged
/// reach that count plus its length. Only for plain HTTP/1.x on Linux: TLS adds bytes of its own and HTTP/2 mixes
/// streams on one connection, so there (and in the test server, which has no socket) <see cref="StartAsync"/> gives null
/// and a completed write is all that is known. A client that pipelines requests on one connection could make the count
/// start early; browsers and common clients do not pipeline.</para>
/// </remarks>
internal sealed class TcpDelivery : IDisposable
{
    /// <summary>No acknowledgement for this long while bytes are outstanding: the client is gone or stuck.</summary>
    internal static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan HeadersLimit = TimeSpan.FromSeconds(5);
    private const int MaxPollMilliseconds = 20;

    private readonly TcpSocket socket;
    private readonly TimeProvider time;
    private long bodyStart;

    private TcpDelivery(TcpSocket socket, TimeProvider time)
    {
        this.socket = socket;
        this.time = time;
    }

    /// <summary>
    /// Sends the response's headers and starts counting once the kernel has them; null where acknowledgements cannot be
    /// read (the headers are then sent with the body).
    /// </summary>
    public static async Task<TcpDelivery?> StartAsync(HttpContext context, TimeProvider time)
    {
        if (!OperatingSystem.IsLinux()
            || context.Request.IsHttps
            || !(HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol))
            || context.Features.Get<IConnectionSocketFeature>()?.Socket is not { ProtocolType: ProtocolType.Tcp } connection
            || TcpSocket.Duplicate(connection) is not { } socket)
        {
            return null;
        }

        var delivery = new TcpDelivery(socket, time);
        if (await delivery.SendHeadersAsync(context.Response, context.RequestAborted))
        {
            return delivery;
        }

        delivery.Dispose();
        return null;
    }

    /// <summary>
    /// Waits until the client acknowledged the <paramref name="bodyBytes"/> written after the headers: true then; false
    /// when the connection was reset first, or acknowledgements stopped for <see cref="StallLimit"/> (the connection is
    /// then reset, so a client that wakes up later does not get the rest of a download counted as not delivered).
    /// </summary>
    public async Task<bool> AcknowledgedAsync(long bodyBytes, HttpContext context)
    {
        var target = bodyStart + bodyBytes;
        var lastAcked = -1L;
        var lastProgress = time.GetTimestamp();
        for (var poll = 0; ; poll++)
        {
            if (!socket.TryRead(out var now) || now.Acked >= target || now.IsClosed)
            {
                return now.Acked >= target;
            }

            if (now.Acked != lastAcked)
            {
                (lastAcked, lastProgress, poll) = (now.Acked, time.GetTimestamp(), 0);
            }
            else if (time.GetElapsedTime(lastProgress) > StallLimit)
            {
                socket.ResetOnClose();
                context.Abort();
                return false;
            }

            await Task.Delay(PollInterval(poll), time);
        }
    }

    public void Dispose() => socket.Dispose();

    private async Task<bool> SendHeadersAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        if (!socket.TryRead(out var before))
        {
            return false;
        }

        await response.StartAsync(cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
        var started = time.GetTimestamp();
        for (var poll = 0; time.GetElapsedTime(started) < HeadersLimit; poll++)
        {
            if (!socket.TryRead(out var now))
            {
                return false;
            }

            if (now.Taken > before.Taken)
            {
                bodyStart = now.Taken;
                return true;
            }

            await Task.Delay(PollInterval(poll), time, cancellationToken);
        }

        return false;
    }

    private static TimeSpan PollInterval(int poll) => TimeSpan.FromMilliseconds(Math.Min(MaxPollMilliseconds, 1 << Math.Min(poll, 5)));
}
