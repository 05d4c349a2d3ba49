using System.Buffers.Binary;

namespace FaceBlur.Tests.Video;

/// <summary>Rewrites an element of a Matroska file in place, for hostile-input tests.</summary>
internal static class MatroskaElements
{
    /// <summary>
    /// The Segment Info's Duration (element 0x4489, an 8-byte float in TimestampScale units: milliseconds as ffmpeg
    /// writes it) set to <paramref name="seconds"/>, the clusters untouched: a file whose header lies about its length.
    /// </summary>
    public static byte[] WithDeclaredDuration(byte[] mkv, double seconds)
    {
        var forged = (byte[])mkv.Clone();
        var at = forged.AsSpan().IndexOf((ReadOnlySpan<byte>)[0x44, 0x89, 0x88]);
        if (at < 0)
        {
            throw new InvalidOperationException("No 8-byte Duration element.");
        }

        BinaryPrimitives.WriteDoubleBigEndian(forged.AsSpan(at + 3), seconds * 1000);
        return forged;
    }
}
