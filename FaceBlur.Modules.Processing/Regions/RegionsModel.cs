using FaceBlur.Modules.Processing.Detection;

namespace FaceBlur.Modules.Processing.Regions;

/// <summary>
/// A face box in pixels of the output image or frame (after EXIF orientation and rotation), before padding: the job's
/// shape and padding are applied when hiding, so the same boxes with the same options give the same output.
/// </summary>
public readonly record struct RegionBox(float X, float Y, float W, float H)
{
    public static RegionBox From(FaceBox face) => new(face.X, face.Y, face.Width, face.Height);

    public FaceBox ToFaceBox(float score) => new(X, Y, W, H, score);
}

/// <summary>Who put a region there: the detector, or the client that sent it.</summary>
public enum RegionSource
{
    Detector,
    Given,
}

/// <summary>One region of a photo: hidden, or (<see cref="Hidden"/> false) kept visible even where a face is found.</summary>
public sealed record ImageRegion(string Id, RegionBox Box, float? Score, RegionSource Source, bool Hidden);

/// <summary>
/// The regions of one photo of a job. <see cref="Index"/> is its place in the request; <see cref="Width"/> and
/// <see cref="Height"/> its upright size (always set in an export, optional in an import, where they are checked).
/// </summary>
public sealed record ImageFileRegions(int Index, string? Name, int? Width, int? Height, IReadOnlyList<ImageRegion> Regions);

/// <summary>A track's box on one frame; <see cref="T"/> is the frame's time in seconds in the output's clock.</summary>
public sealed record TrackFrame(double T, RegionBox Box);

/// <summary>One face through a video: hidden (or kept) on exactly the frames it lists.</summary>
public sealed record VideoTrack(string Id, float? Score, RegionSource Source, bool Hidden, IReadOnlyList<TrackFrame> Frames);

/// <summary>The SPEC's regions schema: the export of what a job hid, and the import of what to hide or keep.</summary>
public abstract record RegionsDocument
{
    /// <summary>Boxes in the document (every region, or every frame of every track).</summary>
    public abstract int BoxCount { get; }
}

/// <summary><c>{"kind":"images","files":[...]}</c>.</summary>
public sealed record ImageRegionsDocument(IReadOnlyList<ImageFileRegions> Files) : RegionsDocument
{
    public override int BoxCount => Files.Sum(f => f.Regions.Count);
}

/// <summary><c>{"kind":"video","width":W,"height":H,"duration":S,"tracks":[...]}</c> (size and duration optional on import).</summary>
public sealed record VideoRegionsDocument(int? Width, int? Height, double? Duration, IReadOnlyList<VideoTrack> Tracks) : RegionsDocument
{
    public override int BoxCount => Tracks.Sum(t => t.Frames.Count);
}

/// <summary>
/// A regions document that cannot be used: <see cref="Path"/> names the offending part (<c>files[1].regions[3].w</c>),
/// answered as a 400 <c>validation_error</c> with <c>details.path</c>. The message never repeats the document's values
/// beyond the offending number's kind of problem (regions are personal data).
/// </summary>
public sealed class RegionsValidationException(string path, string message) : Exception(message)
{
    public string Path { get; } = path;
}
