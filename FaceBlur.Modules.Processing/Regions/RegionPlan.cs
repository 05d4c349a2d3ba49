using FaceBlur.Modules.Processing.Detection;

namespace FaceBlur.Modules.Processing.Regions;

/// <summary>
/// What to hide beyond (or instead of) what the detector finds: <see cref="Detect"/> false runs no detector and hides
/// exactly the given regions marked hidden; regions marked kept stay visible even where a face is found over them.
/// </summary>
public sealed record RegionRequest(bool Detect, IReadOnlyList<ImageRegion> Given)
{
    /// <summary>The default: detect, nothing given.</summary>
    public static readonly RegionRequest DetectOnly = new(true, []);
}

/// <summary>How the detector's faces and the given regions make the regions a photo ends with.</summary>
public static class RegionPlan
{
    /// <summary>A found face overlapping a kept region this much (IoU) is the kept person, and stays visible.</summary>
    public const float KeepIoU = 0.5f;

    /// <summary>
    /// The photo's regions, in order: detected faces not kept (source detector, with their score), the given hidden
    /// regions, then the kept ones (hidden false). Given ids are kept; the others get <c>r1</c>, <c>r2</c>... (unused ones).
    /// </summary>
    public static IReadOnlyList<ImageRegion> ForImage(IReadOnlyList<FaceBox> detected, IReadOnlyList<ImageRegion> given)
    {
        ArgumentNullException.ThrowIfNull(detected);
        ArgumentNullException.ThrowIfNull(given);
        var kept = given.Where(g => !g.Hidden).Select(g => g.Box.ToFaceBox(1)).ToList();
        var regions = detected
            .Where(face => !IsKept(face, kept))
            .Select(face => new ImageRegion("", RegionBox.From(face), face.Score, RegionSource.Detector, true))
            .Concat(given.Where(g => g.Hidden))
            .Concat(given.Where(g => !g.Hidden))
            .ToList();
        return AssignIds(regions);
    }

    /// <summary>True when <paramref name="face"/> overlaps one of the kept boxes by at least <see cref="KeepIoU"/>.</summary>
    public static bool IsKept(FaceBox face, IReadOnlyList<FaceBox> kept) => kept.Any(k => k.IoU(face) >= KeepIoU);

    private static List<ImageRegion> AssignIds(List<ImageRegion> regions)
    {
        var used = regions.Where(r => r.Id.Length > 0).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var next = 1;
        for (var i = 0; i < regions.Count; i++)
        {
            if (regions[i].Id.Length > 0)
            {
                continue;
            }

            while (!used.Add($"r{next}"))
            {
                next++;
            }

            regions[i] = regions[i] with { Id = $"r{next}" };
        }

        return regions;
    }
}
