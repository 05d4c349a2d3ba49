using System.ComponentModel.DataAnnotations;
namespace FaceBlur.Web.Upload;

/// <summary>What uploads the server accepts (SPEC's settings; also answered by <c>GET /limits</c>).</summary>
public sealed class UploadOptions : IValidatableObject
{
    [ConfigurationKeyName("ALLOWED_EXTENSIONS")]
    public string AllowedExtensions { get; set; } = "jpg,jpeg,png,webp,bmp,tif,tiff";

    [ConfigurationKeyName("ALLOWED_VIDEO_EXTENSIONS")]
    public string AllowedVideoExtensions { get; set; } = "mp4,mov,webm,mkv,avi";

    /// <summary>Per image, in MB (MiB).</summary>
    [ConfigurationKeyName("MAX_UPLOAD_MB")]
    public double MaxUploadMb { get; set; } = 25;

    /// <summary>Images per request.</summary>
    [ConfigurationKeyName("MAX_UPLOAD_FILES")]
    public int MaxUploadFiles { get; set; } = 10;

    [ConfigurationKeyName("MAX_VIDEO_MB")]
    public double MaxVideoMb { get; set; } = 200;

    public IReadOnlyList<string> ImageExtensions => SplitList(AllowedExtensions);

    public IReadOnlyList<string> VideoExtensions => SplitList(AllowedVideoExtensions);

    public long MaxUploadBytes => (long)(MaxUploadMb * 1024 * 1024);

    public long MaxVideoBytes => (long)(MaxVideoMb * 1024 * 1024);

    /// <summary>The server's body limit for <c>POST /blur</c>: every file at its limit plus room for the form fields.</summary>
    public long MaxImagesRequestBytes => (MaxUploadBytes * MaxUploadFiles) + FormOverheadBytes;

    /// <summary>The server's body limit for <c>POST /blur/video</c>.</summary>
    public long MaxVideoRequestBytes => MaxVideoBytes + FormOverheadBytes;

    /// <summary>Room for part headers and the option fields, the regions JSON among them.</summary>
    public const long FormOverheadBytes = (1024 * 1024) + FaceBlur.Modules.Processing.Regions.RegionsReader.MaxJsonBytes;

    /// <summary>The rules of <see cref="Validate()"/>, for the options validation every module registers.</summary>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext) =>
        Validate().Select(problem => new ValidationResult(problem));

    public IEnumerable<string> Validate()
    {
        if (ImageExtensions.Count == 0 || ImageExtensions.Any(e => !e.All(char.IsAsciiLetterOrDigit)))
        {
            yield return "ALLOWED_EXTENSIONS must be a comma-separated list of file extensions such as jpg,png.";
        }

        if (VideoExtensions.Count == 0 || VideoExtensions.Any(e => !e.All(char.IsAsciiLetterOrDigit)))
        {
            yield return "ALLOWED_VIDEO_EXTENSIONS must be a comma-separated list of file extensions such as mp4,webm.";
        }

        if (!(MaxUploadMb > 0) || MaxUploadMb > 4096)
        {
            yield return "MAX_UPLOAD_MB must be a positive number of megabytes (at most 4096).";
        }

        if (MaxUploadFiles < 1 || MaxUploadFiles > 1000)
        {
            yield return "MAX_UPLOAD_FILES must be between 1 and 1000.";
        }

        if (!(MaxVideoMb > 0) || MaxVideoMb > 65536)
        {
            yield return "MAX_VIDEO_MB must be a positive number of megabytes (at most 65536).";
        }
    }

    private static string[] SplitList(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(e => e.TrimStart('.').ToLowerInvariant())
            .Distinct()
            .ToArray();
}
