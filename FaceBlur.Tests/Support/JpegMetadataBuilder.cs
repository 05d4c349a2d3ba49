using System.Buffers.Binary;
using System.Text;
using OpenCvSharp;

namespace FaceBlur.Tests.Support;

/// <summary>What <see cref="JpegMetadataBuilder.AddMetadata"/> puts into a JPEG.</summary>
internal sealed record JpegMetadataOptions
{
    /// <summary>The EXIF orientation to write; null writes no orientation tag.</summary>
    public int? Orientation { get; init; } = 6;

    /// <summary>Motorola ("MM") byte order for the EXIF TIFF structure instead of Intel ("II").</summary>
    public bool BigEndian { get; init; }

    public bool Exif { get; init; } = true;

    public bool Gps { get; init; } = true;

    public bool Thumbnail { get; init; } = true;

    public bool Xmp { get; init; } = true;

    public bool Icc { get; init; } = true;
}

/// <summary>
/// Builds metadata-laden test images from plain ones: an EXIF APP1 segment (orientation, camera make and model, a GPS
/// position, an IFD1 JPEG thumbnail), an XMP APP1 segment and an ICC_PROFILE APP2 segment inserted right after a
/// JPEG's SOI; an <c>eXIf</c> chunk in a PNG; an <c>EXIF</c> chunk in a WebP; bare TIFF structures. Every piece
/// carries a recognisable marker string so that tests can assert it does not survive into an output.
/// </summary>
internal static class JpegMetadataBuilder
{
    public const string CameraMake = "FaceBlurTestMake";
    public const string CameraModel = "FaceBlurTestModel";
    public const string XmpMarker = "FaceBlurTestXmpMarker";
    public const string IccMarker = "FaceBlurTestIccMarker";
    public const string ThumbnailMarker = "FaceBlurTestThumbnailMarker";
    public const string GpsLatitudeRef = "N";
    public const string GpsLongitudeRef = "E";

    /// <summary>The identifier opening an XMP APP1 segment.</summary>
    public const string XmpNamespace = "http://ns.adobe.com/xap/1.0/\0";

    /// <summary>The identifier opening an ICC profile APP2 segment.</summary>
    public const string IccIdentifier = "ICC_PROFILE\0";

    /// <summary>The identifier opening an EXIF APP1 segment.</summary>
    public const string ExifIdentifier = "Exif\0\0";

    public const ushort TagOrientation = 0x0112;
    public const ushort TagMake = 0x010F;
    public const ushort TagModel = 0x0110;
    public const ushort TagGpsIfd = 0x8825;
    public const ushort TagImageWidth = 0x0100;
    public const ushort TagImageLength = 0x0101;

    private const ushort TypeByte = 1;
    private const ushort TypeAscii = 2;
    private const ushort TypeShort = 3;
    private const ushort TypeLong = 4;
    private const ushort TypeRational = 5;

    /// <summary>48 deg 51' 29.04" N, 2 deg 17' 40.20" E, as degrees/minutes/seconds rationals.</summary>
    public static IReadOnlyList<(uint Numerator, uint Denominator)> GpsLatitude { get; } = [(48, 1), (51, 1), (2904, 100)];

    public static IReadOnlyList<(uint Numerator, uint Denominator)> GpsLongitude { get; } = [(2, 1), (17, 1), (4020, 100)];

    /// <summary>Every marker string the builder writes, for "none of this leaked" assertions.</summary>
    public static IReadOnlyList<string> AllMarkers { get; } = [CameraMake, CameraModel, XmpMarker, IccMarker, ThumbnailMarker];

