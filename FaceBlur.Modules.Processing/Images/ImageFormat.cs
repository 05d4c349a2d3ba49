using System.Text.Json.Serialization;

namespace FaceBlur.Modules.Processing.Images;

/// <summary>The still-image formats the service reads and writes. JSON: the lower-case names.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ImageFormat>))]
public enum ImageFormat
{
    [JsonStringEnumMemberName("jpeg")]
    Jpeg,

    [JsonStringEnumMemberName("png")]
    Png,

    [JsonStringEnumMemberName("webp")]
    WebP,

    [JsonStringEnumMemberName("bmp")]
    Bmp,

    [JsonStringEnumMemberName("tiff")]
    Tiff,
}

/// <summary>MIME types and file extensions of <see cref="ImageFormat"/>.</summary>
public static class ImageFormatExtensions
{
    /// <summary>The MIME type of the format, e.g. <c>image/jpeg</c>.</summary>
    public static string ContentType(this ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => "image/jpeg",
        ImageFormat.Png => "image/png",
        ImageFormat.WebP => "image/webp",
        ImageFormat.Bmp => "image/bmp",
        ImageFormat.Tiff => "image/tiff",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown image format."),
    };

    /// <summary>The canonical file extension of the format, with its leading dot (e.g. <c>.jpg</c>).</summary>
    public static string FileExtension(this ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => ".jpg",
        ImageFormat.Png => ".png",
        ImageFormat.WebP => ".webp",
        ImageFormat.Bmp => ".bmp",
        ImageFormat.Tiff => ".tiff",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown image format."),
    };

    /// <summary>
    /// The format named by a file extension (<c>jpg</c>, <c>.JPEG</c>, <c>tif</c>...), case-insensitive, with or without
    /// the leading dot; null when the extension is not one of ours.
    /// </summary>
    public static ImageFormat? FromExtension(string ext)
    {
        if (string.IsNullOrWhiteSpace(ext))
        {
            return null;
        }

        var name = ext.Trim();
        if (name.StartsWith('.'))
        {
            name = name[1..];
        }

        return name.ToUpperInvariant() switch
        {
            "JPG" or "JPEG" => ImageFormat.Jpeg,
            "PNG" => ImageFormat.Png,
            "WEBP" => ImageFormat.WebP,
            "BMP" => ImageFormat.Bmp,
            "TIF" or "TIFF" => ImageFormat.Tiff,
            _ => null,
        };
    }
}
