using System.Text.Json;

namespace FaceBlur.Modules.Processing.Regions;

/// <summary>
/// Writes a <see cref="RegionsDocument"/> in the SPEC's schema. Box coordinates are written as the exact single-precision
/// values that were hidden (shortest round-trip form), so an export sent back with <c>detect=false</c> hides exactly
/// the same pixels.
/// </summary>
public static class RegionsWriter
{
    public static byte[] ToUtf8Json(RegionsDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            Write(json, document);
        }

        return buffer.ToArray();
    }

    /// <summary>Writes the document as one JSON object (the <c>data</c> of <c>GET /results/{id}/regions</c>).</summary>
    public static void Write(Utf8JsonWriter json, RegionsDocument document)
    {
        ArgumentNullException.ThrowIfNull(json);
        switch (document)
        {
            case ImageRegionsDocument images:
                WriteImages(json, images);
                break;
            case VideoRegionsDocument video:
                WriteVideo(json, video);
                break;
            default:
                throw new ArgumentException("Unknown regions document.", nameof(document));
        }
    }

    private static void WriteImages(Utf8JsonWriter json, ImageRegionsDocument document)
    {
        json.WriteStartObject();
        json.WriteString("kind", "images");
        json.WriteStartArray("files");
        foreach (var file in document.Files)
        {
            json.WriteStartObject();
            json.WriteNumber("index", file.Index);
            WriteIfSet(json, "name", file.Name);
            WriteIfSet(json, "width", file.Width);
            WriteIfSet(json, "height", file.Height);
            json.WriteStartArray("regions");
            foreach (var region in file.Regions)
            {
                json.WriteStartObject();
                json.WriteString("id", region.Id);
                WriteBox(json, region.Box);
                WriteIfSet(json, "score", region.Score);
                json.WriteString("source", SourceName(region.Source));
                json.WriteBoolean("hidden", region.Hidden);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteVideo(Utf8JsonWriter json, VideoRegionsDocument document)
    {
        json.WriteStartObject();
        json.WriteString("kind", "video");
        WriteIfSet(json, "width", document.Width);
        WriteIfSet(json, "height", document.Height);
        if (document.Duration is { } duration)
        {
            json.WriteNumber("duration", Math.Round(duration, 6));
        }

        json.WriteStartArray("tracks");
        foreach (var track in document.Tracks)
        {
            json.WriteStartObject();
            json.WriteString("id", track.Id);
            WriteIfSet(json, "score", track.Score);
            json.WriteString("source", SourceName(track.Source));
            json.WriteBoolean("hidden", track.Hidden);
            json.WriteStartArray("frames");
            foreach (var frame in track.Frames)
            {
                json.WriteStartObject();
                json.WriteNumber("t", Math.Round(frame.T, 6));
                WriteBox(json, frame.Box);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteBox(Utf8JsonWriter json, RegionBox box)
    {
        json.WriteNumber("x", box.X);
        json.WriteNumber("y", box.Y);
        json.WriteNumber("w", box.W);
        json.WriteNumber("h", box.H);
    }

    private static string SourceName(RegionSource source) => source == RegionSource.Detector ? "detector" : "given";

    private static void WriteIfSet(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteIfSet(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
    }

    private static void WriteIfSet(Utf8JsonWriter json, string name, float? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, Math.Round(number, 4));
        }
    }
}
