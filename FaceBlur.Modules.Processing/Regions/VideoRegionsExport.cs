using FaceBlur.Modules.Processing.Video;

namespace FaceBlur.Modules.Processing.Regions;

/// <summary>The regions export of an anonymized video (the job's and the command line's alike).</summary>
public static class VideoRegionsExport
{
    /// <summary>One hidden track per face, with its box on every frame it was hidden in (ids <c>t1</c>, <c>t2</c>...).</summary>
    public static VideoRegionsDocument From(VideoResult video)
    {
        ArgumentNullException.ThrowIfNull(video);
        return new VideoRegionsDocument(
            video.Width,
            video.Height,
            video.DurationSeconds,
            [.. video.Tracks.Select(t => new VideoTrack(
                $"t{t.Id + 1}",
                t.Score,
                RegionSource.Detector,
                true,
                [.. t.Frames.Select(f => new TrackFrame(f.Seconds, RegionBox.From(f.Box)))]))]);
    }
}
