using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Tests.Support;
using FaceBlur.Tests.Video;
using OpenCvSharp;

namespace FaceBlur.Tests.Cli;

/// <summary>
/// The command line as a user runs it, on folders: the real process (<c>dotnet faceblur.dll</c>) on eval photos and a
/// clip made with ffmpeg, its output files, report and exit code.
/// </summary>
[Integration]
public class CliFolderTests
{
    private string dir = "";

    [SetUp]
    public void CreateDirectory() => dir = Directory.CreateTempSubdirectory("faceblur-cli-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(dir, recursive: true);

    [Test]
    public async Task A_tree_of_photos_and_a_video_is_mirrored_under_the_output_folder_with_faces_hidden_and_metadata_gone()
    {
        var input = Path.Combine(dir, "archive");
        CliMedia.JpegWithMetadata("2007_007763.jpg", Path.Combine(input, "party.jpg"));
        CliMedia.Png("2008_001009.jpg", Path.Combine(input, "trip", "beach.png"));
        var truth = CliMedia.MovingFaceClip(Path.Combine(input, "trip", "day 1", "street.mov"), seconds: 2);
        var before = CliMedia.Hashes(input);

        var run = await CliProcess.RunAsync(dir, ["archive", "-r", "-o", "blurred", "-j", "2"]);

        run.ExitCode.Should().Be(0, run.ToString());
        CliMedia.Files(Path.Combine(dir, "blurred")).Should().Equal(["party.jpg", "trip/beach.png", "trip/day 1/street.mp4"], "the tree is mirrored, a video becomes an MP4, and no temporary file is left");
        CliMedia.Hashes(input).Should().Equal(before, "the inputs are never changed");
        run.Output.Should().Contain("2 photos and 1 video anonymized").And.Contain("archive/trip/day 1/street.mov -> blurred/trip/day 1/street.mp4");

        PhotoFacesHidden(Path.Combine(input, "party.jpg"), Path.Combine(dir, "blurred", "party.jpg"), CliMedia.Faces("2007_007763.jpg"));
        PhotoFacesHidden(Path.Combine(input, "trip", "beach.png"), Path.Combine(dir, "blurred", "trip", "beach.png"), CliMedia.Faces("2008_001009.jpg"));
        var jpeg = System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(Path.Combine(dir, "blurred", "party.jpg")));
        JpegMetadataBuilder.AllMarkers.Should().AllSatisfy(marker => jpeg.Should().NotContain(marker));
        jpeg.Should().NotContain("Exif\0\0", "no EXIF segment is written");

        var video = Path.Combine(dir, "blurred", "trip", "day 1", "street.mp4");
        var probe = TestVideos.Run("ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", video);
        probe.Should().NotContain(CliMedia.MetadataMarker).And.NotContain("+48.8584", "the container's metadata is not copied");
        Probe.Str(new Probe(System.Text.Json.JsonDocument.Parse(probe).RootElement).Video, "codec_name").Should().Be("h264");
        VideoFacesHidden(Path.Combine(input, "trip", "day 1", "street.mov"), video, truth);
    }

    [Test]
    public async Task Without_an_output_folder_each_copy_is_written_beside_its_input_and_an_input_is_never_written_over()
    {
        CliMedia.JpegWithMetadata("2008_001322.jpg", Path.Combine(dir, "photos", "a.jpeg"));
        File.Copy(TestPaths.DlibImage("2008_002079.jpg"), Path.Combine(dir, "photos", "b.JPG"));
        var before = CliMedia.Hashes(dir);

        var run = await CliProcess.RunAsync(dir, ["photos"]);

        run.ExitCode.Should().Be(0, run.ToString());
        CliMedia.Files(dir).Should().Equal(["photos/a-blurred.jpeg", "photos/a.jpeg", "photos/b-blurred.JPG", "photos/b.JPG"]);

        // Copies mirrored onto the inputs themselves, directly or through a link: refused before anything is written.
        Directory.CreateSymbolicLink(Path.Combine(dir, "same"), Path.Combine(dir, "photos"));
        foreach (var args in new[] { new[] { "photos", "-o", "photos" }, ["photos", "-o", "same"], ["photos/a.jpeg", "-o", "photos"] })
        {
            var refused = await CliProcess.RunAsync(dir, args);

            refused.ExitCode.Should().Be(2, refused.ToString());
            refused.Error.Should().Contain("would be written over the input photos/a.jpeg");
        }

        CliMedia.Hashes(Path.Combine(dir, "photos")).Should().HaveCount(4);
        CliMedia.Hashes(dir).Where(f => before.ContainsKey(f.Key)).Should().Equal(before, "no input was changed");
    }

