using System.Net;
using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Api;

/// <summary>The server's own per-endpoint body limit, on a real Kestrel server (the in-memory test server has none).</summary>
public class ServerBodyLimitTests
{
    [Test]
    public async Task A_body_over_the_endpoint_limit_is_413_in_the_envelope_and_leaves_nothing()
    {
        // POST /blur accepts MAX_UPLOAD_FILES x MAX_UPLOAD_MB plus 1 MiB for the form: here 1 x 0.1 MB + 1 MiB.
        using var factory = new FaceBlurFactory(new Dictionary<string, string?> { ["MAX_UPLOAD_MB"] = "0.1", ["MAX_UPLOAD_FILES"] = "1" });
        var address = factory.StartKestrel();

        var body = new byte[3 * 1024 * 1024];
        using var response = await RawHttp.PostAsync(address, "/blur", Http.Images(("big.jpg", body)), chunked: false);

        await Http.ShouldBeErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
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
