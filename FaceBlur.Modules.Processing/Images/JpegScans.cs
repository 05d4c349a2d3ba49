using FaceBlur.Modules.Processing.Media;

namespace FaceBlur.Modules.Processing.Images;

/// <summary>
/// What a JPEG's image data looks like before it is handed to the decoder: it must end with an EOI marker (a truncated
/// file decodes to a half-grey picture with only a warning from libjpeg), and it may not have an absurd number of scans
/// (a progressive JPEG is decoded once per scan: 60,000 empty scans in 0.7 MB held a worker for minutes; real photos
/// have at most a few dozen). Both are found from the first top-level SOS marker on, so an EXIF thumbnail's markers
/// are not counted: in entropy-coded data a 0xFF byte is always followed by 0x00 or a restart code, so every
/// 0xFF 0xDA after it starts a scan.
/// </summary>
public static class JpegScans
{
    /// <summary>The most scans a JPEG may have (libjpeg writes 10 for a progressive colour photo, mozjpeg about a dozen).</summary>
    public const int MaxScans = 256;

    private static ReadOnlySpan<byte> StartOfScan => [0xFF, 0xDA];

    private static ReadOnlySpan<byte> EndOfImage => [0xFF, 0xD9];

    /// <summary>Why the JPEG in <paramref name="data"/> is refused before decoding, or null when it may be decoded.</summary>
    public static MediaError? Check(ReadOnlySpan<byte> data)
    {
        var scan = FirstScan(data);
        if (scan < 0 || data[scan..].IndexOf(EndOfImage) < 0)
        {
            return new MediaError(MediaErrorKind.CorruptMedia, "The JPEG image is truncated.");
        }

        return TooMany(Count(data[scan..]));
    }

    /// <summary>
    /// The scan limit checked on a file read in chunks (an upload is checked without reading it whole into memory); null
    /// when it is within the limit. A truncated file is not refused here: the job reports it, naming the file.
    /// </summary>
    public static async Task<MediaError?> CheckScansInFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        var chunk = new byte[1 << 20];
        var read = await stream.ReadAtLeastAsync(chunk, chunk.Length, throwOnEndOfStream: false, cancellationToken);
        var start = FirstScan(chunk.AsSpan(0, read));
        if (start < 0)
        {
            // Header segments longer than the first chunk are rare: then the whole file decides.
            var all = await File.ReadAllBytesAsync(path, cancellationToken);
            var first = FirstScan(all);
            return first < 0 ? null : TooMany(Count(all.AsSpan(first)));
        }

        var scans = 0;
        var carry = 0;
        while (read > 0 && scans <= MaxScans)
        {
            var window = chunk.AsSpan(0, carry + read);
            scans += Count(window[start..]);

            // Keep the last byte, so a marker split between two chunks is still seen once.
            chunk[0] = window[^1];
            (carry, start) = (1, 0);
            read = await stream.ReadAsync(chunk.AsMemory(carry), cancellationToken);
        }

        return TooMany(scans);
    }

    private static MediaError? TooMany(int scans) => scans > MaxScans
        ? new MediaError(MediaErrorKind.MediaTooLarge, $"The JPEG image has more than {MaxScans} scans (a photo has a few dozen at most): it would take too long to decode.")
        : null;

    private static int Count(ReadOnlySpan<byte> data)
    {
        var count = 0;
        for (var at = data.IndexOf(StartOfScan); at >= 0; at = Next(data, at))
        {
            count++;
        }

        return count;

        static int Next(ReadOnlySpan<byte> data, int at)
        {
            var next = data[(at + 2)..].IndexOf(StartOfScan);
            return next < 0 ? -1 : at + 2 + next;
        }
    }

    /// <summary>The offset of the first top-level SOS marker, walking the header segments by their lengths; -1 if none.</summary>
    private static int FirstScan(ReadOnlySpan<byte> data)
    {
        var pos = 2;
        while (pos + 4 <= data.Length)
        {
            if (data[pos] != 0xFF)
            {
                return -1;
            }

            var marker = data[pos + 1];
            if (marker == 0xFF)
            {
                pos++;
                continue;
            }

            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
            {
                pos += 2;
                continue;
            }

            if (marker == 0xDA)
            {
                return pos;
            }

            var length = (data[pos + 2] << 8) | data[pos + 3];
            if (length < 2)
            {
                return -1;
            }

            pos += 2 + length;
        }

        return -1;
    }
}
