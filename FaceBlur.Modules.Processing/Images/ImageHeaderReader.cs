using System.Buffers.Binary;
using FaceBlur.Modules.Processing.Media;

namespace FaceBlur.Modules.Processing.Images;

/// <summary>
/// What an image file declares about itself. <see cref="Width"/> and <see cref="Height"/> are the stored size, before
/// <see cref="Orientation"/> (EXIF 1..8, 1 when absent or invalid) is applied.
/// </summary>
public readonly record struct ImageHeader(ImageFormat Format, int Width, int Height, int Orientation)
{
    /// <summary>The size once the orientation is applied (width and height swapped for orientations 5 to 8).</summary>
    public (int Width, int Height) UprightSize =>
        ExifOrientation.SwapsDimensions(Orientation) ? (Height, Width) : (Width, Height);
}

/// <summary>
/// Reads the declared format, size and orientation from the first bytes of an image without decoding any pixel, so
/// an oversized image can be refused before a decoder allocates memory for it. Never throws: unknown content gives
/// <see cref="MediaErrorKind.UnsupportedMediaType"/>, a truncated or nonsensical header
/// <see cref="MediaErrorKind.CorruptMedia"/>.
/// </summary>
public static class ImageHeaderReader
{
    public static MediaResult<ImageHeader> Read(ReadOnlySpan<byte> data)
    {
        var format = ImageSniffer.Sniff(data);
        return format switch
        {
            ImageFormat.Jpeg => ReadJpeg(data),
            ImageFormat.Png => ReadPng(data),
            ImageFormat.WebP => ReadWebP(data),
            ImageFormat.Bmp => ReadBmp(data),
            ImageFormat.Tiff => ReadTiff(data),
            _ => MediaResult<ImageHeader>.Fail(
                MediaErrorKind.UnsupportedMediaType,
                "The file is not a supported image; send a JPEG, PNG, WebP, BMP or TIFF file."),
        };
    }

    private static MediaResult<ImageHeader> Corrupt(ImageFormat format, string problem) =>
        MediaResult<ImageHeader>.Fail(MediaErrorKind.CorruptMedia, $"The {Name(format)} image is damaged: {problem}.");

    private static string Name(ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => "JPEG",
        ImageFormat.Png => "PNG",
        ImageFormat.WebP => "WebP",
        ImageFormat.Bmp => "BMP",
        _ => "TIFF",
    };

    private static MediaResult<ImageHeader> Header(ImageFormat format, long width, long height, int orientation)
    {
        if (width <= 0 || height <= 0)
        {
            return Corrupt(format, "its header declares an empty image");
        }

        if (width > int.MaxValue || height > int.MaxValue)
        {
            return Corrupt(format, "its header declares an impossible size");
        }

        return MediaResult<ImageHeader>.Ok(new ImageHeader(format, (int)width, (int)height, orientation));
    }

    // ---- JPEG -------------------------------------------------------------------------------------------------

