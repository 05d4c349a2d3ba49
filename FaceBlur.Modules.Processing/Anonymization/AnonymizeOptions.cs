using System.Text.Json.Serialization;

namespace FaceBlur.Modules.Processing.Anonymization;

/// <summary>How a face region is hidden. The lower-case names are the API's `mode` values.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AnonymizationMode>))]
public enum AnonymizationMode
{
    [JsonStringEnumMemberName("blur")]
    Blur,

    [JsonStringEnumMemberName("pixelate")]
    Pixelate,

    [JsonStringEnumMemberName("solid")]
    Solid,
}

/// <summary>The mask drawn inside the padded face box. The lower-case names are the API's `shape` values.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MaskShape>))]
public enum MaskShape
{
    [JsonStringEnumMemberName("ellipse")]
    Ellipse,

    [JsonStringEnumMemberName("rect")]
    Rect,
}

/// <summary>The user's choices for hiding faces; the defaults are the service's defaults.</summary>
public sealed record AnonymizeOptions
{
    /// <summary>Share of the face box added on each side by default (SPEC: `padding`, default 0.2).</summary>
    public const float DefaultPadding = 0.2f;

    /// <summary>Default `strength` (1..100: larger hides more, i.e. coarser blur and bigger pixels).</summary>
    public const int DefaultStrength = 50;

    public const int MinStrength = 1;

    public const int MaxStrength = 100;

    [JsonPropertyName("mode")]
    public AnonymizationMode Mode { get; init; } = AnonymizationMode.Blur;

    [JsonPropertyName("shape")]
    public MaskShape Shape { get; init; } = MaskShape.Ellipse;

    /// <summary>0..1, share of the face box added on each side.</summary>
    [JsonPropertyName("padding")]
    public float Padding { get; init; } = DefaultPadding;

    /// <summary>1..100, see <see cref="DefaultStrength"/>.</summary>
    [JsonPropertyName("strength")]
    public int Strength { get; init; } = DefaultStrength;

    public static AnonymizeOptions Default { get; } = new();
}