    [Test]
    public async Task Unsupported_and_corrupt_files_are_reported_the_others_processed_and_the_exit_code_is_1()
    {
        var input = Path.Combine(dir, "in");
        Directory.CreateDirectory(Path.Combine(input, "sub"));
        File.Copy(TestPaths.DlibImage("2008_002470.jpg"), Path.Combine(input, "good.jpg"));
        File.WriteAllText(Path.Combine(input, "notes.txt"), "not a photo");
        var photo = File.ReadAllBytes(TestPaths.DlibImage("2008_002506.jpg"));
        File.WriteAllBytes(Path.Combine(input, "sub", "broken.jpg"), photo[..(photo.Length / 3)]);
        File.WriteAllText(Path.Combine(input, "sub", "fake.mp4"), "#EXTM3U\n#EXTINF:1,\nhttp://127.0.0.1/x.ts\n");
        File.WriteAllBytes(Path.Combine(input, "sub", "cut.mp4"), (await TestVideos.ColourBarsAsync(2))[..2000]);

        var run = await CliProcess.RunAsync(dir, ["in", "-r", "-o", "out"]);

        run.ExitCode.Should().Be(1, run.ToString());
        CliMedia.Files(Path.Combine(dir, "out")).Should().Equal(["good.jpg"], "the good photo is processed and nothing is written for the others");
        var lines = run.Output.Split('\n', StringSplitOptions.TrimEntries);
        lines.Should().Contain(l => l.StartsWith("skipped in/notes.txt: not a photo or video", StringComparison.Ordinal), "a file that is not media, in a folder, is skipped");
        lines.Should().Contain(l => l.StartsWith("failed", StringComparison.Ordinal) && l.Contains("in/sub/broken.jpg: The JPEG image is truncated", StringComparison.Ordinal));
        lines.Should().Contain(l => l.StartsWith("failed", StringComparison.Ordinal) && l.Contains("in/sub/fake.mp4: not a photo or video", StringComparison.Ordinal), "a file named as media must be media");
        lines.Should().Contain(l => l.StartsWith("failed", StringComparison.Ordinal) && l.Contains("in/sub/cut.mp4: The video could not be read", StringComparison.Ordinal));
        lines.Should().Contain(l => l.StartsWith("done", StringComparison.Ordinal) && l.Contains("in/good.jpg -> out/good.jpg", StringComparison.Ordinal));
        run.Output.Should().Contain("1 photo and 0 videos anonymized").And.Contain("3 failed").And.Contain("1 skipped");

        var named = await CliProcess.RunAsync(dir, ["in/notes.txt"]);

        named.ExitCode.Should().Be(1, "a file named on the command line that is not media is a failure: " + named);
        named.Output.Should().Contain("failed").And.Contain("in/notes.txt: not a photo or video");
    }

    [Test]
    public async Task The_options_and_settings_are_those_of_the_api()
    {
        CliMedia.Png("2008_004176.jpg", Path.Combine(dir, "a.png"));

        var run = await CliProcess.RunAsync(dir, ["a.png", "-o", "out", "--mode", "solid", "--shape", "rect", "--padding", "0", "--strength", "10", "--regions-out", "r.json"]);

        run.ExitCode.Should().Be(0, run.ToString());
        using var output = Cv2.ImRead(Path.Combine(dir, "out", "a.png"));
        var regions = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "r.json"))).RootElement
            .GetProperty("inputs").GetProperty("a.png").GetProperty("files")[0].GetProperty("regions").EnumerateArray().ToList();
        regions.Should().NotBeEmpty();
        foreach (var region in regions)
        {
            var box = new FaceBox(region.GetProperty("x").GetSingle(), region.GetProperty("y").GetSingle(), region.GetProperty("w").GetSingle(), region.GetProperty("h").GetSingle(), 1);
            var inner = new FaceBox(box.X + 1, box.Y + 1, box.Width - 2, box.Height - 2, 1).ToRect(output.Width, output.Height);
            using var face = new Mat(output, inner);
            Cv2.MeanStdDev(face, out _, out var spread);
            spread.Val0.Should().BeLessThan(1, "solid mode fills the whole rectangle (no padding) with one colour");
        }

        // MAX_IMAGE_MEGAPIXELS from the environment, as the service reads it.
        var limited = await CliProcess.RunAsync(dir, ["a.png", "-o", "limited"], new Dictionary<string, string?> { ["MAX_IMAGE_MEGAPIXELS"] = "0.1" });

        limited.ExitCode.Should().Be(1, limited.ToString());
        limited.Output.Should().Contain("a.png: The image is").And.Contain("the limit is 0.1 MP");
    }

    private static void PhotoFacesHidden(string inputPath, string outputPath, IReadOnlyList<FaceBox> faces)
    {
        using var before = Cv2.ImRead(inputPath);
        using var after = Cv2.ImRead(outputPath);
        after.Size().Should().Be(before.Size());
        foreach (var face in faces)
        {
            CliMedia.Difference(before, after, face).Should().BeGreaterThan(8, $"the face at {face.X},{face.Y} of {Path.GetFileName(outputPath)} is blurred");
        }
    }

    /// <summary>The faces of every fifth frame are blurred: their pixels differ from the input's.</summary>
    private static void VideoFacesHidden(string inputPath, string outputPath, IReadOnlyList<IReadOnlyList<FaceBox>> truth)
    {
        var before = VideoTestMedia.DecodeFrames(inputPath, 480, 360);
        var after = VideoTestMedia.DecodeFrames(outputPath, 480, 360);
        try
        {
            after.Should().HaveCount(truth.Count);
            for (var f = 0; f < truth.Count; f += 5)
            {
                foreach (var face in truth[f].Where(b => Math.Min(b.Width, b.Height) >= 24 && b.X >= 0 && b.Y >= 0 && b.Right <= 480 && b.Bottom <= 360))
                {
                    CliMedia.Difference(before[f], after[f], face).Should().BeGreaterThan(8, $"frame {f}");
                }
            }
        }
        finally
        {
            before.ForEach(m => m.Dispose());
            after.ForEach(m => m.Dispose());
        }
    }
}
