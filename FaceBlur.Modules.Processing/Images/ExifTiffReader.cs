using System.Buffers.Binary;

namespace FaceBlur.Modules.Processing.Images;

/// <summary>
/// Bounds-checked reading of a TIFF structure: a TIFF file, or the body of an EXIF block (which is a TIFF structure
/// too). Only what the header reader needs: the byte order, IFD0 and unsigned integer tags. Never throws; every
/// offset read from the data is checked against its length first.
/// </summary>
internal readonly ref struct ExifTiffReader
{
    private const ushort TypeByte = 1;
    private const ushort TypeShort = 3;
    private const ushort TypeLong = 4;
    private const int EntrySize = 12;

    private readonly ReadOnlySpan<byte> data;

    private ExifTiffReader(ReadOnlySpan<byte> data, bool bigEndian, uint firstIfdOffset)
    {
        this.data = data;
        BigEndian = bigEndian;
        FirstIfdOffset = firstIfdOffset;
    }

    public bool BigEndian { get; }

    /// <summary>Offset of IFD0 from the start of the TIFF structure, as declared (not yet checked).</summary>
    public uint FirstIfdOffset { get; }

    /// <summary>Checks the 8-byte TIFF header ("II*\0" or "MM\0*" and the IFD0 offset).</summary>
    public static bool TryOpen(ReadOnlySpan<byte> data, out ExifTiffReader reader)
    {
        reader = default;
        if (data.Length < 8)
        {
            return false;
        }

        bool bigEndian;
        if (data[0] == (byte)'I' && data[1] == (byte)'I')
        {
            bigEndian = false;
        }
        else if (data[0] == (byte)'M' && data[1] == (byte)'M')
        {
            bigEndian = true;
        }
        else
        {
            return false;
        }

        var magic = bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(data[2..]) : BinaryPrimitives.ReadUInt16LittleEndian(data[2..]);
        if (magic != 42)
        {
            return false;
        }

        var ifd = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(data[4..]) : BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        reader = new ExifTiffReader(data, bigEndian, ifd);
        return true;
    }

    /// <summary>True when the IFD at <paramref name="ifdOffset"/> has at least one entry and all its entries are in the data.</summary>
    public bool IsCompleteIfd(uint ifdOffset)
    {
        if (ifdOffset < 8 || (long)ifdOffset + 2 > data.Length)
        {
            return false;
        }

        var count = U16((int)ifdOffset);
        return count > 0 && (long)ifdOffset + 2 + ((long)count * EntrySize) <= data.Length;
    }

    /// <summary>
    /// The first value of a BYTE, SHORT or LONG tag of the IFD at <paramref name="ifdOffset"/>. False when the IFD or
    /// the tag is missing, of another type, has no value, or points outside the data. Entries cut off by the end of
    /// the data are not looked at.
    /// </summary>
    public bool TryReadUnsigned(uint ifdOffset, ushort tag, out uint value)
    {
        value = 0;
        if (ifdOffset < 8 || (long)ifdOffset + 2 > data.Length)
        {
            return false;
        }

        int count = U16((int)ifdOffset);
        for (var i = 0; i < count; i++)
        {
            var entry = (long)ifdOffset + 2 + ((long)i * EntrySize);
            if (entry + EntrySize > data.Length)
            {
                return false;
            }

            var at = (int)entry;
            if (U16(at) != tag)
            {
                continue;
            }

            var type = U16(at + 2);
            var valueCount = U32(at + 4);
            var size = type switch
            {
                TypeByte => 1,
                TypeShort => 2,
                TypeLong => 4,
                _ => 0,
            };
            if (size == 0 || valueCount == 0)
            {
                return false;
            }

            // Values that fit in the 4-byte field are stored in it (left-justified); longer ones are elsewhere.
            long position = at + 8;
            if ((long)size * valueCount > 4)
            {
                position = U32(at + 8);
            }

            if (position + size > data.Length)
            {
                return false;
            }

            var p = (int)position;
            value = type switch
            {
                TypeByte => data[p],
                TypeShort => U16(p),
                _ => U32(p),
            };
            return true;
        }

        return false;
    }

    private ushort U16(int offset) =>
        BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(data[offset..]) : BinaryPrimitives.ReadUInt16LittleEndian(data[offset..]);

    private uint U32(int offset) =>
        BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(data[offset..]) : BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);
}
