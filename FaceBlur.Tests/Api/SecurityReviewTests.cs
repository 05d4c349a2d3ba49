using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Api;

/// <summary>
/// What the security review checks beyond the header and banner tests of <see cref="ServiceEndpointTests"/>: limits on
/// a real Kestrel server cannot be bypassed with a lying Content-Length or chunked encoding, task ids are random
/// 128-bit values, and results are reachable only by their task id.
/// </summary>
[Integration]
public partial class SecurityReviewTests
{
    private static byte[] PostHead(Uri address, string path, string boundary, long contentLength) => Encoding.ASCII.GetBytes(
        $"POST {path} HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n" +
        $"Content-Length: {contentLength}\r\n\r\n");

    private static byte[] FilePart(string boundary, string field, string name, int bytes) =>
    [
        .. Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n\r\n"),
        .. HostileMedia.Jpeg(64, 48),
        .. new byte[bytes],
        .. Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n"),
    ];

    [Test]
    public async Task A_Content_Length_over_the_limit_is_refused_before_the_body_is_read()
    {
        using var factory = new FaceBlurFactory(new Dictionary<string, string?> { ["MAX_UPLOAD_MB"] = "0.1", ["MAX_UPLOAD_FILES"] = "1" });
        var address = factory.StartKestrel();

        // Declares 50 MB, sends only the headers: the server answers 413 at once instead of waiting for the body.
        var answer = await RawHttp.ExchangeAsync(address, PostHead(address, "/blur", "b", 50L * 1024 * 1024), halfClose: false, TimeSpan.FromSeconds(10));

        answer.Should().StartWith("HTTP/1.1 413").And.Contain("\"code\":\"payload_too_large\"");
        factory.JobFiles().Should().BeEmpty();
    }

    [Test]
    public async Task A_Content_Length_shorter_than_the_body_does_not_let_the_rest_through()
    {
        using var factory = new FaceBlurFactory(new Dictionary<string, string?> { ["MAX_UPLOAD_MB"] = "0.1", ["MAX_UPLOAD_FILES"] = "1" });
        var address = factory.StartKestrel();

        // Declares 1000 bytes, sends 3 MB: the server reads 1000 bytes (a multipart body cut short, refused) and treats
        // the rest as a next request it cannot parse; nothing is stored and the file never counts as uploaded.
        var body = FilePart("b", "files", "big.jpg", 3 * 1024 * 1024);
        var answer = await RawHttp.ExchangeAsync(address, [.. PostHead(address, "/blur", "b", 1000), .. body], halfClose: true, TimeSpan.FromSeconds(10));

        answer.Should().StartWith("HTTP/1.1 400").And.Contain("\"code\":\"validation_error\"").And.NotContain("HTTP/1.1 202");
        answer.Should().NotContain("   at ").And.NotContain("/work/");
        await JobFlowTests.WaitUntilAsync(() => factory.JobFiles().Count == 0);
        using var client = factory.CreateClient();
        (await client.GetAsync("/health")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Test]
    public async Task A_Content_Length_longer_than_the_body_stores_nothing_when_the_client_gives_up()
    {
        using var factory = new FaceBlurFactory(new Dictionary<string, string?> { ["MAX_UPLOAD_MB"] = "0.5", ["MAX_UPLOAD_FILES"] = "1" });
        var address = factory.StartKestrel();

        // Declares 400 KB (within the limit), sends 60 KB and closes: the upload is abandoned and cleaned up.
        var body = FilePart("b", "files", "a.jpg", 60 * 1024);
        await RawHttp.ExchangeAsync(address, [.. PostHead(address, "/blur", "b", 400 * 1024), .. body], halfClose: true, TimeSpan.FromSeconds(5));

        await JobFlowTests.WaitUntilAsync(() => factory.JobFiles().Count == 0);
        using var client = factory.CreateClient();
        (await client.GetAsync("/health")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Test]
    public async Task A_chunked_body_cannot_bypass_the_video_limit()
    {
        using var factory = new FaceBlurFactory(new Dictionary<string, string?> { ["MAX_VIDEO_MB"] = "0.2" });
        var address = factory.StartKestrel();

        var form = Http.Form([("file", "big.mp4", new byte[4 * 1024 * 1024])]);
        using var response = await RawHttp.PostAsync(address, "/blur/video", form, chunked: true);

        await Http.ShouldBeErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        await JobFlowTests.WaitUntilAsync(() => factory.JobFiles().Count == 0);
    }

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex TaskIdFormat();

    [Test]
    public async Task Task_ids_are_random_128_bit_values_and_results_are_reachable_only_by_them()
    {
        using var factory = new FaceBlurFactory();
        using var client = factory.CreateClient();
        var ids = new List<string>();
        for (var i = 0; i < 16; i++)
        {
            using var response = await client.PostAsync("/blur", Http.Images(("a.jpg", HostileMedia.Jpeg(32, 24))));
            var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            ids.Add(json.GetProperty("data").GetProperty("task_id").GetString()!);
        }

        ids.Should().OnlyContain(id => TaskIdFormat().IsMatch(id)).And.OnlyHaveUniqueItems();
        // Neither a counter nor a timestamp: no shared prefix, and about half of the 16 x 128 bits set.
        ids.Select(id => id[..4]).Distinct().Count().Should().BeGreaterThan(12);
        var ones = ids.Sum(id => Convert.FromHexString(id).Sum(b => BitOperations(b)));
        ones.Should().BeInRange(16 * 128 * 40 / 100, 16 * 128 * 60 / 100);

        var first = ids[0];
        foreach (var path in new[]
        {
            $"/results/{first.ToUpperInvariant()}", $"/results/{first}.jpg", $"/results/{first[..31]}", $"/results/{first}0",
            "/results/..%2F..%2Fetc%2Fpasswd", "/results/*",
        })
        {
            using var response = await client.GetAsync(path);
            ((int)response.StatusCode).Should().BeOneOf([404], path);
            (await response.Content.ReadAsStringAsync()).Should().Contain("\"status\":\"error\"", path).And.NotContain("root:");
        }

        // The stored files are not served by path, whatever the URL.
        foreach (var path in new[] { $"/jobs/{first}/input-00.upload", $"/storage/jobs/{first}/input-00.upload", "/stats.db", "/appsettings.json" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            response.StatusCode.Should().Be(HttpStatusCode.NotFound, path);
            body.AsSpan().IndexOf([(byte)0xFF, (byte)0xD8]).Should().BeLessThan(0, "no upload comes back by path");
        }

        foreach (var id in ids)
        {
            using var result = await Http.WaitForResultAsync(client, id);
        }
    }

    private static int BitOperations(byte value) => System.Numerics.BitOperations.PopCount(value);
}
