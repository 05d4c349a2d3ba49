namespace FaceBlur.Modules.Processing.Media;

/// <summary>Why a piece of media was refused. The names map one to one onto the SPEC's error codes.</summary>
public enum MediaErrorKind
{
    /// <summary>The bytes are not a format we read (`unsupported_media_type`).</summary>
    UnsupportedMediaType,

    /// <summary>Declared pixels or resolution over the configured limits (`media_too_large`).</summary>
    MediaTooLarge,

    /// <summary>A video longer than allowed (`media_too_long`).</summary>
    MediaTooLong,

    /// <summary>A picture smaller than the minimum (a 1x1 video): `validation_error`.</summary>
    MediaTooSmall,

    /// <summary>The format is recognised but the content cannot be decoded (truncated, corrupt).</summary>
    CorruptMedia,

    /// <summary>The file's name says one format and its content is another (`validation_error`).</summary>
    NameMismatch,
}

/// <summary>A typed refusal: what went wrong, in words a user can read (no paths, no stack traces).</summary>
public sealed record MediaError(MediaErrorKind Kind, string Message)
{
    /// <summary>The SPEC's error code for this refusal.</summary>
    public string Code => Kind switch
    {
        MediaErrorKind.UnsupportedMediaType => "unsupported_media_type",
        MediaErrorKind.MediaTooLarge => "media_too_large",
        MediaErrorKind.MediaTooLong => "media_too_long",
        MediaErrorKind.MediaTooSmall => "validation_error",
        MediaErrorKind.CorruptMedia => "corrupt_media",
        _ => "validation_error",
    };
}

/// <summary>Either a value or a <see cref="MediaError"/>; processing never lets a decoding exception escape.</summary>
public readonly struct MediaResult<T>
{
    private MediaResult(T? value, MediaError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public MediaError? Error { get; }

    public bool IsSuccess => Error is null;

    public static MediaResult<T> Ok(T value) => new(value, null);

    public static MediaResult<T> Fail(MediaError error) => new(default, error);

    public static MediaResult<T> Fail(MediaErrorKind kind, string message) => new(default, new MediaError(kind, message));

    public static implicit operator MediaResult<T>(MediaError error) => Fail(error);
}
