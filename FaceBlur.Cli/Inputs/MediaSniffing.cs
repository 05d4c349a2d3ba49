using FaceBlur.Modules.Processing.Images;
using FaceBlur.Modules.Processing.Video;

namespace FaceBlur.Cli.Inputs;

/// <summary>Tells photos from videos from anything else by the first bytes, as the service's upload does.</summary>
internal static class MediaSniffing
{
    /// <summary>Enough for every signature the image and video sniffers look at.</summary>
    private const int HeaderLength = VideoSniffer.HeaderLength;

    public static async Task<PlannedInput> ClassifyAsync(FoundFile file, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderLength];
        int read;
        long length;
        try
        {
            var stream = new FileStream(file.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                length = stream.Length;
                read = await stream.ReadAtLeastAsync(header, HeaderLength, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new PlannedInput(file, MediaKind.Unreadable) { Problem = "the file could not be read: " + e.Message };
        }

        var head = header.AsSpan(0, read);
        if (ImageSniffer.Sniff(head) is { } format)
        {
            return new PlannedInput(file, MediaKind.Photo) { PhotoFormat = format, Length = length };
        }

        return VideoSniffer.Sniff(head) is not null
            ? new PlannedInput(file, MediaKind.Video) { Length = length }
            : new PlannedInput(file, MediaKind.NotMedia)
            {
                Length = length,
                Problem = "not a photo or video this tool reads (JPEG, PNG, WebP, BMP, TIFF; MP4/MOV, WebM/MKV, AVI)",
            };
    }

    /// <summary>True when the file's name promises a photo or video (<c>.jpg</c>, <c>.mov</c>...): its content then has to be one.</summary>
    public static bool HasMediaExtension(string path)
    {
        var extension = Path.GetExtension(path).TrimStart('.').ToLowerInvariant();
        return ImageFormatExtensions.FromExtension(extension) is not null
            || Enum.GetValues<VideoContainer>().Any(container => VideoSniffer.ExtensionMatches(container, extension));
    }
}