    /// <summary>Walks the marker segments from SOI to the first frame header (SOFn), noting the first EXIF APP1.</summary>
    private static MediaResult<ImageHeader> ReadJpeg(ReadOnlySpan<byte> data)
    {
        const ImageFormat format = ImageFormat.Jpeg;
        var orientation = ExifOrientation.Normal;
        var exifSeen = false;
        var pos = 2;
        while (true)
        {
            // A marker is one or more 0xFF fill bytes and a code. Stray bytes between segments are skipped, as
            // libjpeg does (with a warning).
            while (pos < data.Length && data[pos] != 0xFF)
            {
                pos++;
            }

            while (pos < data.Length && data[pos] == 0xFF)
            {
                pos++;
            }

            if (pos >= data.Length)
            {
                return Corrupt(format, "the file ends before the frame header");
            }

            var marker = data[pos++];
            if (marker == 0x00 || marker == 0x01 || marker is >= 0xD0 and <= 0xD7)
            {
                // Stuffed zero, TEM and RSTn stand alone: no length follows.
                continue;
            }

            if (marker is 0xD8 or 0xD9 or 0xDA)
            {
                return Corrupt(format, "no frame header before the image data");
            }

            if (pos + 2 > data.Length)
            {
                return Corrupt(format, "the file ends before the frame header");
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(data[pos..]);
            if (length < 2)
            {
                return Corrupt(format, "a segment has an invalid length");
            }

            if (pos + length > data.Length)
            {
                return Corrupt(format, "the file ends before the frame header");
            }

            var payload = data.Slice(pos + 2, length - 2);
            if (IsStartOfFrame(marker))
            {
                // P(1) Y(2) X(2) Nf(1), then three bytes per component.
                if (payload.Length < 6 || payload[5] == 0 || payload.Length < 6 + (3 * payload[5]))
                {
                    return Corrupt(format, "the frame header is invalid");
                }

                int height = BinaryPrimitives.ReadUInt16BigEndian(payload[1..]);
                int width = BinaryPrimitives.ReadUInt16BigEndian(payload[3..]);
                return Header(format, width, height, orientation);
            }

            if (marker == 0xE1 && !exifSeen && ExifOrientation.TryFromJpegApp1(payload, out var fromExif))
            {
                exifSeen = true;
                orientation = fromExif;
            }

            pos += length;
        }
    }

    /// <summary>SOF0-3, 5-7, 9-11, 13-15; C4 (DHT), C8 (JPG) and CC (DAC) are not frame headers.</summary>
    private static bool IsStartOfFrame(byte marker) =>
        marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;

    // ---- PNG --------------------------------------------------------------------------------------------------

    private static MediaResult<ImageHeader> ReadPng(ReadOnlySpan<byte> data)
    {
        const ImageFormat format = ImageFormat.Png;

        // Signature (8), IHDR length (4) and type (4), 13 bytes of data, CRC (4).
        const int IhdrEnd = 33;
        if (data.Length < IhdrEnd)
        {
            return Corrupt(format, "the file ends inside its header");
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(data[8..]) != 13 || !data.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            return Corrupt(format, "the header chunk is missing");
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(data[29..]) != Crc32.Compute(data[12..29]))
        {
            return Corrupt(format, "the header checksum is wrong");
        }

        var width = BinaryPrimitives.ReadUInt32BigEndian(data[16..]);
        var height = BinaryPrimitives.ReadUInt32BigEndian(data[20..]);
        var bitDepth = data[24];
        var colorType = data[25];
        var depthValid = colorType switch
        {
            0 => bitDepth is 1 or 2 or 4 or 8 or 16,
            3 => bitDepth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => bitDepth is 8 or 16,
            _ => false,
        };
        if (!depthValid || data[26] != 0 || data[27] != 0 || data[28] > 1)
        {
            return Corrupt(format, "the header declares an invalid pixel format");
        }

        return Header(format, width, height, PngOrientation(data, IhdrEnd));
    }

    /// <summary>The orientation of the first eXIf chunk before the image data (where the PNG specification puts it).</summary>
    private static int PngOrientation(ReadOnlySpan<byte> data, int pos)
    {
        while ((long)pos + 8 <= data.Length)
        {
            long length = BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
            var type = data.Slice(pos + 4, 4);
            var payloadEnd = pos + 8 + length;
            if (type.SequenceEqual("eXIf"u8))
            {
                return payloadEnd <= data.Length
                    ? ExifOrientation.FromExifChunk(data.Slice(pos + 8, (int)length))
                    : ExifOrientation.Normal;
            }

            if (type.SequenceEqual("IDAT"u8) || type.SequenceEqual("IEND"u8) || payloadEnd + 4 > data.Length)
            {
                break;
            }

            pos = (int)(payloadEnd + 4);
        }

        return ExifOrientation.Normal;
    }

    // ---- WebP -------------------------------------------------------------------------------------------------

    private static MediaResult<ImageHeader> ReadWebP(ReadOnlySpan<byte> data)
    {
        const ImageFormat format = ImageFormat.WebP;
        const int Payload = 20;
        if (data.Length < Payload)
        {
            return Corrupt(format, "the file ends inside its header");
        }

        var chunk = data.Slice(12, 4);
        long chunkSize = BinaryPrimitives.ReadUInt32LittleEndian(data[16..]);
        if (chunk.SequenceEqual("VP8 "u8))
        {
            // Frame tag (3 bytes, bit 0 clear on a key frame), start code 9D 01 2A, then 14-bit width and height
            // (the top two bits of each are a scaling hint).
            if (chunkSize < 10 || data.Length < Payload + 10)
            {
                return Corrupt(format, "the file ends inside its header");
            }

            if ((data[Payload] & 1) != 0 || data[Payload + 3] != 0x9D || data[Payload + 4] != 0x01 || data[Payload + 5] != 0x2A)
            {
                return Corrupt(format, "the frame header is invalid");
            }

            var width = BinaryPrimitives.ReadUInt16LittleEndian(data[(Payload + 6)..]) & 0x3FFF;
            var height = BinaryPrimitives.ReadUInt16LittleEndian(data[(Payload + 8)..]) & 0x3FFF;
            return Header(format, width, height, ExifOrientation.Normal);
        }

        if (chunk.SequenceEqual("VP8L"u8))
        {
            // Signature 0x2F, then 14 bits width-1, 14 bits height-1, 1 bit alpha, 3 bits version (0).
            if (chunkSize < 5 || data.Length < Payload + 5)
            {
                return Corrupt(format, "the file ends inside its header");
            }

            var bits = BinaryPrimitives.ReadUInt32LittleEndian(data[(Payload + 1)..]);
            if (data[Payload] != 0x2F || (bits >> 29) != 0)
            {
                return Corrupt(format, "the lossless header is invalid");
            }

            return Header(format, (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, ExifOrientation.Normal);
        }

        if (chunk.SequenceEqual("VP8X"u8))
        {
            // Flags (1), reserved (3), canvas width-1 (24 bits), canvas height-1 (24 bits).
            if (chunkSize < 10 || data.Length < Payload + 10)
            {
                return Corrupt(format, "the file ends inside its header");
            }

            long width = Uint24(data[(Payload + 4)..]) + 1;
            long height = Uint24(data[(Payload + 7)..]) + 1;
            if (width * height > uint.MaxValue)
            {
                return Corrupt(format, "the canvas is larger than the format allows");
            }

            var orientation = WebPOrientation(data, Payload + chunkSize + (chunkSize & 1));
            return Header(format, width, height, orientation);
        }

        return Corrupt(format, "the image chunk is missing");
    }

    private static int Uint24(ReadOnlySpan<byte> data) => data[0] | (data[1] << 8) | (data[2] << 16);

    /// <summary>The orientation of the EXIF chunk of an extended (VP8X) WebP file, if it has one.</summary>
    private static int WebPOrientation(ReadOnlySpan<byte> data, long pos)
    {
        while (pos + 8 <= data.Length)
        {
            var at = (int)pos;
            long size = BinaryPrimitives.ReadUInt32LittleEndian(data[(at + 4)..]);
            if (data.Slice(at, 4).SequenceEqual("EXIF"u8))
            {
                return at + 8 + size <= data.Length
                    ? ExifOrientation.FromExifChunk(data.Slice(at + 8, (int)size))
                    : ExifOrientation.Normal;
            }

            pos += 8 + size + (size & 1);
        }

        return ExifOrientation.Normal;
    }

    // ---- BMP --------------------------------------------------------------------------------------------------

    private static MediaResult<ImageHeader> ReadBmp(ReadOnlySpan<byte> data)
    {
        const ImageFormat format = ImageFormat.Bmp;
        const int Dib = 14;

        // The sniffer has checked that the DIB header size is a known one.
        var dibSize = BinaryPrimitives.ReadInt32LittleEndian(data[Dib..]);
        if (data.Length < Dib + dibSize)
        {
            return Corrupt(format, "the file ends inside its header");
        }

        long width;
        long height;
        int planes;
        if (dibSize == 12)
        {
            // BITMAPCOREHEADER: unsigned 16-bit width and height.
            width = BinaryPrimitives.ReadUInt16LittleEndian(data[(Dib + 4)..]);
            height = BinaryPrimitives.ReadUInt16LittleEndian(data[(Dib + 6)..]);
            planes = BinaryPrimitives.ReadUInt16LittleEndian(data[(Dib + 8)..]);
        }
        else
        {
            // BITMAPINFOHEADER and later: signed 32-bit; a negative height means rows are stored top-down.
            width = BinaryPrimitives.ReadInt32LittleEndian(data[(Dib + 4)..]);
            height = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(data[(Dib + 8)..]));
            planes = BinaryPrimitives.ReadUInt16LittleEndian(data[(Dib + 12)..]);
        }

        if (planes != 1)
        {
            return Corrupt(format, "the header is invalid");
        }

        return Header(format, width, height, ExifOrientation.Normal);
    }

    // ---- TIFF -------------------------------------------------------------------------------------------------

    private static MediaResult<ImageHeader> ReadTiff(ReadOnlySpan<byte> data)
    {
        const ImageFormat format = ImageFormat.Tiff;
        const ushort ImageWidth = 256;
        const ushort ImageLength = 257;
        if (!ExifTiffReader.TryOpen(data, out var tiff))
        {
            return Corrupt(format, "the file ends inside its header");
        }

        if (!tiff.IsCompleteIfd(tiff.FirstIfdOffset))
        {
            return Corrupt(format, "the first image directory is missing or cut off");
        }

        if (!tiff.TryReadUnsigned(tiff.FirstIfdOffset, ImageWidth, out var width)
            || !tiff.TryReadUnsigned(tiff.FirstIfdOffset, ImageLength, out var height))
        {
            return Corrupt(format, "the image size is missing");
        }

        return Header(format, width, height, ExifOrientation.FromIfd0(tiff));
    }

    /// <summary>CRC-32 (ISO-HDLC, as PNG uses it), to check the IHDR chunk.</summary>
    private static class Crc32
    {
        private static readonly uint[] Table = BuildTable();

        public static uint Compute(ReadOnlySpan<byte> bytes)
        {
            var crc = 0xFFFFFFFFu;
            foreach (var b in bytes)
            {
                crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            }

            return crc ^ 0xFFFFFFFFu;
        }

        private static uint[] BuildTable()
        {
            var table = new uint[256];
            for (var n = 0u; n < 256; n++)
            {
                var c = n;
                for (var k = 0; k < 8; k++)
                {
                    c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                }

                table[n] = c;
            }

            return table;
        }
    }
}
