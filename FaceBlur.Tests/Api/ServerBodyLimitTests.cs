using System.Net;
using FaceBlur.Tests.Support;
using FaceBlur.Web.Upload;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FaceBlur.Tests.Api;

/// <summary>The server's own per-endpoint body limit, on a real Kestrel server (the in-memory test server has none).</summary>
[Integration]
public class ServerBodyLimitTests
{
    [TestCase("/blur")]
    [TestCase("/blur/video")]
    public async Task A_body_over_the_endpoint_limit_is_413_in_the_envelope_naming_the_limit_and_leaves_nothing(string path)
    {
        // POST /blur accepts MAX_UPLOAD_FILES x MAX_UPLOAD_MB plus room for the form (1 MiB, and 5 MiB for the regions
        // field): here 1 x 0.1 MB + 6 MiB; POST /blur/video MAX_VIDEO_MB plus the same room: here 0.2 MB + 6 MiB.
        using var factory = new FaceBlurFactory(new Dictionary<string, string?>
        {
            ["MAX_UPLOAD_MB"] = "0.1",
            ["MAX_UPLOAD_FILES"] = "1",
            ["MAX_VIDEO_MB"] = "0.2",
        });
        var address = factory.StartKestrel();
        var options = factory.Services.GetRequiredService<IOptions<UploadOptions>>().Value;
        var limit = path == "/blur" ? options.MaxImagesRequestBytes : options.MaxVideoRequestBytes;

        var form = Http.Form([(path == "/blur" ? "files" : "file", "big.mp4", new byte[limit + (1024 * 1024)])]);
        using var response = await RawHttp.PostAsync(address, path, form, chunked: false);

        var error = await Http.ShouldBeErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        error.GetProperty("details").GetProperty("max_request_bytes").GetInt64().Should().Be(limit);
        error.GetProperty("message").GetString().Should().Contain($"{limit / (1024 * 1024.0):0.#} MB");
        await JobFlowTests.WaitUntilAsync(() => factory.JobFiles().Count == 0);
    }

    [Test]
    public async Task A_chunked_body_cannot_bypass_the_limit()
    {
        using var factory = new FaceBlurFactory(new Dictionary<string, string?> { ["MAX_UPLOAD_MB"] = "0.1", ["MAX_UPLOAD_FILES"] = "1" });
        var address = factory.StartKestrel();

        var form = Http.Images(("big.jpg", new byte[3 * 1024 * 1024]));
        using var response = await RawHttp.PostAsync(address, "/blur", form, chunked: true);

        await Http.ShouldBeErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        await JobFlowTests.WaitUntilAsync(() => factory.JobFiles().Count == 0);
    }
}
