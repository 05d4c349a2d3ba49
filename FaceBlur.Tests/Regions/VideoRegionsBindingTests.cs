using FaceBlur.Modules.Processing.Regions;
using FaceBlur.Modules.Processing.Video;
using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Regions;

/// <summary>Video regions matched to frames by time, checked against the output frame's size.</summary>
[Unit]
public class VideoRegionsBindingTests
{
    /// <summary>A 2 s 25 fps video of 321x240 stored pixels turned a quarter: its output is 240x320 (even sides).</summary>
    private static readonly VideoSource Source = new(
        VideoContainer.IsoMedia,
        new VideoInfo(2, 321, 240, 25, 90, 50, "h264", []),
        FrameTimes.Even(25));

    private static VideoRegionsDocument Track(bool hidden, params (double T, float X, float Y, float W, float H)[] frames) =>
        new(null, null, null, [new VideoTrack("a", null, RegionSource.Given, hidden, [.. frames.Select(f => new TrackFrame(f.T, new RegionBox(f.X, f.Y, f.W, f.H)))])]);

    private static void ShouldFailAt(VideoRegionsDocument document, string path)
    {
        var bind = () => RegionsBinding.BindVideo(document, Source);
        bind.Should().Throw<RegionsValidationException>().Which.Path.Should().Be(path);
    }

    [Test]
    public void A_box_goes_to_the_nearest_frame_within_half_a_frame()
    {
        var plan = RegionsBinding.BindVideo(Track(true, (0.0, 1, 1, 10, 10), (0.058, 2, 2, 10, 10), (1.96, 3, 3, 10, 10)), Source);

        plan.HiddenOn(0).Should().ContainSingle().Which.Box.X.Should().Be(1);
        plan.HiddenOn(1).Should().ContainSingle().Which.Box.X.Should().Be(2, "0.058 s is within half a frame of 0.04 s");
        plan.HiddenOn(49).Should().ContainSingle().Which.Box.X.Should().Be(3);
        plan.HiddenOn(2).Should().BeEmpty("nothing is invented between given frames");
        plan.KeptOn(0).Should().BeEmpty();
    }

    [Test]
    public void A_kept_track_keeps_its_frames()
    {
        var plan = RegionsBinding.BindVideo(Track(false, (0.4, 1, 1, 10, 10)), Source);

        plan.KeptOn(10).Should().ContainSingle();
        plan.HiddenOn(10).Should().BeEmpty();
    }

    [Test]
    public void A_time_past_the_last_frame_is_refused() =>
        ShouldFailAt(Track(true, (0.5, 1, 1, 10, 10), (2.5, 1, 1, 10, 10)), "tracks[0].frames[1].t");

    [Test]
    public void A_box_reaching_past_the_edge_is_taken_and_one_wholly_outside_is_refused()
    {
        RegionsBinding.BindVideo(Track(true, (0.0, -20, 300, 60, 60)), Source).HiddenOn(0).Should().ContainSingle("a face cut by the frame's edge");
        ShouldFailAt(Track(true, (0.0, 240, 10, 20, 20)), "tracks[0].frames[0].x");
        ShouldFailAt(Track(true, (0.0, 10, -30, 20, 20)), "tracks[0].frames[0].y");
    }

    [Test]
    public void The_size_given_must_be_the_output_frames()
    {
        RegionsBinding.BindVideo(new VideoRegionsDocument(240, 320, 2, []), Source).Tracks.Should().BeEmpty();
        ShouldFailAt(new VideoRegionsDocument(321, null, null, []), "width");
    }
}
