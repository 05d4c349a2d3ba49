using System.Globalization;
using FaceBlur.Tests.Jobs;
using FaceBlur.Tests.Support;
using FaceBlur.Tests.Video;

namespace FaceBlur.Tests.Cli;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM sent to the command line alone while it encodes a video: it stops at once, kills its
/// ffmpeg processes, deletes the partial copy and reports what was not processed.
/// </summary>
[NonParallelizable]
[Integration]
public class CliInterruptTests
{
    private string dir = "";

    [OneTimeSetUp]
    public async Task MakeClip()
    {
        dir = Directory.CreateTempSubdirectory("faceblur-cli-interrupt-").FullName;
        await TestVideos.FfmpegAsync(
            "-f", "lavfi", "-i", "testsrc=size=1280x720:rate=25:duration=60", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            Path.Combine(dir, "long.mp4"));
    }

    [OneTimeTearDown]
    public void DeleteDirectory() => Directory.Delete(dir, recursive: true);

    [TestCase("INT", 130)]
    [TestCase("TERM", 143)]
    public async Task A_signal_during_a_video_leaves_no_partial_file_and_no_process(string signal, int exitCode)
    {
        var output = Path.Combine(dir, "out-" + signal);
        using var cli = CliProcess.Start(dir, ["long.mp4", "-o", output]);
        List<int> ffmpeg = [];
        await Wait.UntilAsync(
            () =>
            {
                ffmpeg = FfmpegChildrenOf(cli.Id);
                return ffmpeg.Count == 2 && Directory.Exists(output) && CliMedia.Files(output).Count == 1;
            },
            "the video is being decoded and encoded into a partial file",
            TimeSpan.FromSeconds(60));
        CliMedia.Files(output).Single().Should().StartWith(".long.mp4.").And.EndWith(".faceblur-partial");
        ffmpeg.Should().AllSatisfy(pid => VideoTestMedia.Stat(pid.ToString(CultureInfo.InvariantCulture)).Fields[16].Should().Be("0", "the command line has no requests to protect: it works at the user's priority"));

        await cli.SignalAsync(signal);
        var run = await cli.WaitAsync(TimeSpan.FromSeconds(20));

        run.ExitCode.Should().Be(exitCode, run.ToString());
        CliMedia.Files(output).Should().BeEmpty("no partial copy is left");
        await Wait.UntilAsync(() => ffmpeg.All(pid => !Running(pid)), "the ffmpeg processes are gone", TimeSpan.FromSeconds(2));
        run.Output.Should().Contain("stopped long.mp4: interrupted, no copy written").And.Contain("Interrupted: 0 photos and 0 videos anonymized").And.Contain("1 not processed");
    }

    /// <summary>The ffmpeg processes whose parent is <paramref name="pid"/>.</summary>
    private static List<int> FfmpegChildrenOf(int pid)
    {
        var children = new List<int>();
        foreach (var entry in Directory.GetDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.Integer, CultureInfo.InvariantCulture, out var child) && Running(child))
            {
                try
                {
                    var (name, fields) = VideoTestMedia.Stat(Path.GetFileName(entry));
                    if (name == "ffmpeg" && int.Parse(fields[1], CultureInfo.InvariantCulture) == pid)
                    {
                        children.Add(child);
                    }
                }
                catch (IOException)
                {
                    // Gone meanwhile.
                }
            }
        }

        return children;
    }

    /// <summary>True while the process exists and is not a zombie waiting to be reaped.</summary>
    private static bool Running(int pid)
    {
        try
        {
            return VideoTestMedia.Stat(pid.ToString(CultureInfo.InvariantCulture)).Fields[0] != "Z";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
