using FaceBlur.Modules.Processing.Detection;

namespace FaceBlur.Testing.Evaluation;

/// <summary>Counts of one image or a whole set, per the definitions of the shared eval README.</summary>
public sealed class EvalCounts
{
    public int Images { get; set; }

    public int CountedFaces { get; set; }

    public int Covered { get; set; }

    public int MatchedIou50 { get; set; }

    public int Detections { get; set; }

    /// <summary>Counted faces that a detection overlaps (IoU >= 0.3) without its padded box covering them enough.</summary>
    public int NearMisses { get; set; }

    public int FalsePositives { get; set; }

    /// <summary>Counted faces and covered faces by shorter side: [10,16), [16,32), [32,64), [64,inf).</summary>
    public int[] FacesBySize { get; } = new int[4];

    public int[] CoveredBySize { get; } = new int[4];

    /// <summary>False positives by the detection's shorter side, same buckets (the first also holds boxes under 10 px).</summary>
    public int[] FalsePositivesBySize { get; } = new int[4];

    public double CoverageRecall => CountedFaces == 0 ? 0 : (double)Covered / CountedFaces;

    public double RecallIou50 => CountedFaces == 0 ? 0 : (double)MatchedIou50 / CountedFaces;

    public void Add(EvalCounts other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Images += other.Images;
        CountedFaces += other.CountedFaces;
        Covered += other.Covered;
        MatchedIou50 += other.MatchedIou50;
        Detections += other.Detections;
        NearMisses += other.NearMisses;
        FalsePositives += other.FalsePositives;
        for (var i = 0; i < FacesBySize.Length; i++)
        {
            FacesBySize[i] += other.FacesBySize[i];
            CoveredBySize[i] += other.CoveredBySize[i];
            FalsePositivesBySize[i] += other.FalsePositivesBySize[i];
        }
    }

    public static int SizeBucket(FaceBox face)
    {
        var side = Math.Min(face.Width, face.Height);
        return side < 16 ? 0 : side < 32 ? 1 : side < 64 ? 2 : 3;
    }
}

/// <summary>
/// The metrics of the shared eval README, for one image:
/// counted faces have a shorter side of at least <see cref="MinFaceSide"/> px; a counted face is covered when one
/// detection grown by the service's default padding covers at least <see cref="CoverageShare"/> of its area; recall@IoU0.5
/// matches counted faces one-to-one, greedily, best IoU first; a false positive is a detection whose IoU with every
/// ground-truth box (counted or not) is below <see cref="FalsePositiveIou"/>.
/// </summary>
public static class EvalMetrics
{
    public const float MinFaceSide = 10f;
    public const float CoverageShare = 0.8f;
    public const float MatchIou = 0.5f;
    public const float FalsePositiveIou = 0.3f;

    public static EvalCounts Score(IReadOnlyList<FaceBox> truth, IReadOnlyList<FaceBox> detections, float padding)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(detections);
        var counted = truth.Where(IsCounted).ToList();
        var counts = new EvalCounts { Images = 1, CountedFaces = counted.Count, Detections = detections.Count };
        var padded = detections.Select(d => d.Pad(padding)).ToList();
        foreach (var face in counted)
        {
            var bucket = EvalCounts.SizeBucket(face);
            counts.FacesBySize[bucket]++;
            if (padded.Any(p => CoveredShare(face, p) >= CoverageShare))
            {
                counts.Covered++;
                counts.CoveredBySize[bucket]++;
            }
            else if (detections.Any(d => d.IoU(face) >= FalsePositiveIou))
            {
                counts.NearMisses++;
            }
        }

        counts.MatchedIou50 = GreedyMatches(counted, detections, MatchIou);
        foreach (var d in detections.Where(d => truth.All(t => t.IoU(d) < FalsePositiveIou)))
        {
            counts.FalsePositives++;
            counts.FalsePositivesBySize[EvalCounts.SizeBucket(d)]++;
        }

        return counts;
    }

    public static bool IsCounted(FaceBox face) => Math.Min(face.Width, face.Height) >= MinFaceSide;

    /// <summary>Share of <paramref name="face"/>'s area inside <paramref name="region"/>.</summary>
    public static float CoveredShare(FaceBox face, FaceBox region)
    {
        var ix = Math.Max(0, Math.Min(face.Right, region.Right) - Math.Max(face.X, region.X));
        var iy = Math.Max(0, Math.Min(face.Bottom, region.Bottom) - Math.Max(face.Y, region.Y));
        return face.Area <= 0 ? 0 : ix * iy / face.Area;
    }

    /// <summary>One-to-one matches with IoU at least <paramref name="minIou"/>, taking the best-IoU pairs first.</summary>
    public static int GreedyMatches(IReadOnlyList<FaceBox> truth, IReadOnlyList<FaceBox> detections, float minIou)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(detections);
        var pairs = new List<(float Iou, int T, int D)>();
        for (var t = 0; t < truth.Count; t++)
        {
            for (var d = 0; d < detections.Count; d++)
            {
                var iou = truth[t].IoU(detections[d]);
                if (iou >= minIou)
                {
                    pairs.Add((iou, t, d));
                }
            }
        }

        pairs.Sort((a, b) => b.Iou.CompareTo(a.Iou));
        var usedT = new bool[truth.Count];
        var usedD = new bool[detections.Count];
        var matches = 0;
        foreach (var (_, t, d) in pairs)
        {
            if (!usedT[t] && !usedD[d])
            {
                usedT[t] = usedD[d] = true;
                matches++;
            }
        }

        return matches;
    }
}
