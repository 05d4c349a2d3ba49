using FaceBlur.Modules.Processing.Video;

namespace FaceBlur.Modules.Processing.Regions;

/// <summary>The regions export of an anonymized video.</summary>
public static class VideoExport
{
    /// <summary>
    /// One track per face the tracker hid (<c>t1</c>, <c>t2</c>... by track, source detector), with its box on every
    /// frame it was hidden in (hold and look-ahead included), then the given tracks as they applied (their own ids, or
    /// <c>g1</c>, <c>g2</c>...). Ids are unique within the video.
    /// </summary>
    public static VideoRegionsDocument Of(VideoResult video)
    {
        ArgumentNullException.ThrowIfNull(video);
        var used = video.Given.Where(t => t.Id.Length > 0).Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        var tracks = video.Tracks
            .Select(t => new VideoTrack(
                Unused($"t{t.Id + 1}", used),
                t.Score,
                RegionSource.Detector,
                true,
                [.. t.Frames.Select(f => new TrackFrame(f.Seconds, RegionBox.From(f.Box)))]))
            .ToList();
        var generated = 0;
        tracks.AddRange(video.Given.Select(t => t.Id.Length > 0 ? t : t with { Id = Unused($"g{++generated}", used) }));
        return new VideoRegionsDocument(video.Width, video.Height, video.DurationSeconds, tracks);
    }

    /// <summary>The id, or the id with a suffix when a given track already has it.</summary>
    private static string Unused(string id, HashSet<string> used)
    {
        var candidate = id;
        for (var n = 2; !used.Add(candidate); n++)
        {
            candidate = $"{id}-{n}";
        }

        return candidate;
    }
}
