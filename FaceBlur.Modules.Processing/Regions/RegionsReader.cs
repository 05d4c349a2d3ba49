using System.Text.Json;
using FaceBlur.Modules.Processing.Jobs;

namespace FaceBlur.Modules.Processing.Regions;

/// <summary>
/// Reads a <c>regions</c> form field (the SPEC's schema) into a <see cref="RegionsDocument"/>, checking its shape before
/// anything is queued: size, kind, types, finite numbers, positive box sizes, no unknown keys (a misspelt "hiden" must
/// not silently hide a face someone wanted kept). Each problem throws <see cref="RegionsValidationException"/> naming its
/// path. Whether boxes lie inside the media and files exist in the request is checked later, against the media
/// (<see cref="RegionsBinding"/>). A region's <c>source</c> is read and checked but does not change what is hidden:
/// every region that comes in is the client's, and is exported as <c>given</c>.
/// </summary>
public static class RegionsReader
{
    /// <summary>The largest regions field accepted, in bytes of JSON.</summary>
    public const int MaxJsonBytes = 5 * 1024 * 1024;

    /// <summary>The most boxes one document may hold (regions of every file, or frames of every track).</summary>
    public const int MaxBoxes = 200_000;

    private static readonly string[] DocumentKeys = ["kind", "files", "width", "height", "duration", "tracks"];
    private static readonly string[] FileKeys = ["index", "name", "width", "height", "regions"];
    private static readonly string[] RegionKeys = ["id", "x", "y", "w", "h", "score", "source", "hidden"];
    private static readonly string[] TrackKeys = ["id", "score", "source", "hidden", "frames"];
    private static readonly string[] FrameKeys = ["t", "x", "y", "w", "h"];

    public static RegionsDocument Read(ReadOnlySpan<byte> utf8Json, JobKind kind)
    {
        if (utf8Json.Length > MaxJsonBytes)
        {
            throw new RegionsValidationException("regions", $"The regions field is larger than {MaxJsonBytes / (1024 * 1024)} MB.");
        }

        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(utf8Json.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException ex)
        {
            throw new RegionsValidationException("regions", $"The regions field is not valid JSON (line {ex.LineNumber + 1}).");
        }

        using (json)
        {
            var root = json.RootElement;
            RequireObject(root, "regions", DocumentKeys);
            var expected = kind == JobKind.Images ? "images" : "video";
            if (root.TryGetProperty("kind", out var kindElement)
                && (kindElement.ValueKind != JsonValueKind.String || kindElement.GetString() != expected))
            {
                throw new RegionsValidationException("kind", $"kind must be \"{expected}\" on this endpoint.");
            }

            RegionsDocument document = kind == JobKind.Images ? ReadImages(root) : ReadVideo(root);
            if (document.BoxCount > MaxBoxes)
            {
                throw new RegionsValidationException("regions", $"The regions field holds {document.BoxCount} boxes; the limit is {MaxBoxes}.");
            }

            return document;
        }
    }

    private static ImageRegionsDocument ReadImages(JsonElement root)
    {
        var files = RequireArray(root, "files", "files");
        var result = new List<ImageFileRegions>(files.GetArrayLength());
        var i = 0;
        foreach (var file in files.EnumerateArray())
        {
            var path = $"files[{i++}]";
            RequireObject(file, path, FileKeys);
            var regions = new List<ImageRegion>();
            var r = 0;
            foreach (var region in RequireArray(file, "regions", path + ".regions").EnumerateArray())
            {
                var regionPath = $"{path}.regions[{r++}]";
                RequireObject(region, regionPath, RegionKeys);
                regions.Add(new ImageRegion(
                    OptionalString(region, "id", regionPath) ?? "",
                    ReadBox(region, regionPath),
                    OptionalScore(region, regionPath),
                    OptionalSource(region, regionPath),
                    OptionalBool(region, "hidden", regionPath) ?? true));
            }

            result.Add(new ImageFileRegions(
                RequireInt(file, "index", path),
                OptionalString(file, "name", path),
                OptionalInt(file, "width", path),
                OptionalInt(file, "height", path),
                regions));
        }

        return new ImageRegionsDocument(result);
    }

