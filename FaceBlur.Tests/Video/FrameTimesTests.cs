using System.Globalization;
using System.Text.Json;
using FaceBlur.Modules.Processing.Video;
using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Video;

/// <summary>Frame times read from ffprobe's packet listing (its JSON), and the Matroska stream that carries them to the encoder.</summary>
[Integration]
public class FrameTimesTests
{
    [Test]
    public void Packets_in_decoding_order_become_display_times_without_the_discarded_ones()
    {
        // A 1/90000 clock, B-frames (decoding order 0, 3, 1, 2), one packet before an edit list's start (discarded),
        // and the audio stream's packets in between (not frames of the video).
        const string Listing = """
            {"packets":[
              {"stream_index":0,"pts":-3000,"duration":3000,"flags":"KD"},
              {"stream_index":1,"pts":0,"duration":1024,"flags":"K_"},
              {"stream_index":0,"pts":0,"duration":3000,"flags":"K_"},
              {"stream_index":0,"pts":9000,"duration":6000,"flags":"__"},
              {"stream_index":1,"pts":1024,"duration":1024,"flags":"K_"},
              {"stream_index":0,"pts":3000,"duration":3000,"flags":"__"},
              {"stream_index":0,"pts":6000,"duration":3000,"flags":"__"}],
             "streams":[{"index":0,"time_base":"1/90000"},{"index":1,"time_base":"1/48000"}]}
            """;

        var times = Read(Listing, 30);

        times.Count.Should().Be(4);
        times.Discarded.Should().Be(1);
        Enumerable.Range(0, 4).Select(i => times.MicrosecondsOf(i)).Should().Equal(0, 33_333, 66_667, 100_000);
        times.TimeScale.Should().Be(90000);
        times.LastFrameMicroseconds.Should().BeApproximately(66_666.7, 0.1, "the duration of the packet shown last");
        times.MicrosecondsOf(5).Should().Be(166_667, "frames past the listed ones continue at the mean spacing");
    }

    [Test]
    public void Packets_sharing_a_time_still_get_increasing_times()
    {
        const string Listing = """
            {"packets":[{"stream_index":0,"pts":0,"duration":1,"flags":"K_"},{"stream_index":0,"pts":1,"duration":1,"flags":"__"},
              {"stream_index":0,"pts":1,"duration":1,"flags":"__"}],"streams":[{"index":0,"time_base":"1/25"}]}
            """;

        var times = Read(Listing, 25);

        Enumerable.Range(0, 3).Select(i => times.MicrosecondsOf(i)).Should().Equal(0, 40_000, 40_001);
    }

    [TestCase("{}")]
    [TestCase("""{"packets":[{"stream_index":0,"pts":0,"duration":1,"flags":"K_"}],"streams":[{"index":0,"time_base":"1/25"}]}""")]
    [TestCase("""{"packets":[{"stream_index":0,"pts":0,"flags":"K_"},{"stream_index":0,"flags":"__"}],"streams":[{"index":0,"time_base":"1/25"}]}""")]
    [TestCase("""{"packets":[{"stream_index":0,"pts":0,"flags":"K_"},{"stream_index":0,"pts":1,"flags":"__"}],"streams":[{"index":0,"time_base":"0/0"}]}""")]
    [TestCase("""{"packets":[{"stream_index":1,"pts":0,"flags":"K_"},{"stream_index":1,"pts":1,"flags":"__"}],"streams":[{"index":0,"time_base":"1/25"}]}""")]
    public void Without_two_readable_times_frames_are_spaced_evenly(string listing)
    {
        var times = Read(listing, 25);

        times.Count.Should().Be(0);
        times.TimeScale.Should().Be(0);
        Enumerable.Range(0, 3).Select(i => times.MicrosecondsOf(i)).Should().Equal(0, 40_000, 80_000);
        times.LastFrameMicroseconds.Should().Be(40_000);
    }

    [Test]
    public async Task The_matroska_stream_is_read_by_ffmpeg_with_its_frames_sizes_and_times()
    {
        var path = Path.Combine(Path.GetTempPath(), $"faceblur-mkv-{Guid.NewGuid():N}.mkv");
        try
        {
            const int Width = 64, Height = 48;
            var frame = new byte[Width * Height * 3 / 2];
            await using (var file = File.Create(path))
            {
                var writer = new RawVideoMatroska(file, Width, Height, PixelAspect.Square);
                await writer.WriteHeaderAsync(50_000, CancellationToken.None);
                foreach (var (shade, microseconds) in new[] { (16, 0L), (128, 40_000L), (235, 123_457L) })
                {
                    Array.Fill(frame, (byte)shade, 0, Width * Height);
                    Array.Fill(frame, (byte)128, Width * Height, frame.Length - (Width * Height));
                    await writer.WriteFrameAsync(frame, microseconds, CancellationToken.None);
                }
            }

            var probe = VideoTestMedia.ProbeFile(path, countFrames: true);
            Probe.Str(probe.Video, "codec_name").Should().Be("rawvideo");
            Probe.Str(probe.Video, "pix_fmt").Should().Be("yuv420p");
            Probe.Num(probe.Video, "width").Should().Be(Width);
            Probe.Num(probe.Video, "height").Should().Be(Height);
            probe.Frames.Should().Be(3);
            VideoTestMedia.FrameTimes(path).Should().Equal([0, 0.04, 0.123457], (a, b) => Math.Abs(a - b) < 1e-6);

            // The pictures come through unchanged: the mean luma of each decoded frame.
            var means = TestVideos.Run("ffprobe", "-v", "error", "-f", "lavfi", "-i", $"movie={path},signalstats", "-show_entries", "frame_tags=lavfi.signalstats.YAVG", "-of", "csv=p=0")
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(v => double.Parse(v, CultureInfo.InvariantCulture));
            means.Should().Equal([16, 128, 235], (a, b) => Math.Abs(a - b) < 0.01);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static FrameTimes Read(string probeJson, double framesPerSecond)
    {
        using var doc = JsonDocument.Parse(probeJson);
        return FrameTimes.Read(doc.RootElement, 0, framesPerSecond);
    }
}
