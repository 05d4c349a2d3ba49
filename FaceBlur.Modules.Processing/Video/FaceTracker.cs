using FaceBlur.Modules.Processing.Detection;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>A box to hide and the track (one face over time) it belongs to.</summary>
internal readonly record struct TrackedBox(int TrackId, FaceBox Box);

/// <summary>A face found in this frame that earlier frames still held back should hide too (the look-ahead).</summary>
/// <param name="Face">The detection and its track.</param>
/// <param name="After">The frames after this one get it (the frame it was last seen in; <see cref="long.MinValue"/> for a new face).</param>
/// <param name="From">Where the face was in frame <paramref name="After"/> (a face found again: the frames between get the way from there to here).</param>
internal readonly record struct Backfill(TrackedBox Face, long After, FaceBox? From = null)
{
    public bool IsNewFace => After == long.MinValue;
}

/// <summary>What the tracker decided for one frame.</summary>
/// <param name="Regions">Boxes to hide in this frame: detections, and lost faces still held at their predicted place.</param>
/// <param name="Backfills">
/// Detections that started a new track in this frame, and detections of a track found again after frames in which it
/// was not (for the look-ahead into earlier frames).
/// </param>
internal readonly record struct TrackerStep(IReadOnlyList<TrackedBox> Regions, IReadOnlyList<Backfill> Backfills);

/// <summary>
/// Associates face boxes across frames (greedy, best overlap first: IoU with the track's predicted box, or centres close
/// relative to the face size) and keeps a face the detector stops seeing hidden for <c>holdFrames</c> frames, moved
/// with its recent velocity and grown a little each frame to absorb prediction error. A face last seen at the edge of
/// the <c>width</c> x <c>height</c> frame is held twice as long, its box stretched to that edge: it is most likely
/// leaving the picture, and a face cut by the edge is still partly visible while the detector no longer recognises it.
/// At a change of shot every track ends (<see cref="EndAll"/>). Not thread-safe: one per video, fed frames in order.
/// </summary>
internal sealed class FaceTracker(int holdFrames, int width = int.MaxValue, int height = int.MaxValue)
{
    /// <summary>Growth of a held box per frame since the face was last seen (share of its size), and its cap.</summary>
    private const float GrowthPerFrame = 0.04f;
    private const float MaxGrowth = 0.6f;

    /// <summary>Weight of the newest measurement in the velocity estimate.</summary>
    private const float VelocitySmoothing = 0.6f;

    private readonly List<Track> tracks = [];
    private int nextId;

    /// <summary>Tracks started so far (every distinct face, including faces seen only once).</summary>
    public int TracksStarted => nextId;

    /// <summary>Tracks detected at least twice: the count of distinct faces reported.</summary>
    public int ConfirmedTracks { get; private set; }

    /// <summary>
    /// Advances to <paramref name="frame"/> with the detections of that frame, or null when the frame was not detected
    /// (detection interval): every live track is then moved to its predicted place.
    /// </summary>
    public TrackerStep Update(long frame, IReadOnlyList<FaceBox>? detections)
    {
        var regions = new List<TrackedBox>();
        var backfills = new List<Backfill>();
        if (detections is not null)
        {
            var matchedDetection = new bool[detections.Count];
            foreach (var (t, d) in Match(frame, detections))
            {
                matchedDetection[d] = true;
                var (lastSeen, lastBox) = (tracks[t].LastSeen, tracks[t].Box);
                if (tracks[t].Observe(frame, detections[d], EdgesOf(detections[d]), width, height))
                {
                    ConfirmedTracks++;
                }

                if (frame - lastSeen > 1)
                {
                    backfills.Add(new Backfill(new TrackedBox(tracks[t].Id, tracks[t].Box), lastSeen, lastBox));
                }
            }

            for (var d = 0; d < detections.Count; d++)
            {
                if (!matchedDetection[d])
                {
                    var track = new Track(nextId++, frame, detections[d], EdgesOf(detections[d]));
                    tracks.Add(track);
                    backfills.Add(new Backfill(new TrackedBox(track.Id, detections[d]), long.MinValue));
                }
            }
        }

        tracks.RemoveAll(t => frame - t.LastSeen > (t.Edges != Edges.None ? 2 * holdFrames : holdFrames));
        foreach (var track in tracks)
        {
            var box = track.LastSeen == frame ? track.Box : track.Held(frame, width, height);
            regions.Add(new TrackedBox(track.Id, box));
        }

        return new TrackerStep(regions, backfills);
    }

    /// <summary>Ends every track: the shot changed, and no face of the last one is anywhere in the next.</summary>
    public void EndAll() => tracks.Clear();

    /// <summary>Pairs of (track, detection) that continue each other, best first (greedy), each track and detection once.</summary>
    private List<(int Track, int Detection)> Match(long frame, IReadOnlyList<FaceBox> detections)
    {
        var pairs = new List<(float Score, int Track, int Detection)>();
        for (var t = 0; t < tracks.Count; t++)
        {
            var predicted = tracks[t].Predict(frame, grow: false);
            var unseen = frame - tracks[t].LastSeen;
            for (var d = 0; d < detections.Count; d++)
            {
                var score = Affinity(predicted, detections[d], unseen);
                if (score > 0)
                {
                    pairs.Add((score, t, d));
                }
            }
        }

        var matchedTrack = new bool[tracks.Count];
        var matchedDetection = new bool[detections.Count];
        var matches = new List<(int Track, int Detection)>();
        foreach (var (_, t, d) in pairs.OrderByDescending(p => p.Score))
        {
            if (!matchedTrack[t] && !matchedDetection[d])
            {
                matchedTrack[t] = matchedDetection[d] = true;
                matches.Add((t, d));
            }
        }

        return matches;
    }

