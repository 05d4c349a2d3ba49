using FaceBlur.Modules.Processing.Detection;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>A box to hide and the track (one face over time) it belongs to.</summary>
internal readonly record struct TrackedBox(int TrackId, FaceBox Box);

/// <summary>What the tracker decided for one frame.</summary>
/// <param name="Regions">Boxes to hide in this frame: detections, and lost faces still held at their predicted place.</param>
/// <param name="NewFaces">Detections that started a new track in this frame (for the look-ahead into earlier frames).</param>
internal readonly record struct TrackerStep(IReadOnlyList<TrackedBox> Regions, IReadOnlyList<TrackedBox> NewFaces);

/// <summary>
/// Associates face boxes across frames (greedy, best overlap first: IoU with the track's predicted box, or centres close
/// relative to the face size) and keeps a face the detector stops seeing hidden for <c>holdFrames</c> frames, moved
/// with its recent velocity and grown a little each frame to absorb prediction error. A face last seen at the edge of
/// the <c>width</c> x <c>height</c> frame is held twice as long: it is most likely leaving the picture, and a face cut by
/// the edge is still partly visible while the detector no longer recognises it. Not thread-safe: one per video, fed
/// frames in order.
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
        var born = new List<TrackedBox>();
        if (detections is not null)
        {
            var matchedTrack = new bool[tracks.Count];
            var matchedDetection = new bool[detections.Count];
            var pairs = new List<(float Score, int Track, int Detection)>();
            for (var t = 0; t < tracks.Count; t++)
            {
                var predicted = tracks[t].Predict(frame, grow: false);
                for (var d = 0; d < detections.Count; d++)
                {
                    var score = Affinity(predicted, detections[d]);
                    if (score > 0)
                    {
                        pairs.Add((score, t, d));
                    }
                }
            }

            foreach (var (_, t, d) in pairs.OrderByDescending(p => p.Score))
            {
                if (matchedTrack[t] || matchedDetection[d])
                {
                    continue;
                }

                matchedTrack[t] = matchedDetection[d] = true;
                if (tracks[t].Observe(frame, detections[d]))
                {
                    ConfirmedTracks++;
                }
            }

            for (var d = 0; d < detections.Count; d++)
            {
                if (!matchedDetection[d])
                {
                    var track = new Track(nextId++, frame, detections[d]);
                    tracks.Add(track);
                    born.Add(new TrackedBox(track.Id, detections[d]));
                }
            }
        }

        tracks.RemoveAll(t => frame - t.LastSeen > (AtEdge(t.Box) ? 2 * holdFrames : holdFrames));
        foreach (var track in tracks)
        {
            regions.Add(new TrackedBox(track.Id, track.LastSeen == frame ? track.Box : track.Predict(frame, grow: true)));
        }

        return new TrackerStep(regions, born);
    }

    /// <summary>Whether a box reaches (within a tenth of its size) the edge of the frame.</summary>
    private bool AtEdge(FaceBox box)
    {
        var margin = 0.1f * Math.Max(box.Width, box.Height);
        return box.X <= margin || box.Y <= margin || box.Right >= width - margin || box.Bottom >= height - margin;
    }

    /// <summary>How well a detection continues a track: IoU, else a small score when the centres are close; 0 when unrelated.</summary>
    private static float Affinity(FaceBox predicted, FaceBox detection)
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
        return distance < 0.7f * size && ratio < 4 ? 0.05f * (1 - distance / (0.7f * size)) + 0.001f : 0;
    }

    private sealed class Track(int id, long frame, FaceBox box)
    {
        private float vx;
        private float vy;
        private float vw;
        private float vh;
        private int hits = 1;

        public int Id { get; } = id;

        public FaceBox Box { get; private set; } = box;

        public long LastSeen { get; private set; } = frame;

        /// <summary>Takes a new measurement; true when this makes the track confirmed (second hit).</summary>
        public bool Observe(long frame, FaceBox detection)
        {
            var dt = Math.Max(1, frame - LastSeen);
            var (cx, cy) = Center(Box);
            var (nx, ny) = Center(detection);
            var k = hits == 1 ? 1f : VelocitySmoothing;
            vx = k * (nx - cx) / dt + (1 - k) * vx;
            vy = k * (ny - cy) / dt + (1 - k) * vy;
            vw = k * (detection.Width - Box.Width) / dt + (1 - k) * vw;
            vh = k * (detection.Height - Box.Height) / dt + (1 - k) * vh;
            Box = detection;
            LastSeen = frame;
            hits++;
            return hits == 2;
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
