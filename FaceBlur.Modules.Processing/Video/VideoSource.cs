using System.Text.Json.Serialization;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>
/// What inspecting an uploaded video learned (<see cref="VideoInspector.InspectAsync"/>): its container, what ffprobe
/// said of it and when each frame is shown. Serializable with System.Text.Json (names fixed here) so that it travels
/// with the job: the worker anonymizes from it without probing the file again.
/// </summary>
public sealed record VideoSource(
    [property: JsonPropertyName("container")] VideoContainer Container,
    [property: JsonPropertyName("info")] VideoInfo Info,
    [property: JsonPropertyName("frame_times")] FrameTimes Times)
{
    /// <summary>The ffmpeg demuxer forced when reading the file.</summary>
    [JsonIgnore]
    public string Demuxer => VideoSniffer.DemuxerName(Container);
}
