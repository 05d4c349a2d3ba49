using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using OpenCvSharp;

namespace FaceBlur.Tests.Support;

/// <summary>
/// A listener on 127.0.0.1:9 (the discard port, where hostile playlists point) that counts every connection made to it.
/// Nothing the app does with an upload may ever connect here.
/// </summary>
internal sealed class Port9Trap : IDisposable
{
    public const int Port = 9;

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _connections;

    public Port9Trap()
    {
        _listener = new TcpListener(IPAddress.Loopback, Port);
        try
        {
            _listener.Start();
        }
        catch (SocketException ex)
        {
            Assert.Fail($"Cannot listen on 127.0.0.1:{Port} ({ex.SocketErrorCode}): the port is in use or needs root; the SSRF check cannot run.");
        }

        _loop = AcceptLoopAsync();
    }

    public int Connections => Volatile.Read(ref _connections);

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        catch (ObjectDisposedException)
        {
            // Stopped.
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _listener.Dispose();
        _loop.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}

/// <summary>Hostile and damaged media, made by the tests themselves (nothing downloaded).</summary>
internal static class HostileMedia
{
    public static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    public static byte[] HlsPlaylist { get; } = Text(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile:///etc/passwd\n#EXTINF:1,\n/etc/passwd\n" +
        "#EXTINF:1,\nhttp://127.0.0.1:9/segment.ts\n#EXT-X-ENDLIST\n");

    public static byte[] ConcatList { get; } = Text(
        "ffconcat version 1.0\nfile /etc/passwd\nfile 'http://127.0.0.1:9/clip.mp4'\nfile 'tcp://127.0.0.1:9'\n");

    /// <summary>A picture with some structure (compresses like a photo, not like noise).</summary>
    public static Mat Picture(int width, int height, int seed = 1)
    {
        var mat = new Mat(height, width, MatType.CV_8UC3, Scalar.All(200));
        var random = new Random(seed);
        for (var i = 0; i < 12; i++)
        {
            Cv2.Circle(
                mat,
                new Point(random.Next(width), random.Next(height)),
                random.Next(3, Math.Max(4, width / 4)),
                new Scalar(random.Next(256), random.Next(256), random.Next(256)),
                -1);
        }

        return mat;
    }

    public static byte[] Png(int width, int height, int seed = 1)
    {
        using var picture = Picture(width, height, seed);
        return picture.ImEncode(".png");
    }

    public static byte[] Jpeg(int width, int height, int seed = 1)
    {
        using var picture = Picture(width, height, seed);
        return picture.ImEncode(".jpg");
    }

    public static byte[] Webp(int width, int height, int seed = 1)
    {
        using var picture = Picture(width, height, seed);
        return picture.ImEncode(".webp");
    }

    /// <summary>A JPEG whose frame header (SOF) declares <paramref name="width"/> x <paramref name="height"/>.</summary>
    public static byte[] JpegDeclaring(int width, int height)
    {
        var jpeg = Jpeg(64, 48);
        var sof = IndexOfMarker(jpeg, 0xC0);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 5), (ushort)height);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 7), (ushort)width);
        return jpeg;
    }

    /// <summary>A GIF header, a JPEG and a PNG in one file: what it is depends on who reads it.</summary>
    public static byte[] GifFirstPolyglot() => [.. Encoding.ASCII.GetBytes("GIF89a"), 1, 0, 1, 0, 0, 0, 0, .. Jpeg(32, 32), .. Png(32, 32)];

    /// <summary>A valid JPEG with a PNG and a GIF appended after its end marker.</summary>
    public static byte[] JpegFirstPolyglot() => [.. Jpeg(64, 48), .. Png(32, 32), .. Encoding.ASCII.GetBytes("GIF89a\u0001\0\u0001\0\0\0\0;")];

    public static byte[] Truncate(byte[] bytes, double share) => bytes[..Math.Max(1, (int)(bytes.Length * share))];

    public static int IndexOfMarker(byte[] jpeg, byte marker)
    {
        for (var i = 0; i + 1 < jpeg.Length; i++)
        {
            if (jpeg[i] == 0xFF && jpeg[i + 1] == marker)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"No FF{marker:X2} marker.");
    }

    /// <summary>An AVI (MJPEG) whose headers declare 2^31-1 frames in the video stream and the main header.</summary>
    public static byte[] AviDeclaringFrames(byte[] avi, uint frames, uint? rate = null)
    {
        var bytes = (byte[])avi.Clone();
        var avih = IndexOf(bytes, "avih"u8);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(avih + 8 + 16), frames);
        var strh = IndexOf(bytes, "strh"u8);
        if (rate is { } r)
        {
            // dwScale, dwRate: the stream's frame rate is rate/scale.
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(strh + 8 + 20), 1);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(strh + 8 + 24), r);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(strh + 8 + 32), frames);
        return bytes;
    }

    /// <summary>A Matroska file (FFV1 at 320x240) whose track header claims 65535x255 pixels.</summary>
    public static byte[] MatroskaDeclaringHugeWidth(byte[] mkv320x240)
    {
        var bytes = (byte[])mkv320x240.Clone();
        var width = IndexOf(bytes, [0xB0, 0x82, 0x01, 0x40]);
        bytes[width + 2] = 0xFF;
        bytes[width + 3] = 0xFF;
        var height = IndexOf(bytes, [0xBA, 0x81, 0xF0]);
        bytes[height + 2] = 0xFF;
        return bytes;
    }

    /// <summary>Every JPEG frame of an MJPEG stream declares 30000x30000.</summary>
    public static byte[] MjpegFramesDeclaring(byte[] avi, ushort width, ushort height)
    {
        var bytes = (byte[])avi.Clone();
        for (var i = 0; i + 9 < bytes.Length; i++)
        {
            if (bytes[i] == 0xFF && bytes[i + 1] == 0xC0)
            {
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(i + 5), height);
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(i + 7), width);
            }
        }

        return bytes;
    }

    public static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle)
    {
        var index = haystack.AsSpan().IndexOf(needle);
        return index >= 0 ? index : throw new InvalidOperationException("Pattern not found in the test media.");
    }

    /// <summary>A multipart body written byte by byte, with any Content-Disposition (NUL, raw UTF-8, long names).</summary>
    public static HttpContent RawPart(string contentDisposition, byte[] bytes, string boundary = "hostile-boundary")
    {
        var head = Encoding.UTF8.GetBytes($"--{boundary}\r\nContent-Disposition: {contentDisposition}\r\nContent-Type: application/octet-stream\r\n\r\n");
        var tail = Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n");
        return RawBody([.. head, .. bytes, .. tail], boundary);
    }

    public static HttpContent RawBody(byte[] body, string boundary = "hostile-boundary")
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={boundary}");
        return content;
    }
}
