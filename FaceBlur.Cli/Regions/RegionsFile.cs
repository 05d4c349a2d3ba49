using System.Text;
using System.Text.Json;
using FaceBlur.Cli.Inputs;
using FaceBlur.Cli.Run;
using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Modules.Processing.Regions;

namespace FaceBlur.Cli.Regions;

/// <summary>
/// The regions file of a run: <c>{"inputs":{"photos/a.jpg":{...},"clip.mp4":{...}}}</c>, one document of the SPEC's
/// schema per input, keyed by the input's path as the run named it. Each document is what the API exports for a job of
/// that one file (a photo's has one file, number 0), so it can be sent to the service as it is, and an export from the
/// service can be given here: as an entry of <c>inputs</c>, or bare (a video's with one video input; a photos job's
/// matched to the photo inputs in their order, by index and name, as the API matches uploads).
/// </summary>
internal static class RegionsFile
{
    private const string InputsKey = "inputs";

    /// <summary>Writes the documents (in the order of their keys) in place of <paramref name="path"/> at once.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, RegionsDocument>> documents)
    {
        using var pending = PendingOutput.Create(path);
        using (var stream = new FileStream(pending.TemporaryPath, FileMode.CreateNew, FileAccess.Write))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartObject(InputsKey);
            foreach (var (key, document) in documents.OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                json.WritePropertyName(key);
                RegionsWriter.Write(json, document);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        pending.Commit();
    }

    /// <summary>
    /// Reads <paramref name="path"/> and gives each of <paramref name="inputs"/> its document. Every problem throws
    /// <see cref="RegionsValidationException"/> with its path in the file (<c>inputs["a.jpg"].files[0].regions[2].w</c>).
    /// </summary>
    public static GivenRegions Read(string path, IReadOnlyList<PlannedInput> inputs)
    {
        var bytes = File.ReadAllBytes(path);
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 10 });
        }
        catch (JsonException e)
        {
            throw new RegionsValidationException("", $"not valid JSON (line {e.LineNumber + 1}).");
        }

        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new RegionsValidationException("", "the file must hold a JSON object.");
            }

            var given = new GivenRegions();
            if (root.TryGetProperty("kind", out _))
            {
                ReadBare(bytes, root, inputs, given);
            }
            else
            {
                ReadInputs(root, inputs, given);
            }

            return given;
        }
    }

    private static void ReadInputs(JsonElement root, IReadOnlyList<PlannedInput> inputs, GivenRegions given)
    {
        foreach (var property in root.EnumerateObject().Where(p => p.Name != InputsKey))
        {
            throw new RegionsValidationException(property.Name, $"Unknown key; expected \"{InputsKey}\" (or a bare document with \"kind\").");
        }

        if (!root.TryGetProperty(InputsKey, out var entries) || entries.ValueKind != JsonValueKind.Object)
        {
            throw new RegionsValidationException(InputsKey, $"{InputsKey} must be a JSON object: each input's path, then its regions.");
        }

        var byPath = inputs.Where(i => i.IsMedia).ToDictionary(i => i.FullPath, StringComparer.Ordinal);
        foreach (var entry in entries.EnumerateObject())
        {
            var at = $"{InputsKey}[{JsonSerializer.Serialize(entry.Name)}]";
            if (FullPath(entry.Name) is not { } full || !byPath.TryGetValue(full, out var input))
            {
                throw new RegionsValidationException(at, "names no photo or video of this run.");
            }

            var kind = input.Kind == MediaKind.Photo ? JobKind.Images : JobKind.Video;
            var expected = kind == JobKind.Images ? "images" : "video";
            if (entry.Value.ValueKind == JsonValueKind.Object
                && entry.Value.TryGetProperty("kind", out var kindElement)
                && !(kindElement.ValueKind == JsonValueKind.String && kindElement.GetString() == expected))
            {
                throw new RegionsValidationException(at + ".kind", $"kind must be \"{expected}\": {input.DisplayPath} is a {(kind == JobKind.Images ? "photo" : "video")}.");
            }

            string Locate(string inner) => inner.Length == 0 ? at : $"{at}.{inner}";
            var document = Located(() => RegionsReader.Read(Encoding.UTF8.GetBytes(entry.Value.GetRawText()), kind), Locate);
            given.Add(input, document, Locate);
        }
    }

    /// <summary>A document exported by the service (or written by hand) for one job, given without the <c>inputs</c> wrapper.</summary>
    private static void ReadBare(byte[] bytes, JsonElement root, IReadOnlyList<PlannedInput> inputs, GivenRegions given)
    {
        var isVideo = root.GetProperty("kind") is { ValueKind: JsonValueKind.String } kind && kind.GetString() == "video";
        var document = RegionsReader.Read(bytes, isVideo ? JobKind.Video : JobKind.Images);
        if (document is VideoRegionsDocument video)
        {
            var videos = inputs.Where(i => i.Kind == MediaKind.Video).ToList();
            if (videos.Count != 1)
            {
                throw new RegionsValidationException("kind", $"a video's regions given bare need exactly one video among the inputs ({videos.Count} here).");
            }

            given.Add(videos[0], video, inner => inner);
            return;
        }

        var photos = inputs.Where(i => i.Kind == MediaKind.Photo).ToList();
        var files = ((ImageRegionsDocument)document).Files;
        for (var i = 0; i < files.Count; i++)
        {
            var at = $"files[{i}]";
            var file = files[i];
            if (file.Index >= photos.Count)
            {
                throw new RegionsValidationException(at + ".index", $"There is no photo number {file.Index} among the inputs ({photos.Count} photo(s), numbered from 0 in the order of the run).");
            }

            var photo = photos[file.Index];
            if (given.Has(photo))
            {
                throw new RegionsValidationException(at + ".index", $"Photo number {file.Index} is listed twice.");
            }

            if (file.Name is not null && file.Name != Path.GetFileName(photo.FullPath))
            {
                throw new RegionsValidationException(at + ".name", $"Photo number {file.Index} of the run is {photo.DisplayPath}, another name.");
            }

            // Held against the photo later as a document of its own (file number 0); problems keep their place here.
            given.Add(photo, new ImageRegionsDocument([file with { Index = 0 }]), inner => inner.StartsWith("files[0]", StringComparison.Ordinal) ? at + inner["files[0]".Length..] : inner);
        }
    }

    /// <summary>The absolute form of a key; null for one that is no path at all (empty, a NUL inside).</summary>
    private static string? FullPath(string key)
    {
        try
        {
            return Path.GetFullPath(key);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static RegionsDocument Located(Func<RegionsDocument> read, Func<string, string> locate)
    {
        try
        {
            return read();
        }
        catch (RegionsValidationException e)
        {
            throw new RegionsValidationException(locate(e.Path), e.Message);
        }
    }
}
