namespace FaceBlur.Modules.Processing.Regions;

/// <summary>One uploaded photo as the regions are checked against it: its display name and upright size.</summary>
public sealed record UploadedImage(string Name, int Width, int Height);

/// <summary>
/// Checks a regions document against the media it came with, before the job is queued: every file it names is in the
/// request (by index, and by name when it gives one), sizes agree, boxes lie inside the picture, ids are unique. Gives
/// each file's regions as the worker uses them (source <c>given</c>). Problems throw <see cref="RegionsValidationException"/>.
/// </summary>
public static class RegionsBinding
{
    /// <summary>How far (pixels) a box may reach past the picture's edge and still count as inside (float rounding).</summary>
    private const float EdgeTolerance = 0.01f;

    /// <summary>The regions given for each uploaded file, by index (an empty list where the document names none).</summary>
    public static IReadOnlyList<IReadOnlyList<ImageRegion>> BindImages(ImageRegionsDocument document, IReadOnlyList<UploadedImage> files)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(files);
        var given = files.Select(_ => (IReadOnlyList<ImageRegion>)[]).ToArray();
        var seen = new HashSet<int>();
        for (var i = 0; i < document.Files.Count; i++)
        {
            var entry = document.Files[i];
            var path = $"files[{i}]";
            if (entry.Index >= files.Count)
            {
                throw new RegionsValidationException(path + ".index", $"There is no file number {entry.Index} in this request ({files.Count} file(s), numbered from 0).");
            }

            if (!seen.Add(entry.Index))
            {
                throw new RegionsValidationException(path + ".index", $"File number {entry.Index} is listed twice.");
            }

            var file = files[entry.Index];
            if (entry.Name is not null && entry.Name != file.Name)
            {
                throw new RegionsValidationException(path + ".name", $"File number {entry.Index} of this request has another name.");
            }

            CheckSize(entry.Width, file.Width, path + ".width");
            CheckSize(entry.Height, file.Height, path + ".height");
            given[entry.Index] = BindRegions(entry.Regions, file.Width, file.Height, path);
        }

        return given;
    }

    /// <summary>
    /// Checks a video document against the video (its output size, frame times) and matches every given box to its
    /// frame: the nearest frame within half a frame of <c>t</c>. Track boxes may reach past the frame's edge (the video
    /// pipeline hides a face cut by the edge as a whole face, so its exports do too) but must overlap the frame.
    /// </summary>
    public static VideoRegionPlan BindVideo(VideoRegionsDocument document, Video.VideoSource source)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(source);
        var (width, height) = source.Info.OutputSize;
        CheckSize(document.Width, width, "width");
        CheckSize(document.Height, height, "height");
        var frames = new FrameClock(source);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var tracks = new List<VideoTrack>(document.Tracks.Count);
        for (var t = 0; t < document.Tracks.Count; t++)
        {
            var track = document.Tracks[t];
            if (track.Id.Length > 0 && !ids.Add(track.Id))
            {
                throw new RegionsValidationException($"tracks[{t}].id", "Two tracks have the same id.");
            }

            tracks.Add(track with { Source = RegionSource.Given, Score = null });
        }

        var plan = new VideoRegionPlan(tracks);
        for (var t = 0; t < tracks.Count; t++)
        {
            for (var f = 0; f < tracks[t].Frames.Count; f++)
            {
                var path = $"tracks[{t}].frames[{f}]";
                var frame = tracks[t].Frames[f];
                CheckOverlaps(frame.Box, width, height, path);
                var index = frames.Nearest(frame.T)
                    ?? throw new RegionsValidationException(path + ".t", "No frame of the video is shown within half a frame of this time.");
                plan.Add(index, t, frame.Box, tracks[t].Hidden);
            }
        }

        return plan;
    }

    /// <summary>Throws when a box does not lie inside a <paramref name="width"/> x <paramref name="height"/> picture.</summary>
    public static void CheckInside(RegionBox box, int width, int height, string path)
    {
        if (box.X < -EdgeTolerance)
        {
            throw Outside(path, "x", width, height);
        }

        if (box.Y < -EdgeTolerance)
        {
            throw Outside(path, "y", width, height);
        }

        if (box.X + box.W > width + EdgeTolerance)
        {
            throw Outside(path, box.X > width ? "x" : "w", width, height);
        }

        if (box.Y + box.H > height + EdgeTolerance)
        {
            throw Outside(path, box.Y > height ? "y" : "h", width, height);
        }
    }

    /// <summary>Throws when a box lies wholly outside a <paramref name="width"/> x <paramref name="height"/> frame.</summary>
    private static void CheckOverlaps(RegionBox box, int width, int height, string path)
    {
        if (box.X >= width || box.X + box.W <= 0)
        {
            throw new RegionsValidationException($"{path}.x", $"The box must overlap the frame ({width}x{height} pixels).");
        }

        if (box.Y >= height || box.Y + box.H <= 0)
        {
            throw new RegionsValidationException($"{path}.y", $"The box must overlap the frame ({width}x{height} pixels).");
        }
    }

    /// <summary>Throws when a size given in the document differs from the media's.</summary>
    public static void CheckSize(int? given, int actual, string path)
    {
        if (given is { } value && value != actual)
        {
            throw new RegionsValidationException(path, $"The media is {actual} pixels on this side, not {value}: these regions were made for another picture.");
        }
    }

    private static List<ImageRegion> BindRegions(IReadOnlyList<ImageRegion> regions, int width, int height, string path)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var bound = new List<ImageRegion>(regions.Count);
        for (var r = 0; r < regions.Count; r++)
        {
            var region = regions[r];
            var regionPath = $"{path}.regions[{r}]";
            CheckInside(region.Box, width, height, regionPath);
            if (region.Id.Length > 0 && !ids.Add(region.Id))
            {
                throw new RegionsValidationException(regionPath + ".id", "Two regions of one file have the same id.");
            }

            bound.Add(region with { Source = RegionSource.Given, Score = null });
        }

        return bound;
    }

    private static RegionsValidationException Outside(string path, string field, int width, int height) =>
        new($"{path}.{field}", $"The box must lie inside the picture ({width}x{height} pixels).");
}
