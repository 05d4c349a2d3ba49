using System.Net;
using System.Text;
using FaceBlur.Tests.Images;
using FaceBlur.Tests.Support;
using OpenCvSharp;

namespace FaceBlur.Tests.Api;

/// <summary>Every refusal at upload answers its error code in the envelope and leaves nothing on disk.</summary>
public class UploadValidationTests
{
    private FaceBlurFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _factory = new FaceBlurFactory(new Dictionary<string, string?>
        {
            ["MAX_UPLOAD_MB"] = "0.5",
            ["MAX_UPLOAD_FILES"] = "3",
            ["MAX_IMAGE_MEGAPIXELS"] = "4",
            ["MAX_VIDEO_SECONDS"] = "2",
        });
        _client = _factory.CreateClient();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _client.Dispose();
        _factory.Dispose();
    }

    [TearDown]
    public void NothingLeftOnDisk() => _factory.JobFiles().Should().BeEmpty("a refused upload leaves nothing behind");

    private static byte[] SmallJpeg() => JpegMetadataBuilder.PlainJpeg(64, 48);

    private async Task<System.Text.Json.JsonElement> PostExpectingAsync(string path, HttpContent content, HttpStatusCode status, string code)
    {
        using var response = await _client.PostAsync(path, content);
        return await Http.ShouldBeErrorAsync(response, status, code);
    }

    [Unit]
    [Test]
    public Task A_body_that_is_not_multipart_is_unsupported() =>
        PostExpectingAsync("/blur", new StringContent("{}", Encoding.UTF8, "application/json"), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");

    [Unit]
    [Test]
    public async Task A_multipart_body_without_boundary_is_a_validation_error()
    {
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes("--x\r\n\r\n--x--\r\n"));
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data");
        await PostExpectingAsync("/blur", content, HttpStatusCode.BadRequest, "validation_error");
    }

    [Unit]
    [Test]
    public Task No_file_is_a_validation_error() =>
        PostExpectingAsync("/blur", Http.Form([], new Dictionary<string, string> { ["mode"] = "blur" }), HttpStatusCode.BadRequest, "validation_error");

    [Unit]
    [Test]
    public Task An_empty_file_is_a_validation_error() =>
        PostExpectingAsync("/blur", Http.Images(("empty.jpg", [])), HttpStatusCode.BadRequest, "validation_error");

    [Unit]
    [TestCase("mode", "sepia")]
    [TestCase("shape", "star")]
    [TestCase("padding", "1.5")]
    [TestCase("padding", "-0.1")]
    [TestCase("padding", "abc")]
    [TestCase("strength", "0")]
    [TestCase("strength", "101")]
    [TestCase("strength", "5.5")]
    [TestCase("colour", "red")]
    public async Task Unknown_or_malformed_options_are_a_validation_error(string field, string value)
    {
        var json = await PostExpectingAsync(
            "/blur",
            Http.Form([("files", "a.jpg", SmallJpeg())], new Dictionary<string, string> { [field] = value }),
            HttpStatusCode.BadRequest,
            "validation_error");
        json.GetProperty("details").GetProperty("field").GetString().Should().Be(field);
    }

    [Unit]
    [Test]
    public Task Text_renamed_jpg_is_unsupported() =>
        PostExpectingAsync("/blur", Http.Images(("photo.jpg", Encoding.UTF8.GetBytes("just some text, not a picture"))), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");

    [Unit]
    [Test]
    public Task A_gif_is_unsupported_whatever_its_name() =>
        PostExpectingAsync("/blur", Http.Images(("anim.png", Encoding.ASCII.GetBytes("GIF89a\u0001\0\u0001\0\0\0\0;"))), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");

    [Unit]
    [Test]
    public Task An_extension_that_is_not_allowed_is_unsupported() =>
        PostExpectingAsync("/blur", Http.Images(("photo.gif", SmallJpeg())), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");

    [Unit]
    [Test]
    public Task Content_that_contradicts_the_extension_is_a_validation_error() =>
        PostExpectingAsync("/blur", Http.Images(("photo.png", SmallJpeg())), HttpStatusCode.BadRequest, "validation_error");

    [Unit]
    [Test]
    public Task More_files_than_allowed_is_a_validation_error() =>
        PostExpectingAsync("/blur", Http.Images(Enumerable.Range(0, 4).Select(i => ($"{i}.jpg", SmallJpeg())).ToArray()), HttpStatusCode.BadRequest, "validation_error");

    [Unit]
    [Test]
    public async Task A_file_over_the_size_limit_is_payload_too_large()
    {
        using var noise = new Mat(1000, 1000, MatType.CV_8UC3);
        Cv2.Randu(noise, Scalar.All(0), Scalar.All(256));
        var big = noise.ImEncode(".png");
        big.Length.Should().BeGreaterThan(512 * 1024);
        await PostExpectingAsync("/blur", Http.Images(("big.png", big)), HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Unit]
    [Test]
    public Task An_image_over_the_megapixel_limit_is_media_too_large() =>
        PostExpectingAsync("/blur", Http.Images(("bomb.png", ImageHeaderReaderTests.HandMadePng(30000, 30000))), HttpStatusCode.BadRequest, "media_too_large");

    [Unit]
    [Test]
    public Task Files_in_another_field_are_a_validation_error() =>
        PostExpectingAsync("/blur", Http.Form([("file", "a.jpg", SmallJpeg())]), HttpStatusCode.BadRequest, "validation_error");

    [Unit]
    [Test]
    public async Task Thousands_of_tiny_parts_are_refused()
    {
        var form = new MultipartFormDataContent();
        for (var i = 0; i < 10_000; i++)
        {
            form.Add(new StringContent("x"), "mode");
        }

        await PostExpectingAsync("/blur", form, HttpStatusCode.BadRequest, "validation_error");
    }

    [Unit]
    [Test]
    public async Task A_playlist_renamed_mp4_is_unsupported()
    {
        var playlist = Encoding.ASCII.GetBytes("#EXTM3U\n#EXT-X-VERSION:3\n#EXTINF:1,\nfile:///etc/passwd\n#EXTINF:1,\nhttp://127.0.0.1:9/x.ts\n");
        await PostExpectingAsync("/blur/video", Http.Form([("file", "clip.mp4", playlist)]), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        var concat = Encoding.ASCII.GetBytes("ffconcat version 1.0\nfile /etc/passwd\n");
        await PostExpectingAsync("/blur/video", Http.Form([("file", "clip.mp4", concat)]), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Integration]
    [Test]
    public async Task A_video_over_the_length_limit_is_media_too_long()
    {
        var clip = await TestVideos.ColourBarsAsync(seconds: 3);
        await PostExpectingAsync("/blur/video", Http.Form([("file", "long.mp4", clip)]), HttpStatusCode.BadRequest, "media_too_long");
    }

    [Unit]
    [Test]
    public async Task A_video_with_a_photo_inside_is_refused()
    {
        await PostExpectingAsync("/blur/video", Http.Form([("file", "clip.mp4", SmallJpeg())]), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Unit]
    [Test]
    public async Task Client_file_names_never_become_paths()
    {
        var names = new[] { "../../../../tmp/evil.jpg", "/etc/passwd.jpg", "a\\..\\..\\b.jpg", new string('n', 300) + ".jpg", "фото 😀.jpg" };
        var taskId = await Http.SubmitAsync(_client, "/blur", Http.Images(names.Take(3).Select(n => (n, SmallJpeg())).ToArray()));
        var taskDir = Path.Combine(_factory.JobsDir, taskId);
        using var response = await Http.WaitForResultAsync(_client, taskId);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        File.Exists("/tmp/evil.jpg").Should().BeFalse();
        var second = await Http.SubmitAsync(_client, "/blur", Http.Images(names.Skip(3).Select(n => (n, SmallJpeg())).ToArray()));
        using var secondResponse = await Http.WaitForResultAsync(_client, second);
        secondResponse.StatusCode.Should().Be(HttpStatusCode.OK);
        await JobFlowTests.WaitUntilAsync(() => !Directory.Exists(taskDir) && _factory.JobFiles().Count == 0);
    }
}
