using System.Text;
using System.Text.Json.Serialization;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>Video containers recognised from their first bytes. JSON: "iso_media" | "matroska" | "avi".</summary>
[JsonConverter(typeof(JsonStringEnumConverter<VideoContainer>))]
public enum VideoContainer
{
    /// <summary>ISO base media: MP4, MOV, M4V, 3GP.</summary>
    [JsonStringEnumMemberName("iso_media")]
    IsoMedia,

    /// <summary>Matroska and WebM (EBML).</summary>
    [JsonStringEnumMemberName("matroska")]
    Matroska,

    /// <summary>AVI (RIFF).</summary>
    [JsonStringEnumMemberName("avi")]
    Avi,
}

/// <summary>
/// Recognises video containers from content, before ffmpeg sees the file. Text formats that make ffmpeg open other
/// files or network addresses (HLS/m3u8 playlists, ffconcat lists, SDP) are never recognised as video, whatever the
/// file is called, so they are refused.
/// </summary>
public static class VideoSniffer
{
    private static readonly string[] IsoBoxTypes = ["ftyp", "moov", "mdat", "free", "skip", "wide", "pnot"];

    public static VideoContainer? Sniff(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 12 && IsoBoxTypes.Contains(Encoding.ASCII.GetString(data.Slice(4, 4))))
        {
            return VideoContainer.IsoMedia;
        }

        if (data.Length >= 4 && data[0] == 0x1A && data[1] == 0x45 && data[2] == 0xDF && data[3] == 0xA3)
        {
            return VideoContainer.Matroska;
        }

        if (data.Length >= 12 && data[..4].SequenceEqual("RIFF"u8) && data.Slice(8, 4).SequenceEqual("AVI "u8))
        {
            return VideoContainer.Avi;
        }

        return null;
    }

    /// <summary>Bytes read from the start of a file to recognise it.</summary>
    public const int HeaderLength = 64;

    /// <summary>Recognises the container of a file from its first bytes (null when it is not a video we take).</summary>
    public static async Task<VideoContainer?> SniffFileAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        var header = new byte[HeaderLength];
        int length;
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            length = await stream.ReadAtLeastAsync(header, HeaderLength, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        }

        return Sniff(header.AsSpan(0, length));
    }

    /// <summary>The ffmpeg demuxer forced for a container, so that ffmpeg never guesses another format (a playlist).</summary>
    public static string DemuxerName(VideoContainer container) => container switch
    {
        VideoContainer.IsoMedia => "mov",
        VideoContainer.Matroska => "matroska",
        VideoContainer.Avi => "avi",
        _ => throw new ArgumentOutOfRangeException(nameof(container)),
    };

    /// <summary>The extensions each container may be uploaded with.</summary>
    public static bool ExtensionMatches(VideoContainer container, string extension) => container switch
    {
        VideoContainer.IsoMedia => extension is "mp4" or "mov" or "m4v" or "3gp" or "qt",
        VideoContainer.Matroska => extension is "mkv" or "webm",
        VideoContainer.Avi => extension is "avi",
        _ => false,
    };
}
