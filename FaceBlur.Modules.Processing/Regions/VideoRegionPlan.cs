using FaceBlur.Modules.Processing.Detection;

namespace FaceBlur.Modules.Processing.Regions;

/// <summary>One given track's box on one output frame.</summary>
/// <param name="Track">The track's place in the given document (the order in which frames hide given boxes).</param>
/// <param name="Box">The box, in output pixels before padding.</param>
public readonly record struct GivenBox(int Track, FaceBox Box);

/// <summary>
/// The regions given for a video, matched to its frames (<see cref="RegionsBinding.BindVideo"/>): on each frame, the
/// boxes of hidden tracks to hide and those of kept tracks, over which a found face stays visible. A track hides (or
/// keeps) exactly the frames it lists; nothing is invented between them.
/// </summary>
public sealed class VideoRegionPlan
{
    private readonly Dictionary<long, List<GivenBox>> hidden = [];
    private readonly Dictionary<long, List<FaceBox>> kept = [];
    private readonly Dictionary<long, List<GivenBox>> all = [];

    internal VideoRegionPlan(IReadOnlyList<VideoTrack> tracks) => Tracks = tracks;

    /// <summary>The given tracks as given (their ids, hidden or kept), in document order.</summary>
    public IReadOnlyList<VideoTrack> Tracks { get; }

    /// <summary>Nothing given.</summary>
    public static VideoRegionPlan Empty { get; } = new([]);

    /// <summary>Hidden tracks' boxes on frame <paramref name="frame"/>, in document order.</summary>
    public IReadOnlyList<GivenBox> HiddenOn(long frame) => hidden.TryGetValue(frame, out var boxes) ? boxes : [];

    /// <summary>Kept tracks' boxes on frame <paramref name="frame"/>.</summary>
    public IReadOnlyList<FaceBox> KeptOn(long frame) => kept.TryGetValue(frame, out var boxes) ? boxes : [];

    /// <summary>Every given track's box on frame <paramref name="frame"/>, hidden and kept, in document order.</summary>
    public IReadOnlyList<GivenBox> TracksOn(long frame) => all.TryGetValue(frame, out var boxes) ? boxes : [];

    internal void Add(long frame, int track, RegionBox box, bool hide)
    {
        (all.TryGetValue(frame, out var every) ? every : all[frame] = []).Add(new GivenBox(track, box.ToFaceBox(1)));
        if (hide)
        {
            (hidden.TryGetValue(frame, out var list) ? list : hidden[frame] = []).Add(new GivenBox(track, box.ToFaceBox(1)));
        }
        else
        {
            (kept.TryGetValue(frame, out var list) ? list : kept[frame] = []).Add(box.ToFaceBox(1));
        }
    }
}

/// <summary>What to hide in a video beyond (or, with <see cref="Detect"/> false, instead of) what the detector finds.</summary>
public sealed record VideoRegionRequest(bool Detect, VideoRegionPlan Plan)
{
    /// <summary>The default: detect, nothing given.</summary>
    public static readonly VideoRegionRequest DetectOnly = new(true, VideoRegionPlan.Empty);
}
