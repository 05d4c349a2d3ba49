using System.Buffers.Binary;
using System.Text;

namespace FaceBlur.Tests.Video;

/// <summary>Rewrites boxes of an MP4 (moov after mdat, so that no sample offset moves) for hostile-input tests.</summary>
internal static class Mp4Boxes
{
    /// <summary>
    /// The first track's data reference replaced by a Mac alias ('alis' entry, not self-contained) whose absolute path
    /// (record type 2, no ':' in it) is <paramref name="path"/>: what ffmpeg's MOV demuxer would follow with <c>-enable_drefs 1</c>.
    /// </summary>
    public static byte[] WithAliasDataReference(byte[] mp4, string path)
    {
        var target = Encoding.UTF8.GetBytes(path);
        var record = new List<byte>();
        record.AddRange(new byte[10]);                       // alias header the demuxer skips
        record.Add(0);                                       // volume name length
        record.AddRange(new byte[27]);                       // volume name
        record.AddRange(new byte[12]);
        record.Add(0);                                       // file name length
        record.AddRange(new byte[63]);                       // file name
        record.AddRange(new byte[16]);
        record.AddRange(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }); // levels from / to
        record.AddRange(new byte[16]);
        record.AddRange(BigEndian16(2));                     // absolute path record
        record.AddRange(BigEndian16(target.Length));
        record.AddRange(target);
        if (target.Length % 2 == 1)
        {
            record.Add(0);
        }

        record.AddRange(new byte[] { 0xFF, 0xFF, 0, 0 });    // end of records
        var entry = Box("alis", [0, 0, 0, 0, .. record]);     // flags 0: the media is elsewhere
        var dref = Box("dref", [0, 0, 0, 0, 0, 0, 0, 1, .. entry]);
        return Replace(mp4, ["moov", "trak", "mdia", "minf", "dinf", "dref"], dref);
    }

    /// <summary>
    /// The durations the MP4 declares (mvhd, every track's tkhd and mdhd, each in its own timescale) set to
    /// <paramref name="seconds"/>, sample tables and edit lists untouched: a file whose header lies about its length.
    /// </summary>
    public static byte[] WithDeclaredDuration(byte[] mp4, double seconds)
    {
        var forged = (byte[])mp4.Clone();
        uint movieScale = 0;
        Walk(forged, 0, forged.Length, (type, at) =>
        {
            var v1 = forged[at + 8] == 1;
            switch (type)
            {
                case "mvhd":
                    movieScale = BinaryPrimitives.ReadUInt32BigEndian(forged.AsSpan(at + (v1 ? 28 : 20)));
                    WriteDuration(forged, at + (v1 ? 32 : 24), v1, movieScale * seconds);
                    break;
                case "tkhd":
                    WriteDuration(forged, at + (v1 ? 36 : 28), v1, movieScale * seconds);
                    break;
                case "mdhd":
                    var mediaScale = BinaryPrimitives.ReadUInt32BigEndian(forged.AsSpan(at + (v1 ? 28 : 20)));
                    WriteDuration(forged, at + (v1 ? 32 : 24), v1, mediaScale * seconds);
                    break;
            }
        });
        return forged;
    }

    private static void Walk(byte[] data, int start, int end, Action<string, int> visit)
    {
        for (var at = start; at + 8 <= end;)
        {
            var size = (int)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(at));
            var type = Encoding.ASCII.GetString(data, at + 4, 4);
            visit(type, at);
            if (type is "moov" or "trak" or "mdia")
            {
                Walk(data, at + 8, at + size, visit);
            }

            at += Math.Max(8, size);
        }
    }

    private static void WriteDuration(byte[] data, int at, bool wide, double value)
    {
        if (wide)
        {
            BinaryPrimitives.WriteUInt64BigEndian(data.AsSpan(at), (ulong)value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(at), (uint)value);
        }
    }

    private static byte[] BigEndian16(int value) => [(byte)(value >> 8), (byte)value];

    private static byte[] Box(string type, byte[] body)
    {
        var box = new byte[8 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(box, box.Length);
        Encoding.ASCII.GetBytes(type, box.AsSpan(4));
        body.CopyTo(box, 8);
        return box;
    }

    /// <summary>The first box along <paramref name="path"/> replaced, every enclosing box's size adjusted.</summary>
    private static byte[] Replace(byte[] data, string[] path, byte[] replacement)
    {
        var at = 0;
        while (at + 8 <= data.Length)
        {
            var size = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(at));
            var type = Encoding.ASCII.GetString(data, at + 4, 4);
            if (type == path[0])
            {
                var inner = path.Length == 1
                    ? replacement
                    : Box(type, Replace(data[(at + 8)..(at + size)], path[1..], replacement));
                return [.. data[..at], .. inner, .. data[(at + size)..]];
            }

            at += size;
        }

        throw new InvalidOperationException($"No '{path[0]}' box.");
    }
}
