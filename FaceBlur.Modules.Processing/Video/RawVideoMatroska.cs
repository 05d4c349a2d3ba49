using System.Buffers.Binary;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>
/// Writes raw I420 frames with their times as a Matroska stream (one uncompressed video track, microsecond clock) for the
/// encoding ffmpeg. Raw frames on a pipe carry no times; this container does, with a few bytes of framing per frame.
/// </summary>
/// <remarks><paramref name="pixelAspect"/> is the shape of a pixel (width to height); anamorphic video keeps it.</remarks>
internal sealed class RawVideoMatroska(Stream output, int width, int height, PixelAspect pixelAspect)
{
    private const long UnknownSize = 0x01FF_FFFF_FFFF_FFFF;

    // Element ids (Matroska specification).
    private const uint Ebml = 0x1A45DFA3, EbmlVersion = 0x4286, EbmlReadVersion = 0x42F7, EbmlMaxIdLength = 0x42F2,
        EbmlMaxSizeLength = 0x42F3, DocType = 0x4282, DocTypeVersion = 0x4287, DocTypeReadVersion = 0x4285;

    private const uint Segment = 0x18538067, Info = 0x1549A966, TimestampScale = 0x2AD7B1, MuxingApp = 0x4D80, WritingApp = 0x5741;

    private const uint Tracks = 0x1654AE6B, TrackEntry = 0xAE, TrackNumber = 0xD7, TrackUid = 0x73C5, TrackType = 0x83,
        CodecId = 0x86, DefaultDuration = 0x23E383, Video = 0xE0, PixelWidth = 0xB0, PixelHeight = 0xBA, DisplayWidth = 0x54B0,
        DisplayHeight = 0x54BA, ColourSpace = 0x2EB524;

    private const uint Cluster = 0x1F43B675, ClusterTimestamp = 0xE7, SimpleBlock = 0xA3;

    private readonly byte[] frameHead = new byte[64];

    /// <summary>The stream's header; <paramref name="frameMicroseconds"/> is the frame duration a frame is given when no next frame follows (the last).</summary>
    public ValueTask WriteHeaderAsync(double frameMicroseconds, CancellationToken cancellationToken)
    {
        var head = new MemoryStream();
        WriteElement(head, Ebml, body =>
        {
            WriteUnsigned(body, EbmlVersion, 1);
            WriteUnsigned(body, EbmlReadVersion, 1);
            WriteUnsigned(body, EbmlMaxIdLength, 4);
            WriteUnsigned(body, EbmlMaxSizeLength, 8);
            WriteBytes(body, DocType, "matroska"u8);
            WriteUnsigned(body, DocTypeVersion, 4);
            WriteUnsigned(body, DocTypeReadVersion, 2);
        });

        // A stream of unknown length: the segment's size is "unknown", each cluster's is known.
        WriteId(head, Segment);
        WriteSize(head, UnknownSize);
        WriteElement(head, Info, body =>
        {
            WriteUnsigned(body, TimestampScale, 1000); // nanoseconds per tick: times in microseconds
            WriteBytes(body, MuxingApp, "FaceBlur"u8);
            WriteBytes(body, WritingApp, "FaceBlur"u8);
        });
        WriteElement(head, Tracks, tracks => WriteElement(tracks, TrackEntry, track =>
        {
            WriteUnsigned(track, TrackNumber, 1);
            WriteUnsigned(track, TrackUid, 1);
            WriteUnsigned(track, TrackType, 1); // video
            WriteBytes(track, CodecId, "V_UNCOMPRESSED"u8);
            WriteUnsigned(track, DefaultDuration, (ulong)Math.Max(1, Math.Round(frameMicroseconds * 1000)));
            WriteElement(track, Video, video =>
            {
                WriteUnsigned(video, PixelWidth, (ulong)width);
                WriteUnsigned(video, PixelHeight, (ulong)height);
                if (pixelAspect.Width != pixelAspect.Height)
                {
                    // Readers take the pixel shape as (height x display width) : (width x display height).
                    WriteUnsigned(video, DisplayWidth, (ulong)width * (ulong)pixelAspect.Width);
                    WriteUnsigned(video, DisplayHeight, (ulong)height * (ulong)pixelAspect.Height);
                }

                WriteBytes(video, ColourSpace, "I420"u8);
            });
        }));
        return output.WriteAsync(head.ToArray(), cancellationToken);
    }

    /// <summary>One frame shown <paramref name="microseconds"/> after the first, in its own cluster.</summary>
    public async ValueTask WriteFrameAsync(ReadOnlyMemory<byte> frame, long microseconds, CancellationToken cancellationToken)
    {
        // Cluster { Timestamp, SimpleBlock { track 1, relative time 0, keyframe, frame } }: the header part is built in
        // place and the frame's bytes follow it unchanged.
        var head = new MemoryStream(frameHead);
        var timestamp = new MemoryStream(16);
        WriteUnsigned(timestamp, ClusterTimestamp, (ulong)microseconds);
        var blockBody = 4L + frame.Length; // track number (1 byte), relative time (2), flags (1)
        var blockHeader = 1 + 8; // id + 8-byte size
        WriteId(head, Cluster);
        WriteSize(head, timestamp.Length + blockHeader + blockBody);
        head.Write(timestamp.GetBuffer(), 0, (int)timestamp.Length);
        WriteId(head, SimpleBlock);
        WriteSize(head, blockBody);
        head.Write([0x81, 0, 0, 0x80]);
        await output.WriteAsync(frameHead.AsMemory(0, (int)head.Position), cancellationToken).ConfigureAwait(false);
        await output.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
    }

    private static void WriteElement(Stream stream, uint id, Action<Stream> writeBody)
    {
        var body = new MemoryStream();
        writeBody(body);
        WriteId(stream, id);
        WriteSize(stream, body.Length);
        body.WriteTo(stream);
    }

    private static void WriteUnsigned(Stream stream, uint id, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        var skip = 0;
        while (skip < 7 && bytes[skip] == 0)
        {
            skip++;
        }

        WriteBytes(stream, id, bytes[skip..]);
    }

    private static void WriteBytes(Stream stream, uint id, ReadOnlySpan<byte> value)
    {
        WriteId(stream, id);
        WriteSize(stream, value.Length);
        stream.Write(value);
    }

    /// <summary>An element id is written as is: its leading bits already encode its length.</summary>
    private static void WriteId(Stream stream, uint id)
    {
        var length = id > 0xFFFFFF ? 4 : id > 0xFFFF ? 3 : id > 0xFF ? 2 : 1;
        for (var i = length - 1; i >= 0; i--)
        {
            stream.WriteByte((byte)(id >> (8 * i)));
        }
    }

    /// <summary>A size as an 8-byte variable-length integer (marker 0x01, then 56 bits).</summary>
    private static void WriteSize(Stream stream, long size)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, size);
        bytes[0] = 0x01;
        stream.Write(bytes);
    }
}
