using FaceBlur.Cli.Inputs;
using FaceBlur.Modules.Processing.Regions;

namespace FaceBlur.Cli.Regions;

/// <summary>
/// The regions <c>--regions-in</c> gives each input, as a document of the SPEC's schema for that one input (a photo's
/// document has one file, number 0), with the way to name a problem found later (when it is held against the media) by
/// its place in the file the user wrote.
/// </summary>
internal sealed class GivenRegions
{
    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);

    public static GivenRegions None { get; } = new();

    public int Count => entries.Count;

    public void Add(PlannedInput input, RegionsDocument document, Func<string, string> locate)
    {
        if (!entries.TryAdd(input.FullPath, new Entry(document, locate)))
        {
            throw new RegionsValidationException(locate(""), $"{input.DisplayPath} is given regions twice.");
        }
    }

    public bool Has(PlannedInput input) => entries.ContainsKey(input.FullPath);

    /// <summary>The input's document, or null when none is given.</summary>
    public RegionsDocument? DocumentFor(PlannedInput input) => entries.TryGetValue(input.FullPath, out var entry) ? entry.Document : null;

    /// <summary>A problem's path inside the document of <paramref name="input"/>, as a path in the regions file.</summary>
    public string Locate(PlannedInput input, string pathInDocument) =>
        entries.TryGetValue(input.FullPath, out var entry) ? entry.Locate(pathInDocument) : pathInDocument;

    private sealed record Entry(RegionsDocument Document, Func<string, string> Locate);
}
