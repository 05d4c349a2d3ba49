using FaceBlur.Modules.Processing.Video;
using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Video;

/// <summary>The video settings are checked at start, each error naming its setting.</summary>
[Unit]
public class VideoOptionsTests
{
    [Test]
    public void Options_Validate_NamesTheSetting()
    {
        new VideoOptions().Validate().Should().BeEmpty();
        var bad = new VideoOptions { HoldSeconds = -1, LookAheadFrames = 500, EncoderPreset = "warp", Crf = 99, DetectionInterval = 0, MaxVideoSeconds = 0 };
        bad.Validate().Should().HaveCount(6).And.Contain(m => m.StartsWith("VIDEO_HOLD_SECONDS", StringComparison.Ordinal))
            .And.Contain(m => m.StartsWith("MAX_VIDEO_SECONDS", StringComparison.Ordinal))
            .And.Contain(m => m.StartsWith("VIDEO_ENCODER_PRESET", StringComparison.Ordinal));
    }

    [Test]
    public void Options_Validate_the_fine_scan_against_the_look_ahead()
    {
        new VideoOptions { FineDetectionMaxSide = 0 }.Validate().Should().BeEmpty("0 turns the fine scan off");
        new VideoOptions { FineDetectionMaxSide = 10 }.Validate().Should().ContainSingle().Which.Should().StartWith("VIDEO_FINE_DETECTION_MAX_SIDE");
        new VideoOptions { LookAheadFrames = 2 }.Validate().Should().ContainSingle()
            .Which.Should().StartWith("VIDEO_FINE_DETECTION_INTERVAL", "a face the fine scan finds must be hidden back to the scan before");
        new VideoOptions { LookAheadFrames = 2, FineDetectionInterval = 3 }.Validate().Should().BeEmpty();
    }
}
