using System.Text.Json.Serialization;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>Shape of one pixel, width to height (1:1 unless the video is anamorphic, as DV and DVD are).</summary>
public readonly record struct PixelAspect(
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height)
{
    public static readonly PixelAspect Square = new(1, 1);

    /// <summary>The same pixel turned a quarter (its sides swapped).</summary>
    public PixelAspect Turned() => new(Height, Width);
}

/// <summary>What ffprobe says of a video file (JSON names fixed: it travels with the job).</summary>
/// <param name="DurationSeconds">The container's duration (else the video stream's), as declared.</param>
/// <param name="Width">Stored width of the video stream (before rotation).</param>
/// <param name="Height">Stored height of the video stream (before rotation).</param>
/// <param name="FrameRate">Average frame rate (frames per second).</param>
/// <param name="Rotation">Counter-clockwise degrees a player turns the picture: 0, 90, 180 or 270.</param>
/// <param name="FrameCount">The frame count the container declares, else the video packets counted; null when neither.</param>
/// <param name="VideoCodec">ffmpeg's name of the video codec.</param>
/// <param name="AudioCodecs">ffmpeg's names of the audio streams' codecs, in stream order.</param>
public sealed record VideoInfo(
    [property: JsonPropertyName("duration_seconds")] double DurationSeconds,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height,
    [property: JsonPropertyName("frame_rate")] double FrameRate,
    [property: JsonPropertyName("rotation")] int Rotation,
    [property: JsonPropertyName("frame_count")] long? FrameCount,
    [property: JsonPropertyName("video_codec")] string VideoCodec,
    [property: JsonPropertyName("audio_codecs")] IReadOnlyList<string> AudioCodecs)
{
    /// <summary>Index (in the file) of the video stream used.</summary>
    [JsonPropertyName("video_stream_index")]
    public int VideoStreamIndex { get; init; }

    /// <summary>Duration of the video stream (the container's when the stream declares none).</summary>
    [JsonPropertyName("video_duration_seconds")]
    public double VideoDurationSeconds { get; init; }

    /// <summary>Indexes (in the file) of the audio streams, in the order of <see cref="AudioCodecs"/>.</summary>
    [JsonPropertyName("audio_stream_indexes")]
    public IReadOnlyList<int> AudioStreamIndexes { get; init; } = [];

    /// <summary>Seconds between the file's start and the video stream's first frame (0 when not declared).</summary>
    [JsonPropertyName("video_start_offset")]
    public double VideoStartOffset { get; init; }

    /// <summary>Colour description of the video stream as ffmpeg names it (null when unspecified).</summary>
    [JsonPropertyName("color_space")]
    public string? ColorSpace { get; init; }

    [JsonPropertyName("color_primaries")]
    public string? ColorPrimaries { get; init; }

    [JsonPropertyName("color_transfer")]
    public string? ColorTransfer { get; init; }

    [JsonPropertyName("color_range")]
    public string? ColorRange { get; init; }

    /// <summary>Shape of one stored pixel.</summary>
    [JsonPropertyName("pixel_aspect")]
    public PixelAspect PixelAspect { get; init; } = PixelAspect.Square;

    /// <summary>Shape of one pixel of the upright picture (after rotation).</summary>
    [JsonIgnore]
    public PixelAspect DisplayPixelAspect => Rotation is 90 or 270 ? PixelAspect.Turned() : PixelAspect;

    [JsonIgnore]
    public bool HasAudio => AudioCodecs.Count > 0;

    /// <summary>Width of the upright picture (after rotation).</summary>
    [JsonIgnore]
    public int DisplayWidth => Rotation is 90 or 270 ? Height : Width;

    /// <summary>Height of the upright picture (after rotation).</summary>
    [JsonIgnore]
    public int DisplayHeight => Rotation is 90 or 270 ? Width : Height;

    /// <summary>The output's frame size: the upright picture with even sides (H.264 4:2:0 needs them).</summary>
    [JsonIgnore]
    public (int Width, int Height) OutputSize => (DisplayWidth & ~1, DisplayHeight & ~1);

    /// <summary>The frame count to expect: the declared one, else duration times rate.</summary>
    [JsonIgnore]
    public long ExpectedFrames => FrameCount ?? Math.Max(1, (long)Math.Round(DurationSeconds * FrameRate));
}

/// <summary>Limits a video must meet.</summary>
/// <param name="MaxSeconds">Duration.</param>
/// <param name="MaxWidth">Width of the long side.</param>
/// <param name="MaxHeight">Height of the short side.</param>
/// <param name="MaxFrameRate">
/// Frames per second, declared or implied by the declared frame count: a tiny file declaring billions of frames would
/// otherwise keep a worker decoding (or duplicating) frames until its time limit.
/// </param>
public sealed record VideoLimits(double MaxSeconds, int MaxWidth = 3840, int MaxHeight = 2160, double MaxFrameRate = 240);
