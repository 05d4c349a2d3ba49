namespace FaceBlur.Modules.Processing.Detection;

/// <summary>How the scores a face got from several detection passes are combined.</summary>
public enum ScoreFusion
{
    /// <summary>Mean over all passes of each pass's best score for the face (a pass that missed it adds 0): rewards agreement.</summary>
    Mean,

    /// <summary>Best score of any pass: most recall, most false positives.</summary>
    Max,
}

/// <summary>How the boxes several passes gave one face are merged.</summary>
public enum BoxMerge
{
    /// <summary>Score-weighted mean of the boxes: the best fit.</summary>
    Mean,

    /// <summary>The smallest box holding all of them: where passes disagree on the extent, all of it is hidden.</summary>
    Union,
}

/// <summary>Non-maximum suppression and the merging of several passes' candidates into one list of faces.</summary>
public static class BoxFusion
{
    /// <summary>
    /// Greedy non-maximum suppression: best score first, a box is dropped when its IoU with a kept box exceeds
    /// <paramref name="iouThreshold"/>. Returns the kept boxes, best score first.
    /// </summary>
    public static List<FaceBox> Nms(IEnumerable<FaceBox> boxes, float iouThreshold)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        var sorted = boxes.OrderByDescending(b => b.Score).ToList();
        var kept = new List<FaceBox>(sorted.Count);
        foreach (var box in sorted)
        {
            var duplicate = false;
            foreach (var k in kept)
            {
                if (k.IoU(box) > iouThreshold)
                {
                    duplicate = true;
                    break;
                }
            }

            if (!duplicate)
            {
                kept.Add(box);
            }
        }

        return kept;
    }

    /// <summary>
    /// Adds <paramref name="more"/> to <paramref name="faces"/>: a box overlapping a face already there (IoU at least
    /// <paramref name="iou"/>) replaces it by the union of both, with the better score; any other box is added.
    /// </summary>
    public static void UnionInto(List<FaceBox> faces, IEnumerable<FaceBox> more, float iou)
    {
        ArgumentNullException.ThrowIfNull(faces);
        ArgumentNullException.ThrowIfNull(more);
        foreach (var box in more)
        {
            var i = faces.FindIndex(f => f.IoU(box) >= iou);
            if (i < 0)
            {
                faces.Add(box);
                continue;
            }

            var f = faces[i];
            var left = Math.Min(f.X, box.X);
            var top = Math.Min(f.Y, box.Y);
            faces[i] = new FaceBox(left, top, Math.Max(f.Right, box.Right) - left, Math.Max(f.Bottom, box.Bottom) - top, Math.Max(f.Score, box.Score));
        }
    }

    /// <summary>
    /// Merges the candidates of several passes (all in the same coordinates). Best score first, each unassigned candidate
    /// gathers the unassigned candidates with IoU at least <paramref name="fusionIou"/>; from each pass the cluster keeps
    /// its best member. The fused box is the score-weighted mean of those members (or their union, per <paramref name="merge"/>) and its score combines their scores
    /// per <paramref name="fusion"/> (the mean is weighted by <paramref name="weights"/>, one per pass, default 1). Faces scoring at least
    /// <paramref name="scoreThreshold"/> are returned, best score first.
    /// </summary>
    public static List<FaceBox> Fuse(
        IReadOnlyList<IReadOnlyList<FaceBox>> passes,
        float fusionIou,
        float scoreThreshold,
        ScoreFusion fusion = ScoreFusion.Mean,
        IReadOnlyList<float>? weights = null,
        BoxMerge merge = BoxMerge.Mean)
    {
        ArgumentNullException.ThrowIfNull(passes);
        if (weights is not null && weights.Count != passes.Count)
        {
            throw new ArgumentException("One weight per pass is required.", nameof(weights));
        }

        var totalWeight = weights?.Sum() ?? passes.Count;
        if (passes.Count == 1)
        {
            return [.. passes[0].Where(b => b.Score >= scoreThreshold).OrderByDescending(b => b.Score)];
        }

        var all = CandidatesBestFirst(passes);
        var used = new bool[all.Count];
        var best = new FaceBox?[passes.Count];
        var fused = new List<FaceBox>();
        for (var i = 0; i < all.Count; i++)
        {
            if (used[i])
            {
                continue;
            }

            GatherCluster(all, used, i, fusionIou, best);
            if (Combine(best, weights, totalWeight, fusion, merge) is { } face && face.Score >= scoreThreshold)
            {
                fused.Add(face);
            }
        }

        fused.Sort((a, b) => b.Score.CompareTo(a.Score));
        return fused;
    }

    /// <summary>Every pass's candidates with the pass they came from, best score first.</summary>
    private static List<(FaceBox Box, int Pass)> CandidatesBestFirst(IReadOnlyList<IReadOnlyList<FaceBox>> passes)
    {
        var all = new List<(FaceBox Box, int Pass)>();
        for (var p = 0; p < passes.Count; p++)
        {
            all.AddRange(passes[p].Select(b => (b, p)));
        }

        all.Sort((a, b) => b.Box.Score.CompareTo(a.Box.Score));
        return all;
    }

    /// <summary>
    /// Marks the seed <paramref name="seedIndex"/> and every unassigned candidate after it with IoU at least
    /// <paramref name="fusionIou"/> as used, and leaves in <paramref name="best"/> each pass's best member of that cluster
    /// (candidates come best first, so the first one of a pass is its best).
    /// </summary>
    private static void GatherCluster(List<(FaceBox Box, int Pass)> all, bool[] used, int seedIndex, float fusionIou, FaceBox?[] best)
    {
        Array.Clear(best);
        var seed = all[seedIndex].Box;
        for (var j = seedIndex; j < all.Count; j++)
        {
            if (used[j] || (j != seedIndex && seed.IoU(all[j].Box) < fusionIou))
            {
                continue;
            }

            used[j] = true;
            best[all[j].Pass] ??= all[j].Box;
        }
    }

    /// <summary>
    /// The fused face of one cluster (its best member per pass): the score per <paramref name="fusion"/>, the box per
    /// <paramref name="merge"/>; null when the members' scores sum to zero (no box to weight).
    /// </summary>
    private static FaceBox? Combine(FaceBox?[] best, IReadOnlyList<float>? weights, float totalWeight, ScoreFusion fusion, BoxMerge merge)
    {
        float sum = 0, max = 0, x = 0, y = 0, w = 0, h = 0;
        float weighted = 0, left = float.MaxValue, top = float.MaxValue, right = float.MinValue, bottom = float.MinValue;
        for (var p = 0; p < best.Length; p++)
        {
            if (best[p] is not { } m)
            {
                continue;
            }

            weighted += m.Score * (weights?[p] ?? 1);
            sum += m.Score;
            left = Math.Min(left, m.X);
            top = Math.Min(top, m.Y);
            right = Math.Max(right, m.Right);
            bottom = Math.Max(bottom, m.Bottom);
            max = Math.Max(max, m.Score);
            x += m.X * m.Score;
            y += m.Y * m.Score;
            w += m.Width * m.Score;
            h += m.Height * m.Score;
        }

        var score = fusion == ScoreFusion.Max ? max : weighted / totalWeight;
        if (!(sum > 0))
        {
            return null;
        }

        return merge == BoxMerge.Union
            ? new FaceBox(left, top, right - left, bottom - top, score)
            : new FaceBox(x / sum, y / sum, w / sum, h / sum, score);
    }
}
