using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace FaceBlur.Web.Api;

/// <summary>The SPEC's regions schema as a JSON schema, for the API document (what GET .../regions answers, and the regions field takes).</summary>
public static class OpenApiRegions
{
    public static OpenApiSchema Schema() => new()
    {
        Description = "What a job hid (export) or what to hide or keep (import). Boxes are face boxes in pixels of the output image or frame "
            + "(after EXIF orientation and rotation), before padding. On import, id, score and source are optional.",
        OneOf = [Images(), Video()],
        Examples =
        [
            JsonNode.Parse("""
                {"kind":"images","files":[{"index":0,"name":"a.jpg","width":1200,"height":800,
                 "regions":[{"id":"r1","x":10,"y":20,"w":40,"h":50,"score":0.93,"source":"detector","hidden":true}]}]}
                """)!,
            JsonNode.Parse("""
                {"kind":"video","width":1920,"height":1080,"duration":10.0,
                 "tracks":[{"id":"t1","score":0.91,"source":"detector","hidden":true,"frames":[{"t":0.0,"x":10,"y":20,"w":40,"h":50}]}]}
                """)!,
        ],
    };

    private static OpenApiSchema Images() => Object(
        "Photos: the regions of each file, by its place in the request.",
        new()
        {
            ["kind"] = Const("images"),
            ["files"] = Array(Object(
                "One photo.",
                new()
                {
                    ["index"] = Integer("The file's place in the request, from 0."),
                    ["name"] = Text("The file's name; checked against the request's when given."),
                    ["width"] = Integer("Upright width in pixels."),
                    ["height"] = Integer("Upright height in pixels."),
                    ["regions"] = Array(Object("One region.", Box(new() { ["id"] = Text("Unique within the file."), ["score"] = Score(), ["source"] = Source(), ["hidden"] = Hidden() }), "x", "y", "w", "h")),
                },
                "index",
                "regions")),
        },
        "files");

    private static OpenApiSchema Video() => Object(
        "A video: one track per face, with its box on every frame it hides (or keeps).",
        new()
        {
            ["kind"] = Const("video"),
            ["width"] = Integer("Output frame width in pixels."),
            ["height"] = Integer("Output frame height in pixels."),
            ["duration"] = new OpenApiSchema { Type = JsonSchemaType.Number, Description = "Seconds." },
            ["tracks"] = Array(Object(
                "One face through the video; it hides exactly the frames it lists.",
                new()
                {
                    ["id"] = Text("Unique within the video."),
                    ["score"] = Score(),
                    ["source"] = Source(),
                    ["hidden"] = Hidden(),
                    ["frames"] = Array(Object(
                        "The track's box on one frame; t is matched to the nearest frame within half a frame.",
                        Box(new() { ["t"] = new OpenApiSchema { Type = JsonSchemaType.Number, Minimum = "0", Description = "The frame's time in seconds in the output's clock." } }),
                        "t",
                        "x",
                        "y",
                        "w",
                        "h")),
                },
                "frames")),
        },
        "tracks");

    private static Dictionary<string, IOpenApiSchema> Box(Dictionary<string, IOpenApiSchema> properties)
    {
        properties["x"] = new OpenApiSchema { Type = JsonSchemaType.Number, Description = "Left, in pixels." };
        properties["y"] = new OpenApiSchema { Type = JsonSchemaType.Number, Description = "Top, in pixels." };
        properties["w"] = new OpenApiSchema { Type = JsonSchemaType.Number, ExclusiveMinimum = "0", Description = "Width, in pixels." };
        properties["h"] = new OpenApiSchema { Type = JsonSchemaType.Number, ExclusiveMinimum = "0", Description = "Height, in pixels." };
        return properties;
    }

    private static OpenApiSchema Object(string description, Dictionary<string, IOpenApiSchema> properties, params string[] required) => new()
    {
        Type = JsonSchemaType.Object,
        Description = description,
        Properties = properties,
        Required = new HashSet<string>(required),
        AdditionalPropertiesAllowed = false,
    };

    private static OpenApiSchema Array(OpenApiSchema items) => new() { Type = JsonSchemaType.Array, Items = items };

    private static OpenApiSchema Const(string value) => new() { Type = JsonSchemaType.String, Enum = [value] };

    private static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, MaxLength = 200, Description = description };

    private static OpenApiSchema Integer(string description) => new() { Type = JsonSchemaType.Integer, Minimum = "0", Description = description };

    private static OpenApiSchema Score() => new() { Type = JsonSchemaType.Number, Minimum = "0", Maximum = "1", Description = "The detector's score (absent for given regions)." };

    private static OpenApiSchema Source() => new() { Type = JsonSchemaType.String, Enum = ["detector", "given"] };

    private static OpenApiSchema Hidden() => new()
    {
        Type = JsonSchemaType.Boolean,
        Default = true,
        Description = "false: kept visible even where the detector finds a face over it (IoU >= 0.5).",
    };
}
