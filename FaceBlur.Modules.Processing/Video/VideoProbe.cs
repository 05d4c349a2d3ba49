using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FaceBlur.Modules.Processing.Media;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>What ffprobe says of a video file.</summary>
public sealed record VideoInfo(
    double DurationSeconds,
    int Width,
    int Height,
    double FrameRate,
    bool VariableFrameRate,
    int Rotation,
    long? FrameCount,
    string VideoCodec,
    IReadOnlyList<string> AudioCodecs);

/// <summary>Limits a video must meet.</summary>
public sealed record VideoLimits(double MaxSeconds, int MaxWidth = 3840, int MaxHeight = 2160);

/// <summary>
/// Runs ffprobe on a local file, with a protocol whitelist of <c>file,pipe</c> and a time limit, and refuses videos the
/// service does not take: unreadable, without a video stream, too long, or above 3840x2160.
/// </summary>
public static class VideoProbe
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task<MediaResult<VideoInfo>> ProbeAsync(string path, VideoLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var start = new ProcessStartInfo("ffprobe")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "-v", "error", "-hide_banner", "-protocol_whitelist", "file,pipe",
                     "-print_format", "json", "-show_format", "-show_streams", "-i", "file:" + Path.GetFullPath(path),
                 })
        {
            start.ArgumentList.Add(arg);
        }

        string json;
        using (var process = new Process { StartInfo = start })
        {
            process.Start();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            try
            {
                var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
                var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
                await process.WaitForExitAsync(timeout.Token);
                json = await stdout;
                _ = await stderr;
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                if (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }

                return MediaResult<VideoInfo>.Fail(MediaErrorKind.CorruptMedia, "The video could not be read in time.");
            }

            if (process.ExitCode != 0)
            {
                return MediaResult<VideoInfo>.Fail(MediaErrorKind.CorruptMedia, "The video could not be read.");
            }
        }

        return Interpret(json, limits);
    }

    internal static MediaResult<VideoInfo> Interpret(string json, VideoLimits limits)
    {
        VideoInfo info;
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var streams = root.TryGetProperty("streams", out var s) ? s.EnumerateArray().ToList() : [];
            var video = streams.FirstOrDefault(x => Str(x, "codec_type") == "video" && !IsAttachedPicture(x));
            if (video.ValueKind != JsonValueKind.Object)
            {
                return MediaResult<VideoInfo>.Fail(MediaErrorKind.UnsupportedMediaType, "The file has no video stream.");
            }

            var audio = streams.Where(x => Str(x, "codec_type") == "audio").Select(x => Str(x, "codec_name") ?? "unknown").ToList();
            var duration = Num(root.TryGetProperty("format", out var format) ? format : default, "duration")
                ?? Num(video, "duration")
                ?? 0;
            var rFrameRate = Rate(Str(video, "r_frame_rate"));
            var avgFrameRate = Rate(Str(video, "avg_frame_rate"));
            var frameRate = avgFrameRate > 0 ? avgFrameRate : rFrameRate;
            var variable = rFrameRate > 0 && avgFrameRate > 0 && Math.Abs(rFrameRate - avgFrameRate) / rFrameRate > 0.01;
            long? frames = long.TryParse(Str(video, "nb_frames"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
            info = new VideoInfo(
                duration,
                (int)(Num(video, "width") ?? 0),
                (int)(Num(video, "height") ?? 0),
                frameRate,
                variable,
                Rotation(video),
                frames,
                Str(video, "codec_name") ?? "unknown",
                audio);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return MediaResult<VideoInfo>.Fail(MediaErrorKind.CorruptMedia, "The video could not be read.");
        }

        if (info.Width <= 0 || info.Height <= 0 || !(info.DurationSeconds > 0) || !(info.FrameRate > 0))
        {
            return MediaResult<VideoInfo>.Fail(MediaErrorKind.CorruptMedia, "The video has no readable frames.");
        }

        if (info.DurationSeconds > limits.MaxSeconds)
        {
            return MediaResult<VideoInfo>.Fail(
                MediaErrorKind.MediaTooLong,
                $"The video is {info.DurationSeconds:0.#} s long; the limit is {limits.MaxSeconds:0.#} s.");
        }

        var (longSide, shortSide) = (Math.Max(info.Width, info.Height), Math.Min(info.Width, info.Height));
        if (longSide > Math.Max(limits.MaxWidth, limits.MaxHeight) || shortSide > Math.Min(limits.MaxWidth, limits.MaxHeight))
        {
            return MediaResult<VideoInfo>.Fail(
                MediaErrorKind.MediaTooLarge,
                $"The video is {info.Width}x{info.Height}; the limit is {limits.MaxWidth}x{limits.MaxHeight}.");
        }

        return MediaResult<VideoInfo>.Ok(info);
    }

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
