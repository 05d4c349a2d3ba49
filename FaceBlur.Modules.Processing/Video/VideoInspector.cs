using FaceBlur.Modules.Processing.Media;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>
/// Inspects an uploaded video once: its container from its first bytes (playlists and other text formats refused before
/// any ffmpeg runs), then one ffprobe pass (limits, streams, frame times). The upload refuses with the error; the job
/// carries the <see cref="VideoSource"/> to the worker.
/// </summary>
public static class VideoInspector
{
    /// <summary>
    /// What <paramref name="path"/> is, within the limits of <paramref name="options"/> (duration, resolution, frame rate),
    /// or why it is refused: <see cref="MediaErrorKind.UnsupportedMediaType"/> for a file that is not a video container we
    /// read or has no video stream, <see cref="MediaErrorKind.MediaTooLong"/>, <see cref="MediaErrorKind.MediaTooLarge"/>,
    /// <see cref="MediaErrorKind.CorruptMedia"/> for the unreadable. Cancellation throws.
    /// </summary>
    public static async Task<MediaResult<VideoSource>> InspectAsync(string path, VideoOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        var input = Path.GetFullPath(path);
        if (!File.Exists(input))
        {
            return MediaResult<VideoSource>.Fail(MediaErrorKind.CorruptMedia, "The video file is missing.");
        }

        var container = await VideoSniffer.SniffFileAsync(input, cancellationToken).ConfigureAwait(false);
        if (container is null)
        {
            return MediaResult<VideoSource>.Fail(
                MediaErrorKind.UnsupportedMediaType, "The file is not a supported video container (MP4/MOV, WebM/Matroska, AVI).");
        }

        var probe = await VideoProbe.ProbeAsync(
            input, VideoSniffer.DemuxerName(container.Value), new VideoLimits(options.MaxVideoSeconds), options.FfprobePath, cancellationToken)
            .ConfigureAwait(false);
        return probe.IsSuccess
            ? MediaResult<VideoSource>.Ok(new VideoSource(container.Value, probe.Value.Info, probe.Value.Times))
            : MediaResult<VideoSource>.Fail(probe.Error!);
    }
}