    /// <summary>A plain JPEG from OpenCV, for tests that need one: a gradient of the given size.</summary>
    public static byte[] PlainJpeg(int width, int height, int quality = 90)
    {
        using var mat = new Mat(height, width, MatType.CV_8UC3);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                mat.Set(y, x, new Vec3b((byte)(x * 255 / Math.Max(1, width - 1)), (byte)(y * 255 / Math.Max(1, height - 1)), 128));
            }
        }

        return mat.ImEncode(".jpg", [new ImageEncodingParam(ImwriteFlags.JpegQuality, quality)]);
    }

    /// <summary>Inserts EXIF, XMP and ICC segments (as selected) right after the SOI of <paramref name="jpeg"/>.</summary>
    public static byte[] AddMetadata(byte[] jpeg, JpegMetadataOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(jpeg);
        options ??= new JpegMetadataOptions();
        if (jpeg.Length < 2 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
        {
            throw new ArgumentException("Not a JPEG (no SOI).", nameof(jpeg));
        }

        var segments = new List<byte[]>();
        if (options.Exif)
        {
            var tiff = BuildExifTiff(options.Orientation, options.BigEndian, options.Gps, options.Thumbnail ? ThumbnailJpeg() : null);
            segments.Add(ExifSegment(tiff));
        }

        if (options.Xmp)
        {
            segments.Add(XmpSegment());
        }

        if (options.Icc)
        {
            segments.Add(IccSegment());
        }

        return InsertAfterSoi(jpeg, segments);
    }

    /// <summary>Inserts ready-made segments (marker included) right after the SOI.</summary>
    public static byte[] InsertAfterSoi(byte[] jpeg, IEnumerable<byte[]> segments)
    {
        ArgumentNullException.ThrowIfNull(jpeg);
        ArgumentNullException.ThrowIfNull(segments);
        var output = new List<byte>(jpeg.Length + 4096);
        output.AddRange(jpeg.AsSpan(0, 2));
        foreach (var segment in segments)
        {
            output.AddRange(segment);
        }

        output.AddRange(jpeg.AsSpan(2));
        return [.. output];
    }

    /// <summary>An APP1 segment: FF E1, length, "Exif\0\0", the TIFF structure.</summary>
    public static byte[] ExifSegment(byte[] tiff) => Segment(0xE1, [.. Encoding.ASCII.GetBytes(ExifIdentifier), .. tiff]);

    /// <summary>An APP1 XMP segment whose packet contains <see cref="XmpMarker"/>.</summary>
    public static byte[] XmpSegment()
    {
        var packet =
            "<?xpacket begin=\"\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>"
            + "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
            + "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
            + $"<dc:creator>{XmpMarker}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>";
        return Segment(0xE1, Encoding.ASCII.GetBytes(XmpNamespace + packet));
    }

    /// <summary>An APP2 ICC_PROFILE segment (chunk 1 of 1) holding a small fake profile containing <see cref="IccMarker"/>.</summary>
    public static byte[] IccSegment()
    {
        var profile = new byte[160];
        BinaryPrimitives.WriteUInt32BigEndian(profile, (uint)profile.Length);
        Encoding.ASCII.GetBytes("mntrRGB XYZ ").CopyTo(profile, 12);
        Encoding.ASCII.GetBytes("acsp").CopyTo(profile, 36);
        Encoding.ASCII.GetBytes(IccMarker).CopyTo(profile, 128);
        return Segment(0xE2, [.. Encoding.ASCII.GetBytes(IccIdentifier), 1, 1, .. profile]);
    }

    /// <summary>A small JPEG (16x12) with a COM segment containing <see cref="ThumbnailMarker"/>, for IFD1.</summary>
    public static byte[] ThumbnailJpeg()
    {
        var plain = PlainJpeg(16, 12, 50);
        return InsertAfterSoi(plain, [Segment(0xFE, Encoding.ASCII.GetBytes(ThumbnailMarker))]);
    }

    /// <summary>
    /// An EXIF TIFF structure: IFD0 with Make, Model, Orientation (unless null) and a GPS IFD pointer; the GPS IFD
    /// with version, latitude and longitude; IFD1 pointing at <paramref name="thumbnail"/> when given.
    /// </summary>
    public static byte[] BuildExifTiff(int? orientation, bool bigEndian, bool includeGps = true, byte[]? thumbnail = null)
    {
        var w = new TiffWriter(bigEndian);
        var ifd0Entries = new List<TiffEntry>
        {
            new(TagMake, TypeAscii, TiffWriter.Ascii(CameraMake)),
            new(TagModel, TypeAscii, TiffWriter.Ascii(CameraModel)),
        };
        if (orientation is { } o)
        {
            ifd0Entries.Add(new TiffEntry(TagOrientation, TypeShort, w.Shorts((ushort)o)));
        }

        if (includeGps)
        {
            ifd0Entries.Add(new TiffEntry(TagGpsIfd, TypeLong, w.Longs(0)));
        }

        var ifd0 = w.Ifd(ifd0Entries);
        if (includeGps)
        {
            w.Align();
            w.PatchU32(ifd0.ValueFields[TagGpsIfd], (uint)w.Position);
            w.Ifd(
            [
                new(0x0000, TypeByte, [2, 3, 0, 0]),
                new(0x0001, TypeAscii, TiffWriter.Ascii(GpsLatitudeRef)),
                new(0x0002, TypeRational, w.Rationals(GpsLatitude)),
                new(0x0003, TypeAscii, TiffWriter.Ascii(GpsLongitudeRef)),
                new(0x0004, TypeRational, w.Rationals(GpsLongitude)),
            ]);
        }

        if (thumbnail is not null)
        {
            w.Align();
            w.PatchU32(ifd0.NextIfdField, (uint)w.Position);
            var ifd1 = w.Ifd(
            [
                new(0x0103, TypeShort, w.Shorts(6)),
                new(0x0201, TypeLong, w.Longs(0)),
                new(0x0202, TypeLong, w.Longs((uint)thumbnail.Length)),
            ]);
            w.Align();
            w.PatchU32(ifd1.ValueFields[0x0201], (uint)w.Position);
            w.Raw(thumbnail);
        }

        return w.ToArray();
    }

    /// <summary>
    /// A minimal TIFF structure whose IFD0 holds only the orientation (and, when given, ImageWidth/ImageLength as SHORT
    /// or LONG): usable as an EXIF blob or as the header of a TIFF file.
    /// </summary>
    public static byte[] BuildOrientationTiff(int? orientation, bool bigEndian, int? width = null, int? height = null, bool longDimensions = false)
    {
        var w = new TiffWriter(bigEndian);
        var entries = new List<TiffEntry>();
        if (width is { } wd)
        {
            entries.Add(longDimensions
                ? new TiffEntry(TagImageWidth, TypeLong, w.Longs((uint)wd))
                : new TiffEntry(TagImageWidth, TypeShort, w.Shorts((ushort)wd)));
        }

        if (height is { } ht)
        {
            entries.Add(longDimensions
                ? new TiffEntry(TagImageLength, TypeLong, w.Longs((uint)ht))
                : new TiffEntry(TagImageLength, TypeShort, w.Shorts((ushort)ht)));
        }

        if (orientation is { } o)
        {
            entries.Add(new TiffEntry(TagOrientation, TypeShort, w.Shorts((ushort)o)));
        }

        w.Ifd(entries);
        return w.ToArray();
    }

    /// <summary>Adds an <c>eXIf</c> chunk holding <paramref name="tiff"/> right after IHDR (before IDAT).</summary>
    public static byte[] AddPngExif(byte[] png, byte[] tiff) => InsertPngChunk(png, "eXIf", tiff, afterIdat: false);

    /// <summary>Inserts a chunk (with its CRC) right after IHDR, or right before IEND when <paramref name="afterIdat"/>.</summary>
    public static byte[] InsertPngChunk(byte[] png, string type, byte[] data, bool afterIdat = false)
    {
        ArgumentNullException.ThrowIfNull(png);
        const int IhdrEnd = 8 + 4 + 4 + 13 + 4;
        var at = afterIdat ? png.Length - 12 : IhdrEnd;
        if (png.Length < IhdrEnd + 12 || !png.AsSpan(12, 4).SequenceEqual("IHDR"u8) || !png.AsSpan(png.Length - 8, 4).SequenceEqual("IEND"u8))
        {
            throw new ArgumentException("Not a PNG with IHDR first and IEND last.", nameof(png));
        }

        return [.. png.AsSpan(0, at), .. PngChunk(type, data), .. png.AsSpan(at)];
    }

    /// <summary>A PNG chunk: length, type, data, CRC-32 of type and data.</summary>
    public static byte[] PngChunk(string type, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(type);
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk.AsSpan(8));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    /// <summary>
    /// Wraps a simple WebP (a single VP8 or VP8L chunk) into the extended format: VP8X header with the EXIF flag, the
    /// image chunk, then an <c>EXIF</c> chunk holding <paramref name="tiff"/>.
    /// </summary>
    public static byte[] AddWebPExif(byte[] webp, int width, int height, byte[] tiff, bool hasAlpha = false)
    {
        ArgumentNullException.ThrowIfNull(webp);
        ArgumentNullException.ThrowIfNull(tiff);
        var vp8x = new byte[10];
        vp8x[0] = (byte)(0x08 | (hasAlpha ? 0x10 : 0));
        WriteUInt24(vp8x.AsSpan(4), width - 1);
        WriteUInt24(vp8x.AsSpan(7), height - 1);

        var body = new List<byte>();
        body.AddRange("WEBP"u8);
        body.AddRange(RiffChunk("VP8X", vp8x));
        body.AddRange(webp.AsSpan(12));
        body.AddRange(RiffChunk("EXIF", tiff));

        var output = new byte[8 + body.Count];
        "RIFF"u8.CopyTo(output);
        BinaryPrimitives.WriteUInt32LittleEndian(output.AsSpan(4), (uint)body.Count);
        body.CopyTo(output, 8);
        return output;
    }

    /// <summary>CRC-32 as used by PNG (reflected polynomial 0xEDB88320).</summary>
    public static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

    /// <summary>A JPEG marker segment: FF, marker, big-endian length (payload + 2), payload.</summary>
    public static byte[] Segment(byte marker, ReadOnlySpan<byte> payload)
    {
        if (payload.Length + 2 > ushort.MaxValue)
        {
            throw new ArgumentException("Segment too long.", nameof(payload));
        }

        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = marker;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(segment.AsSpan(4));
        return segment;
    }

    private static byte[] RiffChunk(string fourCc, ReadOnlySpan<byte> data)
    {
        var chunk = new byte[8 + data.Length + (data.Length & 1)];
        Encoding.ASCII.GetBytes(fourCc).CopyTo(chunk, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), (uint)data.Length);
        data.CopyTo(chunk.AsSpan(8));
        return chunk;
    }

    private static void WriteUInt24(Span<byte> destination, int value)
    {
        destination[0] = (byte)value;
        destination[1] = (byte)(value >> 8);
        destination[2] = (byte)(value >> 16);
    }

    private sealed record TiffEntry(ushort Tag, ushort Type, byte[] Value);

    /// <summary>Writes a TIFF structure in one byte order; values over 4 bytes go right after their IFD.</summary>
    private sealed class TiffWriter
    {
        private readonly List<byte> bytes = [];
        private readonly bool bigEndian;

        public TiffWriter(bool bigEndian)
        {
            this.bigEndian = bigEndian;
            bytes.AddRange(bigEndian ? "MM"u8 : "II"u8);
            bytes.AddRange(Shorts(42));
            bytes.AddRange(Longs(8));
        }

        public int Position => bytes.Count;

        public byte[] Shorts(params ushort[] values)
        {
            var result = new byte[values.Length * 2];
            for (var i = 0; i < values.Length; i++)
            {
                if (bigEndian)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(i * 2), values[i]);
                }
                else
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(i * 2), values[i]);
                }
            }

            return result;
        }

        public byte[] Longs(params uint[] values)
        {
            var result = new byte[values.Length * 4];
            for (var i = 0; i < values.Length; i++)
            {
                WriteU32(result.AsSpan(i * 4), values[i]);
            }

            return result;
        }

        public byte[] Rationals(IReadOnlyList<(uint Numerator, uint Denominator)> values) =>
            Longs([.. values.SelectMany(v => new[] { v.Numerator, v.Denominator })]);

        /// <summary>ASCII with its terminating NUL (the count includes it).</summary>
        public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text + "\0");

        public void Raw(ReadOnlySpan<byte> data) => bytes.AddRange(data);

        public void Align()
        {
            if ((bytes.Count & 1) != 0)
            {
                bytes.Add(0);
            }
        }

        public void PatchU32(int at, uint value)
        {
            Span<byte> buffer = stackalloc byte[4];
            WriteU32(buffer, value);
            for (var i = 0; i < 4; i++)
            {
                bytes[at + i] = buffer[i];
            }
        }

        /// <summary>Writes an IFD (entries sorted by tag) at the current position, then its out-of-line values.</summary>
        public (Dictionary<ushort, int> ValueFields, int NextIfdField) Ifd(IEnumerable<TiffEntry> entries)
        {
            var sorted = entries.OrderBy(e => e.Tag).ToList();
            var valueFields = new Dictionary<ushort, int>();
            var overflow = new List<(int Field, byte[] Value)>();
            bytes.AddRange(Shorts((ushort)sorted.Count));
            foreach (var entry in sorted)
            {
                var size = entry.Type switch
                {
                    TypeShort => 2,
                    TypeLong => 4,
                    TypeRational => 8,
                    _ => 1,
                };
                bytes.AddRange(Shorts(entry.Tag, entry.Type));
                bytes.AddRange(Longs((uint)(entry.Value.Length / size)));
                valueFields[entry.Tag] = bytes.Count;
                if (entry.Value.Length <= 4)
                {
                    bytes.AddRange(entry.Value);
                    bytes.AddRange(new byte[4 - entry.Value.Length]);
                }
                else
                {
                    bytes.AddRange(Longs(0));
                    overflow.Add((bytes.Count - 4, entry.Value));
                }
            }

            var next = bytes.Count;
            bytes.AddRange(Longs(0));
            foreach (var (field, value) in overflow)
            {
                Align();
                PatchU32(field, (uint)bytes.Count);
                bytes.AddRange(value);
            }

            return (valueFields, next);
        }

        public byte[] ToArray() => [.. bytes];

        private void WriteU32(Span<byte> destination, uint value)
        {
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt32BigEndian(destination, value);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(destination, value);
            }
        }
    }
}
