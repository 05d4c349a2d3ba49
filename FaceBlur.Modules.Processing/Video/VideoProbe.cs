using System.Globalization;
using System.Text.Json;
using FaceBlur.Modules.Processing.Media;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>
/// Runs ffprobe on a local file once, with the demuxer forced, a protocol whitelist of <c>file,pipe</c> and a time limit,
/// and refuses videos the service does not take: unreadable, without a video stream, too long (as declared or as its
/// frames' times play: a header may lie), above 3840x2160 or below 16x16. The
/// same pass lists the packets (demuxing, no decoding): the video stream's frame times and, for containers that declare
/// no frame count (Matroska), the count.
/// </summary>
internal static class VideoProbe
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Probes <paramref name="path"/> with <paramref name="ffprobePath"/>; <paramref name="demuxer"/> is ffmpeg's demuxer
    /// (see <see cref="VideoSniffer.DemuxerName"/>), so that no other demuxer (playlists) is ever tried.
    /// </summary>
    public static async Task<MediaResult<(VideoInfo Info, FrameTimes Times)>> ProbeAsync(
        string path, string demuxer, VideoLimits limits, string ffprobePath, CancellationToken cancellationToken)
    {
        var run = await FfmpegProcess.RunToEndAsync(ffprobePath, FfmpegArguments.Probe(path, demuxer), Timeout, cancellationToken)
            .ConfigureAwait(false);
        if (run is not { } done)
        {
            return MediaResult<(VideoInfo, FrameTimes)>.Fail(MediaErrorKind.CorruptMedia, "The video could not be read in time.");
        }

        if (done.ExitCode != 0)
        {
            return MediaResult<(VideoInfo, FrameTimes)>.Fail(MediaErrorKind.CorruptMedia, "The video could not be read: " + Reason(done.StderrTail));
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(done.Output);
        }
        catch (JsonException)
        {
            return MediaResult<(VideoInfo, FrameTimes)>.Fail(MediaErrorKind.CorruptMedia, "The video could not be read.");
        }

        using (doc)
        {
            var info = Interpret(doc.RootElement, limits);
            if (!info.IsSuccess)
            {
                return MediaResult<(VideoInfo, FrameTimes)>.Fail(info.Error!);
            }

            // A frame shown after the limit (as the decoder will show it: a header's duration may lie).
            var times = FrameTimes.Read(doc.RootElement, info.Value!.VideoStreamIndex, info.Value.FrameRate);
            return times.Count > 0 && times.MicrosecondsOf(times.Count - 1) / 1e6 > limits.MaxSeconds
                ? MediaResult<(VideoInfo, FrameTimes)>.Fail(MediaErrorKind.MediaTooLong, TooLong(times.ListedSeconds, limits))
                : MediaResult<(VideoInfo, FrameTimes)>.Ok((info.Value, times));
        }
    }

    /// <summary>A short, path-free reason from ffmpeg's last error line.</summary>
    internal static string Reason(string stderrTail)
    {
        var last = stderrTail.Split(" | ").LastOrDefault(l => l.Length > 0) ?? "";
        if (last.Contains("moov atom not found", StringComparison.OrdinalIgnoreCase))
        {
            return "the file is truncated or incomplete (no index).";
        }

        if (last.Contains("Invalid data found", StringComparison.OrdinalIgnoreCase) || last.Contains("EBML", StringComparison.Ordinal))
        {
            return "invalid or damaged data.";
        }

        return "the data is not a readable video.";
    }

    /// <summary>ffprobe's JSON (streams and format) as a <see cref="VideoInfo"/> within <paramref name="limits"/>.</summary>
    internal static MediaResult<VideoInfo> Interpret(string json, VideoLimits limits)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return Interpret(doc.RootElement, limits);
        }
        catch (JsonException)
        {
            return MediaResult<VideoInfo>.Fail(MediaErrorKind.CorruptMedia, "The video could not be read.");
        }
    }

    private static MediaResult<VideoInfo> Interpret(JsonElement root, VideoLimits limits)
    {
        try
        {
            var streams = root.TryGetProperty("streams", out var s) ? s.EnumerateArray().ToList() : [];
            // A container that parses yet holds no stream at all is damaged (400); one that holds only other media
            // (sound, data) or a video codec ffmpeg does not know is a file this service does not take (415).
            if (streams.Count == 0)
            {
                return MediaResult<VideoInfo>.Fail(MediaErrorKind.CorruptMedia, "The video could not be read: it holds no stream (damaged or empty).");
            }

            var video = streams.FirstOrDefault(x => Str(x, "codec_type") == "video" && !IsAttachedPicture(x));
            if (video.ValueKind != JsonValueKind.Object)
            {
                return MediaResult<VideoInfo>.Fail(MediaErrorKind.UnsupportedMediaType, "The file has no video stream.");
            }

            return Str(video, "codec_name") is null or "none"
                ? MediaResult<VideoInfo>.Fail(MediaErrorKind.UnsupportedMediaType, "The video's codec is not one this service decodes.")
                : Check(Read(root, video, streams), limits);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return MediaResult<VideoInfo>.Fail(MediaErrorKind.CorruptMedia, "The video could not be read.");
        }
    }

    /// <summary>The facts of <paramref name="video"/> (a stream of <paramref name="root"/>) and of the file's audio streams.</summary>
    private static VideoInfo Read(JsonElement root, JsonElement video, List<JsonElement> streams)
    {
        var audioStreams = streams.Where(x => Str(x, "codec_type") == "audio").ToList();
        var audio = audioStreams.Select(x => Str(x, "codec_name") ?? "unknown").ToList();
        var duration = Num(root.TryGetProperty("format", out var format) ? format : default, "duration")
            ?? Num(video, "duration")
            ?? 0;
        var rFrameRate = Rate(Str(video, "r_frame_rate"));
        var avgFrameRate = Rate(Str(video, "avg_frame_rate"));
        var frameRate = avgFrameRate > 0 ? avgFrameRate : rFrameRate;
        var formatStart = Num(format, "start_time") ?? 0;
        var videoStart = Num(video, "start_time") ?? formatStart;
        long? frames = long.TryParse(Str(video, "nb_frames"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n
            : long.TryParse(Str(video, "nb_read_packets"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) && p > 0 ? p
            : null;
        return new VideoInfo(
            duration,
            (int)(Num(video, "width") ?? 0),
            (int)(Num(video, "height") ?? 0),
            frameRate,
            Rotation(video),
            frames,
            Str(video, "codec_name") ?? "unknown",
            audio)
        {
            VideoStreamIndex = (int)(Num(video, "index") ?? 0),
            VideoDurationSeconds = Num(video, "duration") ?? duration,
            AudioStreamIndexes = [.. audioStreams.Select(x => (int)(Num(x, "index") ?? 0))],
            VideoStartOffset = Math.Max(0, videoStart - formatStart),
            ColorSpace = Known(Str(video, "color_space")),
            ColorPrimaries = Known(Str(video, "color_primaries")),
            ColorTransfer = Known(Str(video, "color_transfer")),
            ColorRange = Known(Str(video, "color_range")),
            PixelAspect = Aspect(Str(video, "sample_aspect_ratio")),
        };
    }

    /// <summary><paramref name="info"/> when the service takes such a video; else why not.</summary>
    private static MediaResult<VideoInfo> Check(VideoInfo info, VideoLimits limits)
    {
        if (info.Width <= 0 || info.Height <= 0 || !(info.DurationSeconds > 0) || !(info.FrameRate > 0))
        {
            return MediaResult<VideoInfo>.Fail(MediaErrorKind.CorruptMedia, "The video has no readable frames.");
        }

        if (info.DurationSeconds > limits.MaxSeconds)
        {
            return MediaResult<VideoInfo>.Fail(MediaErrorKind.MediaTooLong, TooLong(info.DurationSeconds, limits));
        }

        if (Math.Min(info.DisplayWidth, info.DisplayHeight) < limits.MinSide)
        {
            return MediaResult<VideoInfo>.Fail(
                MediaErrorKind.MediaTooSmall,
                $"The video is {info.DisplayWidth}x{info.DisplayHeight}; videos must be at least {limits.MinSide}x{limits.MinSide}.");
        }

        var (longSide, shortSide) = (Math.Max(info.Width, info.Height), Math.Min(info.Width, info.Height));
        if (longSide > Math.Max(limits.MaxWidth, limits.MaxHeight) || shortSide > Math.Min(limits.MaxWidth, limits.MaxHeight))
        {
            return MediaResult<VideoInfo>.Fail(
                MediaErrorKind.MediaTooLarge,
                $"The video is {info.Width}x{info.Height}; the limit is {limits.MaxWidth}x{limits.MaxHeight}.");
        }

        var impliedRate = info.FrameCount is { } declared && info.VideoDurationSeconds > 0 ? declared / info.VideoDurationSeconds : 0;
        if (info.FrameRate > limits.MaxFrameRate || impliedRate > limits.MaxFrameRate * 1.05)
        {
            return MediaResult<VideoInfo>.Fail(
                MediaErrorKind.MediaTooLarge,
                $"The video declares {Math.Max(info.FrameRate, impliedRate):0.#} frames per second; the limit is {limits.MaxFrameRate:0.#}.");
        }

        return MediaResult<VideoInfo>.Ok(info);
    }

    private static string TooLong(double seconds, VideoLimits limits) =>
        $"The video is {seconds:0.#} s long; the limit is {limits.MaxSeconds:0.#} s.";

    /// <summary>ffprobe's <c>N:D</c> sample aspect ratio; 1:1 when absent, unknown (0:1) or implausible.</summary>
    private static PixelAspect Aspect(string? ratio)
    {
        var parts = ratio?.Split(':');
        return parts is [var n, var d]
            && int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var width)
            && int.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out var height)
            && width > 0 && height > 0 && width <= 100 * height && height <= 100 * width
            ? new PixelAspect(width, height)
            : PixelAspect.Square;
    }

    private static string? Known(string? value) =>
        value is null or "unknown" or "unspecified" || value.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) ? null : value;

    private static bool IsAttachedPicture(JsonElement stream) =>
        stream.TryGetProperty("disposition", out var d) && d.TryGetProperty("attached_pic", out var a) && a.ValueKind == JsonValueKind.Number && a.GetInt32() == 1;

    private static int Rotation(JsonElement video)
    {
        if (video.TryGetProperty("side_data_list", out var sideData) && sideData.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in sideData.EnumerateArray())
            {
                if (Num(item, "rotation") is { } r)
                {
                    return Normalize((int)Math.Round(r));
                }
            }
        }

        if (video.TryGetProperty("tags", out var tags) && Num(tags, "rotate") is { } rotate)
        {
            // The legacy tag is clockwise; display-matrix rotation is counter-clockwise.
            return Normalize(-(int)Math.Round(rotate));
        }

        return 0;
    }

    /// <summary>Counter-clockwise degrees in 0, 90, 180, 270.</summary>
    private static int Normalize(int degrees) => ((degrees % 360) + 360) % 360 / 90 * 90;

    private static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v)
            ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()
            : null;

    private static double? Num(JsonElement element, string name) =>
        double.TryParse(Str(element, name), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;

    private static double Rate(string? fraction)
    {
        if (fraction is null)
        {
            return 0;
        }

        var parts = fraction.Split('/');
        return parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var num)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var den)
            && den > 0
            ? num / den
            : 0;
    }
}
