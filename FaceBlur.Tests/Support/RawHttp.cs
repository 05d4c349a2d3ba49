using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace FaceBlur.Tests.Support;

/// <summary>
/// HTTP/1.1 over a plain socket, for the limit tests on a real Kestrel server. A server that refuses a body answers and
/// closes while the client is still sending; HttpClient then reports either the answer or the broken pipe, whichever it
/// sees first. Here the answer is read while the body is being written and a failed write is ignored, so the test
/// always sees what the server said.
/// </summary>
internal static class RawHttp
{
    /// <summary>Sends raw bytes on a fresh connection and returns what comes back until the server closes or the time runs out.</summary>
    public static async Task<string> ExchangeAsync(Uri address, byte[] request, bool halfClose, TimeSpan wait) =>
        Encoding.UTF8.GetString(await ExchangeBytesAsync(address, request, halfClose, wait));

    private static async Task<byte[]> ExchangeBytesAsync(Uri address, byte[] request, bool halfClose, TimeSpan wait)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        var stream = tcp.GetStream();
        using var timeout = new CancellationTokenSource(wait);
        var reading = ReadToEndAsync(stream, timeout.Token);
        try
        {
            await stream.WriteAsync(request, timeout.Token);
            if (halfClose)
            {
                tcp.Client.Shutdown(SocketShutdown.Send);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
        {
            // The server stopped reading (it has answered and closed): its answer is what counts.
        }

        return await reading;
    }

    /// <summary>POSTs <paramref name="content"/> with a Content-Length or, when <paramref name="chunked"/>, in chunks of 64 KiB.</summary>
    public static async Task<HttpResponseMessage> PostAsync(Uri address, string path, HttpContent content, bool chunked)
    {
        var body = await content.ReadAsByteArrayAsync();
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"POST {path} HTTP/1.1\r\nHost: {address.Authority}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Type: {content.Headers.ContentType}\r\n")
            .Append(chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {body.Length}\r\n")
            .Append("Connection: close\r\n\r\n");
        var request = new MemoryStream();
        request.Write(Encoding.ASCII.GetBytes(head.ToString()));
        if (chunked)
        {
            foreach (var chunk in body.Chunk(64 * 1024))
            {
                request.Write(Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n"));
                request.Write(chunk);
                request.Write("\r\n"u8);
            }

            request.Write("0\r\n\r\n"u8);
        }
        else
        {
            request.Write(body);
        }

        return Parse(await ExchangeBytesAsync(address, request.ToArray(), halfClose: false, TimeSpan.FromSeconds(30)));
    }

    private static async Task<byte[]> ReadToEndAsync(NetworkStream stream, CancellationToken cancel)
    {
        var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancel)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The server kept the connection open or reset it: what was received is the answer.
        }

        return received.ToArray();
    }

    /// <summary>One HTTP/1.1 response (Content-Length or chunked body) as a response message.</summary>
    private static HttpResponseMessage Parse(byte[] bytes)
    {
        var answer = Encoding.Latin1.GetString(bytes); // one char per byte, so lengths are byte counts
        var headEnd = answer.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (headEnd < 0)
        {
            throw new InvalidOperationException($"No complete HTTP response received: '{answer}'");
        }

        var lines = answer[..headEnd].Split("\r\n");
        var status = lines[0].Split(' ');
        var headers = lines.Skip(1).Select(line => line.Split(':', 2)).ToDictionary(h => h[0].Trim(), h => h[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var body = answer[(headEnd + 4)..];
        if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Unchunk(body);
        }
        else if (headers.TryGetValue("Content-Length", out var length))
        {
            body = body[..int.Parse(length, CultureInfo.InvariantCulture)];
        }

        var content = new ByteArrayContent(Encoding.Latin1.GetBytes(body));
        if (headers.TryGetValue("Content-Type", out var type))
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
        }

        return new HttpResponseMessage((HttpStatusCode)int.Parse(status[1], CultureInfo.InvariantCulture)) { Content = content };
    }

    private static string Unchunk(string body)
    {
        var result = new StringBuilder();
        var at = 0;
        while (true)
        {
            var lineEnd = body.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = int.Parse(body[at..lineEnd].Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                return result.ToString();
            }

            result.Append(body, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
    }
}
