using System.Globalization;
using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Regions;
using FaceBlur.Web.Api;

namespace FaceBlur.Web.Upload;

/// <summary>
/// The optional form fields of both POSTs: how to hide (<c>mode</c>, <c>shape</c>, <c>padding</c>, <c>strength</c>) and
/// what (<c>detect</c>, <c>regions</c>).
/// </summary>
public static class OptionFields
{
    public const string Regions = "regions";

    public const string Detect = "detect";

    public static readonly string[] Names = ["mode", "shape", "padding", "strength", Detect, Regions];

    /// <summary>The most bytes a field may hold: the regions JSON is large, the others are a word or a number.</summary>
    public static int MaxBytes(string name) => name == Regions ? RegionsReader.MaxJsonBytes : 1024;

    /// <summary><c>detect</c>: true (the default) runs the detector, false hides only the given regions.</summary>
    public static bool ParseDetect(IReadOnlyDictionary<string, string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (!fields.TryGetValue(Detect, out var detect))
        {
            return true;
        }

        return detect.Trim().ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw Invalid(Detect, detect, "detect must be true or false.", ["true", "false"]),
        };
    }

    public static readonly string[] Modes = ["blur", "pixelate", "solid"];

    public static readonly string[] Shapes = ["ellipse", "rect"];

    /// <summary>The options from the submitted fields; an unknown or malformed value is a <c>validation_error</c>.</summary>
    public static AnonymizeOptions Parse(IReadOnlyDictionary<string, string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var options = new AnonymizeOptions();
        if (fields.TryGetValue("mode", out var mode))
        {
            options = options with
            {
                Mode = mode.Trim().ToLowerInvariant() switch
                {
                    "blur" => AnonymizationMode.Blur,
                    "pixelate" => AnonymizationMode.Pixelate,
                    "solid" => AnonymizationMode.Solid,
                    _ => throw Invalid("mode", mode, $"mode must be one of {string.Join(", ", Modes)}.", Modes),
                },
            };
        }

        if (fields.TryGetValue("shape", out var shape))
        {
            options = options with
            {
                Shape = shape.Trim().ToLowerInvariant() switch
                {
                    "ellipse" => MaskShape.Ellipse,
                    "rect" => MaskShape.Rect,
                    _ => throw Invalid("shape", shape, $"shape must be one of {string.Join(", ", Shapes)}.", Shapes),
                },
            };
        }

        if (fields.TryGetValue("padding", out var padding))
        {
            if (!float.TryParse(padding.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                || !float.IsFinite(value) || value < 0 || value > 1)
            {
                throw Invalid("padding", padding, "padding must be a number from 0 to 1.");
            }

            options = options with { Padding = value };
        }

        if (fields.TryGetValue("strength", out var strength))
        {
            if (!int.TryParse(strength.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
                || value < AnonymizeOptions.MinStrength || value > AnonymizeOptions.MaxStrength)
            {
                throw Invalid(
                    "strength",
                    strength,
                    $"strength must be a whole number from {AnonymizeOptions.MinStrength} to {AnonymizeOptions.MaxStrength}.");
            }

            options = options with { Strength = value };
        }

        return options;
    }

    private static ApiException Invalid(string field, string value, string message, string[]? allowed = null)
    {
        var details = new Dictionary<string, object?> { ["field"] = field, ["value"] = value.Length > 64 ? value[..64] : value };
        if (allowed is not null)
        {
            details["allowed"] = allowed;
        }

        return new ApiException(ApiErrors.ValidationError, message, details);
    }
}
