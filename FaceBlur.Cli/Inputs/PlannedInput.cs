using FaceBlur.Modules.Processing.Images;

namespace FaceBlur.Cli.Inputs;

/// <summary>What a file is, from its content (never its name).</summary>
internal enum MediaKind
{
    Photo,
    Video,

    /// <summary>Neither a photo nor a video this tool reads.</summary>
    NotMedia,

    /// <summary>The file could not be read at all (permissions, a file that vanished).</summary>
    Unreadable,
}

/// <summary>One file found on the command line or in a folder named there.</summary>
/// <param name="FullPath">The absolute path.</param>
/// <param name="DisplayPath">The path as the user named it (a folder argument joined with the path inside it): shown in the
/// report and used as the key of the regions files.</param>
/// <param name="MirrorPath">Where it goes under <c>-o</c>: the path inside its folder argument, or the file name alone.</param>
/// <param name="Named">Named on the command line itself (not found in a folder).</param>
internal sealed record FoundFile(string FullPath, string DisplayPath, string MirrorPath, bool Named);

/// <summary>A found file with what it is and where its anonymized copy goes.</summary>
internal sealed record PlannedInput(FoundFile File, MediaKind Kind)
{
    public string DisplayPath => File.DisplayPath;

    public string FullPath => File.FullPath;

    /// <summary>The photo's format, sniffed from its first bytes.</summary>
    public ImageFormat? PhotoFormat { get; init; }

    /// <summary>Why the file cannot be used (for <see cref="MediaKind.NotMedia"/> and <see cref="MediaKind.Unreadable"/>).</summary>
    public string? Problem { get; init; }

    /// <summary>Size in bytes (larger inputs are started first, so that a run ends sooner).</summary>
    public long Length { get; init; }

    /// <summary>The anonymized copy's path (null for a file that is not processed).</summary>
    public string? OutputPath { get; init; }

    public bool IsMedia => Kind is MediaKind.Photo or MediaKind.Video;

    /// <summary>
    /// A file that cannot be used counts as a failure when it was named on the command line or its name promises media
    /// (<c>broken.jpg</c>); anything else found in a folder (<c>notes.txt</c>) is skipped and reported, not failed.
    /// </summary>
    public bool IsSkippable => Kind == MediaKind.NotMedia && !File.Named && !MediaSniffing.HasMediaExtension(File.FullPath);
}
