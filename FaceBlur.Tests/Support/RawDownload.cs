using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace FaceBlur.Tests.Support;

/// <summary>
/// A GET on a socket of its own that reads only as much of the body as a test wants, then goes away: the client that
/// stops early. Closing with unread bytes in its receive buffer makes its kernel answer with a reset, as a real client
/// that gives up does.
/// </summary>
internal sealed class RawDownload : IDisposable
{
    private readonly Socket socket;
    private readonly NetworkStream stream;
    private readonly MemoryStream pending = new();

    private RawDownload(Socket socket)
    {
        this.socket = socket;
        stream = new NetworkStream(socket, ownsSocket: false);
    }

    public int Status { get; private set; }

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public long ContentLength => long.Parse(Headers["Content-Length"], CultureInfo.InvariantCulture);

    /// <summary>
    /// Sends the GET and reads the head. <paramref name="receiveBuffer"/> (bytes, 0 = the system's) is set before
    /// connecting, so a large one lets the client's kernel take (and acknowledge) a whole small result unread.
    /// </summary>
    public static async Task<RawDownload> StartAsync(Uri address, string path, int receiveBuffer = 0, params (string Name, string Value)[] headers)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (receiveBuffer > 0)
        {
            socket.ReceiveBufferSize = receiveBuffer;
        }

        await socket.ConnectAsync(address.Host, address.Port);
        var download = new RawDownload(socket);
        var request = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"GET {path} HTTP/1.1\r\nHost: {address.Authority}\r\n");
        foreach (var (name, value) in headers)
        {
            request.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        await download.stream.WriteAsync(Encoding.ASCII.GetBytes(request.Append("\r\n").ToString()));
        await download.ReadHeadAsync();
        return download;
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes of the body.</summary>
    public async Task<byte[]> ReadBodyAsync(int count)
    {
        var body = new byte[count];
        var from = pending.Length - pending.Position;
        var taken = pending.Read(body, 0, (int)Math.Min(count, from));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await stream.ReadExactlyAsync(body.AsMemory(taken), timeout.Token);
        return body;
    }

    public void Dispose()
    {
        stream.Dispose();
        socket.Dispose();
    }

    private async Task ReadHeadAsync()
    {
        var buffer = new byte[4096];
        var received = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                throw new IOException("The server closed before the head of its answer.");
            }

            received.Write(buffer, 0, read);
            var text = Encoding.Latin1.GetString(received.GetBuffer(), 0, (int)received.Length);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0)
            {
                continue;
            }

            var lines = text[..end].Split("\r\n");
            Status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
            foreach (var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                Headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }

            pending.Write(received.GetBuffer(), end + 4, (int)received.Length - end - 4);
            pending.Position = 0;
            return;
        }
    }
}
