using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Regions;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>The anonymized video's facts.</summary>
/// <param name="FacesDetected">Distinct faces: tracks the detector confirmed (seen in at least two frames).</param>
/// <param name="Frames">Frames written.</param>
/// <param name="DurationSeconds">Duration of the output's video (from the first frame's time to the end of the last frame).</param>
/// <param name="HasAudio">Whether the output carries audio (it does exactly when the input did).</param>
public sealed record VideoResult(int FacesDetected, long Frames, double DurationSeconds, bool HasAudio)
{
    public int Width { get; init; }

    public int Height { get; init; }

    public double FrameRate { get; init; }

    /// <summary>
    /// What was hidden: one track per face, with the box hidden in each frame (including the frames covered by hold and
    /// look-ahead), in the output's pixels before padding, at each frame's time in the output's clock.
    /// </summary>
    public IReadOnlyList<HiddenTrack> Tracks { get; init; } = [];

    /// <summary>
    /// The tracks given with the video (regions), hidden or kept, with the frames they applied to (each frame's time in
    /// the output's clock).
    /// </summary>
    public IReadOnlyList<VideoTrack> Given { get; init; } = [];
}

/// <summary>One face hidden over time.</summary>
/// <param name="Id">The track's number in this video, from 0.</param>
/// <param name="Score">The detector's best score for the face.</param>
/// <param name="Frames">The frames it was hidden in, in order.</param>
public sealed record HiddenTrack(int Id, float Score, IReadOnlyList<HiddenFrame> Frames);

/// <summary>Where a track's face was hidden in one frame.</summary>
/// <param name="Index">The frame's position in the output, from 0.</param>
/// <param name="Seconds">The frame's time in the output, in seconds from the first frame.</param>
/// <param name="Box">The face box, in output pixels, before padding.</param>
public readonly record struct HiddenFrame(long Index, double Seconds, FaceBox Box);

/// <summary>Collects, frame after frame as they are written, the boxes hidden per track.</summary>
internal sealed class HiddenTrackRecorder
{
    private readonly SortedDictionary<int, (float Score, List<HiddenFrame> Frames)> tracks = [];

    public void Record(long index, double seconds, IReadOnlyList<TrackedBox> regions)
    {
        foreach (var (trackId, box) in regions)
        {
            if (!tracks.TryGetValue(trackId, out var track))
            {
                track = (0, []);
            }

            track.Frames.Add(new HiddenFrame(index, seconds, box));
            tracks[trackId] = (Math.Max(track.Score, box.Score), track.Frames);
        }
    }

    public IReadOnlyList<HiddenTrack> Tracks() => [.. tracks.Select(t => new HiddenTrack(t.Key, t.Value.Score, t.Value.Frames))];
}

/// <summary>Collects, frame after frame, the frames each given track applied to (hidden or kept).</summary>
internal sealed class GivenTrackRecorder
{
    private readonly Dictionary<int, List<TrackFrame>> frames = [];

    public void Record(long index, double seconds, VideoRegionPlan plan)
    {
        foreach (var track in plan.TracksOn(index))
        {
            (frames.TryGetValue(track.Track, out var list) ? list : frames[track.Track] = []).Add(new TrackFrame(seconds, RegionBox.From(track.Box)));
        }
    }

    /// <summary>The given tracks (in document order) with the frames they applied to.</summary>
    public IReadOnlyList<VideoTrack> Tracks(IReadOnlyList<VideoTrack> given) =>
        [.. given.Select((track, i) => track with { Frames = frames.TryGetValue(i, out var list) ? list : [] })];
}
