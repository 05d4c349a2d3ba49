using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Video;

namespace FaceBlur.Testing.Video;

/// <summary>How well what a video's pipeline hid matches a synthetic clip's ground truth.</summary>
public static class ClipMeasures
{
    /// <summary>The boxes a video's tracks hid, per frame index (what <see cref="Coverage"/> and <see cref="Ghosts"/> measure).</summary>
    public static IReadOnlyDictionary<long, IReadOnlyList<FaceBox>> RegionsByFrame(IEnumerable<HiddenTrack> tracks) =>
        (tracks ?? throw new ArgumentNullException(nameof(tracks)))
            .SelectMany(t => t.Frames)
            .GroupBy(f => f.Index)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<FaceBox>)[.. g.Select(f => f.Box)]);

    /// <summary>
    /// Frames in which some ground-truth face of at least <paramref name="minSide"/> px (its part inside the frame) is
    /// less than <paramref name="minCoverage"/> covered by the anonymized regions, and the worst coverage seen. The regions
    /// are the padded boxes (the eval README's coverage metric) or, with <paramref name="shape"/> ellipse, the ellipses
    /// inscribed in them (what the default mask actually hides: stricter, since the eval boxes are squares).
    /// </summary>
    public static (int UncoveredFrames, double WorstCoverage, int FacesChecked) Coverage(
        IReadOnlyList<IReadOnlyList<FaceBox>> truth,
        IReadOnlyDictionary<long, IReadOnlyList<FaceBox>> regions,
        AnonymizeOptions anonymize,
        int width,
        int height,
        float minSide = 24,
        double minCoverage = 0.8,
        MaskShape shape = MaskShape.Rect,
        Action<string>? report = null)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(regions);
        ArgumentNullException.ThrowIfNull(anonymize);
        var uncovered = 0;
        var worst = 1.0;
        var checkedFaces = 0;
        for (var f = 0; f < truth.Count; f++)
        {
            var hidden = regions.TryGetValue(f, out var r) ? r.Select(b => b.Pad(anonymize.Padding)).ToList() : [];
            var bad = false;
            foreach (var face in truth[f])
            {
                var x1 = Math.Max(0, face.X);
                var y1 = Math.Max(0, face.Y);
                var x2 = Math.Min(width, face.Right);
                var y2 = Math.Min(height, face.Bottom);
                if (Math.Min(x2 - x1, y2 - y1) < minSide)
                {
                    continue;
                }

                checkedFaces++;
                var coverage = Covered(x1, y1, x2, y2, hidden, shape);
                worst = Math.Min(worst, coverage);
                if (coverage < minCoverage)
                {
                    bad = true;
                    report?.Invoke(string.Create(
                        System.Globalization.CultureInfo.InvariantCulture,
                        $"frame {f}: face {face.X:0},{face.Y:0} {face.Width:0}x{face.Height:0} covered {coverage:0.00}; nearest region {Nearest(face, hidden)}"));
                }
            }

            if (bad)
            {
                uncovered++;
            }
        }

        return (uncovered, worst, checkedFaces);
    }

    private static string Nearest(FaceBox face, List<FaceBox> hidden)
    {
        if (hidden.Count == 0)
        {
            return "none";
        }

        var best = hidden.MaxBy(b => b.IoU(face));
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{best.X:0},{best.Y:0} {best.Width:0}x{best.Height:0} (padded) iou {best.IoU(face):0.00}");
    }

    private static double Covered(float x1, float y1, float x2, float y2, List<FaceBox> hidden, MaskShape shape)
    {
        const int Samples = 24;
        var inside = 0;
        for (var i = 0; i < Samples; i++)
        {
            var py = y1 + (y2 - y1) * (i + 0.5f) / Samples;
            for (var j = 0; j < Samples; j++)
            {
                var px = x1 + (x2 - x1) * (j + 0.5f) / Samples;
                if (hidden.Any(b => Contains(b, px, py, shape)))
                {
                    inside++;
                }
            }
        }

        return inside / (double)(Samples * Samples);
    }

    private static bool Contains(FaceBox b, float x, float y, MaskShape shape)
    {
        if (shape == MaskShape.Rect)
        {
            return x >= b.X && x <= b.Right && y >= b.Y && y <= b.Bottom;
        }

        var dx = (x - (b.X + b.Width / 2)) / (b.Width / 2);
        var dy = (y - (b.Y + b.Height / 2)) / (b.Height / 2);
        return dx * dx + dy * dy <= 1;
    }


    /// <summary>
    /// What stays hidden after a cut, counted in frames more than <paramref name="settle"/> frames after it. Stray frames
    /// have a hidden region (padded, its part inside the picture) covering no face of the current shot: the measure as
    /// the issue states it, which also counts the detector's false positives and faces the annotations miss. Ghost frames
    /// have such a region left over from the previous shot: its track also hid something before the cut (a blur patch
    /// carried across it). A face of the current shot is any face drawn in it (also partly covered or dark) in this frame
    /// or in the <paramref name="window"/> frames before it since the cut: a face that just left the picture may still
    /// be held.
    /// </summary>
    public static (int GhostFrames, int StrayFrames) Ghosts(
        ShotClipTruth truth,
        IReadOnlyList<HiddenTrack> tracks,
        AnonymizeOptions anonymize,
        int width,
        int height,
        int window,
        int settle = 3,
        Action<string>? report = null)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(tracks);
        ArgumentNullException.ThrowIfNull(anonymize);
        var byFrame = tracks
            .SelectMany(t => t.Frames.Select(f => (Track: t, f.Index, f.Box)))
            .ToLookup(x => x.Index);
        var (ghosts, strays) = (0, 0);
        for (var f = 0; f < truth.Frames.Count; f++)
        {
            var shot = truth.Cuts.Count(c => c <= f);
            if (shot == 0 || f - truth.Cuts[shot - 1] <= settle)
            {
                continue;
            }

            var cut = truth.Cuts[shot - 1];
            var current = Drawn(truth, Math.Max(cut, f - window), f);
            var stray = byFrame[f]
                .Select(x => (x.Track, Box: Clip(x.Box.Pad(anonymize.Padding), width, height)))
                .Where(x => x.Box.Width > 0 && x.Box.Height > 0 && !current.Any(face => Intersects(x.Box, face)))
                .ToList();
            var ghost = stray.Where(x => x.Track.Frames.Any(tf => tf.Index < cut)).ToList();
            strays += stray.Count > 0 ? 1 : 0;
            ghosts += ghost.Count > 0 ? 1 : 0;
            if (stray.Count > 0)
            {
                report?.Invoke(string.Create(
                    System.Globalization.CultureInfo.InvariantCulture,
                    $"frame {f} ({f - cut} after the cut at {cut}): {string.Join("; ", stray.Select(x => $"{(ghost.Contains(x) ? "GHOST " : "")}track {x.Track.Id} {x.Box.X:0},{x.Box.Y:0} {x.Box.Width:0}x{x.Box.Height:0}"))} cover no face of the shot"));
            }
        }

        return (ghosts, strays);
    }

    private static List<FaceBox> Drawn(ShotClipTruth truth, int first, int last) =>
        [.. Enumerable.Range(first, Math.Max(0, last - first + 1)).SelectMany(i => truth.Frames[i].Drawn)];

    private static FaceBox Clip(FaceBox b, int width, int height)
    {
        var (x1, y1) = (Math.Max(0, b.X), Math.Max(0, b.Y));
        var (x2, y2) = (Math.Min(width, b.Right), Math.Min(height, b.Bottom));
        return new FaceBox(x1, y1, Math.Max(0, x2 - x1), Math.Max(0, y2 - y1), b.Score);
    }

    private static bool Intersects(FaceBox a, FaceBox b) =>
        Math.Min(a.Right, b.Right) > Math.Max(a.X, b.X) && Math.Min(a.Bottom, b.Bottom) > Math.Max(a.Y, b.Y);
}