    private static VideoRegionsDocument ReadVideo(JsonElement root)
    {
        var tracks = new List<VideoTrack>();
        var i = 0;
        foreach (var track in RequireArray(root, "tracks", "tracks").EnumerateArray())
        {
            var path = $"tracks[{i++}]";
            RequireObject(track, path, TrackKeys);
            var frames = new List<TrackFrame>();
            var f = 0;
            foreach (var frame in RequireArray(track, "frames", path + ".frames").EnumerateArray())
            {
                var framePath = $"{path}.frames[{f++}]";
                RequireObject(frame, framePath, FrameKeys);
                var t = RequireNumber(frame, "t", framePath);
                if (t < 0)
                {
                    throw new RegionsValidationException(framePath + ".t", "t must be a time in seconds, 0 or more.");
                }

                frames.Add(new TrackFrame(t, ReadBox(frame, framePath)));
            }

            tracks.Add(new VideoTrack(
                OptionalString(track, "id", path) ?? "",
                OptionalScore(track, path),
                OptionalSource(track, path),
                OptionalBool(track, "hidden", path) ?? true,
                frames));
        }

        var duration = root.TryGetProperty("duration", out _) ? RequireNumber(root, "duration", "") : (double?)null;
        return new VideoRegionsDocument(OptionalInt(root, "width", ""), OptionalInt(root, "height", ""), duration, tracks);
    }

    private static RegionBox ReadBox(JsonElement element, string path)
    {
        var x = RequireSingle(element, "x", path);
        var y = RequireSingle(element, "y", path);
        var w = RequireSingle(element, "w", path);
        var h = RequireSingle(element, "h", path);
        if (w <= 0)
        {
            throw new RegionsValidationException(Join(path, "w"), "w must be a positive number of pixels.");
        }

        if (h <= 0)
        {
            throw new RegionsValidationException(Join(path, "h"), "h must be a positive number of pixels.");
        }

        return new RegionBox(x, y, w, h);
    }

    /// <summary>A coordinate read straight as a float: an exported float reads back bit for bit (no double in between).</summary>
    private static float RequireSingle(JsonElement element, string name, string path)
    {
        _ = RequireNumber(element, name, path);
        return element.GetProperty(name).GetSingle();
    }

    private static void RequireObject(JsonElement element, string path, string[] keys)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new RegionsValidationException(path, $"{path} must be a JSON object.");
        }

        foreach (var property in element.EnumerateObject())
        {
            if (!keys.Contains(property.Name, StringComparer.Ordinal))
            {
                throw new RegionsValidationException(Join(path == "regions" ? "" : path, property.Name), $"Unknown key; expected one of {string.Join(", ", keys)}.");
            }
        }
    }

    private static JsonElement RequireArray(JsonElement element, string name, string path) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value
            : throw new RegionsValidationException(path, $"{name} must be a JSON array.");

    private static double RequireNumber(JsonElement element, string name, string path)
    {
        var at = Join(path, name);
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number)
        {
            throw new RegionsValidationException(at, $"{name} must be a number.");
        }

        return value.TryGetDouble(out var number) && double.IsFinite(number) && Math.Abs(number) < 1e7
            ? number
            : throw new RegionsValidationException(at, $"{name} must be a finite number.");
    }

    private static int RequireInt(JsonElement element, string name, string path) =>
        OptionalInt(element, name, path) ?? throw new RegionsValidationException(Join(path, name), $"{name} is required.");

    private static int? OptionalInt(JsonElement element, string name, string path)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= 0
            ? number
            : throw new RegionsValidationException(Join(path, name), $"{name} must be a whole number, 0 or more.");
    }

    private static string? OptionalString(JsonElement element, string name, string path)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String && value.GetString() is { Length: <= 200 } text
            ? text
            : throw new RegionsValidationException(Join(path, name), $"{name} must be a string of at most 200 characters.");
    }

    private static bool? OptionalBool(JsonElement element, string name, string path)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new RegionsValidationException(Join(path, name), $"{name} must be true or false."),
        };
    }

    private static float? OptionalScore(JsonElement element, string path)
    {
        if (!element.TryGetProperty("score", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var score = RequireNumber(element, "score", path);
        return score is >= 0 and <= 1 ? (float)score : throw new RegionsValidationException(Join(path, "score"), "score must be between 0 and 1.");
    }

    private static RegionSource OptionalSource(JsonElement element, string path) => OptionalString(element, "source", path) switch
    {
        null or "given" => RegionSource.Given,
        "detector" => RegionSource.Detector,
        _ => throw new RegionsValidationException(Join(path, "source"), "source must be \"detector\" or \"given\"."),
    };

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}
