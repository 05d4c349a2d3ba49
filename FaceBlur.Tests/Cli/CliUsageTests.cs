using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Cli;

/// <summary>Bad usage of the command line: the problem and the usage on standard error, exit code 2, nothing written.</summary>
[Integration]
public class CliUsageTests
{
    private string dir = "";

    [OneTimeSetUp]
    public void CreateDirectory()
    {
        dir = Directory.CreateTempSubdirectory("faceblur-cli-usage-").FullName;
        File.Copy(TestPaths.DlibImage("2008_001009.jpg"), Path.Combine(dir, "a.jpg"));
    }

    [OneTimeTearDown]
    public void DeleteDirectory() => Directory.Delete(dir, recursive: true);

    [TestCase(new string[0], "Required argument missing")]
    [TestCase(new[] { "a.jpg", "--bogus" }, "Unrecognized option '--bogus'")]
    [TestCase(new[] { "a.jpg", "--mode", "smudge" }, "Argument 'smudge' not recognized")]
    [TestCase(new[] { "a.jpg", "--shape", "star" }, "Argument 'star' not recognized")]
    [TestCase(new[] { "a.jpg", "--padding", "1.5" }, "--padding must be a number from 0 to 1")]
    [TestCase(new[] { "a.jpg", "--padding", "wide" }, "Cannot parse argument 'wide'")]
    [TestCase(new[] { "a.jpg", "--strength", "0" }, "--strength must be a whole number from 1 to 100")]
    [TestCase(new[] { "a.jpg", "-j", "0" }, "--jobs must be a whole number from 1 to 256")]
    [TestCase(new[] { "missing.jpg" }, "No such file or folder: missing.jpg")]
    [TestCase(new[] { "a.jpg", "--no-detect" }, "--no-detect needs --regions-in")]
    [TestCase(new[] { "a.jpg", "--regions-in", "none.json" }, "--regions-in: no such file")]
    public async Task A_bad_option_prints_the_problem_and_the_usage_and_exits_with_2(string[] args, string problem)
    {
        var run = await CliProcess.RunAsync(dir, args);

        run.ExitCode.Should().Be(2, run.ToString());
        run.Error.Should().Contain(problem).And.Contain("Usage:").And.Contain("faceblur <PATH>... [options]");
        CliMedia.Files(dir).Should().Equal(["a.jpg"], "nothing is written");
    }

    [Test]
    public async Task A_setting_that_cannot_be_used_is_one_line_naming_it_and_exit_code_2()
    {
        var run = await CliProcess.RunAsync(dir, ["a.jpg"], new Dictionary<string, string?> { ["VIDEO_CRF"] = "99", ["DETECTOR_MODEL_PATH"] = Path.Combine(dir, "none.onnx") });

        run.ExitCode.Should().Be(2, run.ToString());
        run.Error.Should().Contain("faceblur: VIDEO_CRF must be between 0 and 51");
        run.Error.Should().NotContain("   at ", "no stack trace");
        CliMedia.Files(dir).Should().Equal(["a.jpg"]);

        var model = await CliProcess.RunAsync(dir, ["a.jpg"], new Dictionary<string, string?> { ["DETECTOR_MODEL_PATH"] = Path.Combine(dir, "none.onnx") });

        model.ExitCode.Should().Be(2, model.ToString());
        model.Error.Should().Contain("DETECTOR_MODEL_PATH").And.Contain("none.onnx").And.NotContain("   at ");
    }

    [Test]
    public async Task Help_is_exit_code_0()
    {
        var run = await CliProcess.RunAsync(dir, ["--help"]);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Output.Should().Contain("--regions-in").And.Contain("--mode <blur|pixelate|solid>").And.Contain("-j, --jobs <N>");
    }
}
