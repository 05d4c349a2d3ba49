using System.Globalization;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>
/// Every ffprobe and ffmpeg command line of the video pipeline. Each reads local files only: the demuxer is forced from
/// the sniffed container (ffmpeg never guesses a playlist) and <c>-protocol_whitelist file,pipe</c> forbids any other
/// protocol; paths are passed as <c>file:</c> URLs so that no name is taken for an option or a protocol.
/// </summary>
internal static class FfmpegArguments
{
    /// <summary>Audio codecs an MP4 carries as they are; anything else is transcoded to AAC.</summary>
    private static readonly HashSet<string> Mp4AudioCodecs = new(StringComparer.Ordinal) { "aac", "mp3", "alac", "ac3", "eac3" };

    /// <summary>
    /// One ffprobe pass: streams, format and every packet's stream, time, duration and flags (packets are read, not
    /// decoded). Listing the packets also counts them (<c>nb_read_packets</c>: the frame count of containers that
    /// declare none).
    /// </summary>
    public static List<string> Probe(string path, string demuxer) =>
    [
        "-v", "error", "-hide_banner", "-protocol_whitelist", "file,pipe", "-f", demuxer,
        "-print_format", "json=compact=1", "-show_format", "-show_streams",
        "-show_entries", "packet=stream_index,pts,duration,flags",
        "-i", FileUrl(path),
    ];

    /// <summary>
    /// Decodes the video stream to raw I420 frames of <paramref name="frame"/>'s size on stdout, upright (ffmpeg applies
    /// the rotation), each frame once (no frame is duplicated or dropped to keep a rate).
    /// </summary>
    public static List<string> Decoder(string input, string demuxer, VideoInfo info, FrameGeometry frame)
    {
        var args = new List<string> { "-hide_banner", "-nostdin", "-nostats", "-v", "error" };
        if (frame.IsLarge)
        {
            args.AddRange(["-threads", "1"]);
        }

        args.AddRange(
        [
            "-protocol_whitelist", "file,pipe", "-f", demuxer, "-i", FileUrl(input),
            "-map", "0:" + Invariant(info.VideoStreamIndex),
        ]);
        if (frame.Width != info.DisplayWidth || frame.Height != info.DisplayHeight)
        {
            // 4:2:0 needs even sizes: an odd last column or row is dropped (after the rotation, which ffmpeg applies first).
            args.AddRange(["-vf", $"crop={Invariant(frame.Width)}:{Invariant(frame.Height)}:0:0"]);
        }

        args.AddRange(["-fps_mode", "passthrough", "-an", "-sn", "-dn", "-pix_fmt", "yuv420p", "-f", "rawvideo", "pipe:1"]);
        return args;
    }

    /// <summary>
    /// Encodes the anonymized frames (a Matroska stream on stdin, see <see cref="RawVideoMatroska"/>) to an MP4 with
    /// H.264 yuv420p and the input's audio (copied when an MP4 carries it, else AAC), each frame at its own time in the
    /// input's clock, no metadata or chapters, the index first (faststart).
    /// </summary>
    public static List<string> Encoder(string input, string demuxer, string output, VideoSource source, FrameGeometry frame, VideoOptions options)
    {
        var (info, times) = (source.Info, source.Times);
        var args = new List<string> { "-hide_banner", "-nostats", "-v", "error", "-y" };
        if (info.VideoStartOffset > 0 && info.HasAudio)
        {
            // Keeps the pictures where they were against the sound when the video started after the audio.
            args.AddRange(["-itsoffset", info.VideoStartOffset.ToString("0.######", CultureInfo.InvariantCulture)]);
        }

        args.AddRange(["-protocol_whitelist", "file,pipe", "-f", "matroska", "-i", "pipe:0"]);
        if (info.HasAudio)
        {
            args.AddRange(["-protocol_whitelist", "file,pipe", "-f", demuxer, "-i", FileUrl(input)]);
        }

        args.AddRange(["-map", "0:v:0"]);
        foreach (var index in info.AudioStreamIndexes)
        {
            args.AddRange(["-map", "1:" + Invariant(index)]);
        }

        args.AddRange(["-c:v", "libx264", "-preset", options.EncoderPreset, "-crf", Invariant(options.Crf), "-pix_fmt", "yuv420p"]);
        if (frame.IsLarge)
        {
            args.AddRange(["-threads", "2", "-bf", "0", "-x264-params", "sync-lookahead=0"]);
        }

        // Each frame once, at its own time, counted in the input's ticks.
        args.AddRange(["-fps_mode", "passthrough", "-enc_time_base:v", "-1"]);
        if (times.TimeScale > 0)
        {
            args.AddRange(["-video_track_timescale", Invariant(times.TimeScale)]);
        }

        AddColor(args, "-colorspace", info.ColorSpace);
        AddColor(args, "-color_primaries", info.ColorPrimaries);
        AddColor(args, "-color_trc", info.ColorTransfer);
        AddColor(args, "-color_range", info.ColorRange);
        for (var i = 0; i < info.AudioCodecs.Count; i++)
        {
            var stream = Invariant(i);
            args.AddRange(Mp4AudioCodecs.Contains(info.AudioCodecs[i])
                ? ["-c:a:" + stream, "copy"]
                : ["-c:a:" + stream, "aac", "-b:a:" + stream, "160k"]);
        }

        args.AddRange(["-map_metadata", "-1", "-map_chapters", "-1", "-movflags", "+faststart", "-f", "mp4", FileUrl(output)]);
        return args;
    }

    private static void AddColor(List<string> args, string option, string? value)
    {
        if (value is not null)
        {
            args.AddRange([option, value]);
        }
    }

    private static string FileUrl(string path) => "file:" + Path.GetFullPath(path);

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