    /// <summary>The edges a box reaches (within a tenth of its size).</summary>
    private Edges EdgesOf(FaceBox box) => FrameEdges.Near(box, width, height, 0.1f * Math.Max(box.Width, box.Height));

    /// <summary>
    /// How well a detection continues a track: IoU, else a small score when the centres are close relative to the face's
    /// size (the closer the better); 0 when unrelated. A track not seen for <paramref name="unseen"/> frames may have moved
    /// more than its velocity says (a small face found only by the fine scan has none after its first sighting): the
    /// distance allowed grows by a quarter of the face's size per frame unseen, up to twice its size.
    /// </summary>
    private static float Affinity(FaceBox predicted, FaceBox detection, long unseen)
    {
        var iou = predicted.IoU(detection);
        if (iou >= 0.1f)
        {
            return iou;
        }

        var dx = (predicted.X + predicted.Width / 2) - (detection.X + detection.Width / 2);
        var dy = (predicted.Y + predicted.Height / 2) - (detection.Y + detection.Height / 2);
        var size = Math.Max(Math.Max(predicted.Width, predicted.Height), Math.Max(detection.Width, detection.Height));
        var distance = MathF.Sqrt(dx * dx + dy * dy);
        var ratio = Math.Max(predicted.Area, detection.Area) / Math.Max(1f, Math.Min(predicted.Area, detection.Area));
        var reach = size * Math.Min(2f, 0.7f + (0.25f * Math.Max(0, unseen - 1)));
        return distance < reach && ratio < 4 ? 0.05f * (1 - distance / reach) + 0.001f : 0;
    }

    /// <summary>
    /// One face over time. A detection of a face cut by the frame's edge is its visible part: its size and centre follow
    /// how much of the face shows, not how the face moves. So the velocity is learnt only from detections clear of the
    /// edges, and a detection at an edge is given the size the face had before it reached the edge (see
    /// <see cref="FrameEdges.KeepWholeSize"/>).
    /// </summary>
    private sealed class Track(int id, long frame, FaceBox box, Edges edges)
    {
        private float vx;
        private float vy;
        private float vw;
        private float vh;
        private int hits = 1;

        /// <summary>Whether the velocity has been measured (between two detections clear of the edges).</summary>
        private bool moving;

        public int Id { get; } = id;

        public FaceBox Box { get; private set; } = box;

        public long LastSeen { get; private set; } = frame;

        /// <summary>The edges of the frame the last detection reached.</summary>
        public Edges Edges { get; private set; } = edges;

        /// <summary>The face's size in its last detection clear of the edges (none yet: zero).</summary>
        private (float Width, float Height) wholeSize = edges == Edges.None ? (box.Width, box.Height) : (0, 0);

        /// <summary>Takes a new measurement reaching <paramref name="edges"/>; true when this makes the track confirmed (second hit).</summary>
        public bool Observe(long frame, FaceBox detection, Edges edges, int width, int height)
        {
            if (edges == Edges.None && Edges == Edges.None)
            {
                var dt = Math.Max(1, frame - LastSeen);
                var (cx, cy) = Center(Box);
                var (nx, ny) = Center(detection);
                var k = moving ? VelocitySmoothing : 1f;
                vx = k * (nx - cx) / dt + (1 - k) * vx;
                vy = k * (ny - cy) / dt + (1 - k) * vy;
                vw = k * (detection.Width - Box.Width) / dt + (1 - k) * vw;
                vh = k * (detection.Height - Box.Height) / dt + (1 - k) * vh;
                moving = true;
            }

            wholeSize = edges == Edges.None ? (detection.Width, detection.Height) : wholeSize;
            Box = FrameEdges.KeepWholeSize(detection, edges, wholeSize, width, height);
            (Edges, LastSeen) = (edges, frame);
            hits++;
            return hits == 2;
        }

        /// <summary>
        /// Where the face is hidden in <paramref name="frame"/> while the detector does not see it: its predicted box.
        /// A face last seen at an edge may have stopped there, partly outside, as well as gone on at its earlier speed
        /// (or left): it is hidden both where it was last seen and where it would be, grown, and stretched to that edge.
        /// </summary>
        public FaceBox Held(long frame, int width, int height)
        {
            var predicted = Predict(frame, grow: true);
            if (Edges == Edges.None)
            {
                return predicted;
            }

            var factor = 1 + Math.Min(MaxGrowth, GrowthPerFrame * (frame - LastSeen));
            var (w, h) = (Box.Width * factor, Box.Height * factor);
            var stayed = new FaceBox(Box.X - (w - Box.Width) / 2, Box.Y - (h - Box.Height) / 2, w, h, Box.Score);
            return FrameEdges.StretchTo(FrameEdges.Union(predicted, stayed), Edges, width, height);
        }

        /// <summary>The box moved to <paramref name="frame"/> by the velocity; grown for the frames it was not seen.</summary>
        public FaceBox Predict(long frame, bool grow)
        {
            var dt = frame - LastSeen;
            if (dt <= 0)
            {
                return Box;
            }

            var (cx, cy) = Center(Box);
            cx += vx * dt;
            cy += vy * dt;
            var w = Math.Max(Box.Width, Box.Width + vw * dt);
            var h = Math.Max(Box.Height, Box.Height + vh * dt);
            if (grow)
            {
                var factor = 1 + Math.Min(MaxGrowth, GrowthPerFrame * dt);
                w *= factor;
                h *= factor;
            }

            return new FaceBox(cx - w / 2, cy - h / 2, w, h, Box.Score);
        }

        private static (float X, float Y) Center(FaceBox b) => (b.X + b.Width / 2, b.Y + b.Height / 2);
    }
}
