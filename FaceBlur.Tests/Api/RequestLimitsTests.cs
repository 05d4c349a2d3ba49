using System.Text;
using System.Text.Json;
using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Api;

/// <summary>
/// Requests over the size limits of the request line and headers are answered by the app, in the envelope and with the
/// security headers, not by Kestrel's bare answer; what only Kestrel can answer (beyond its own, higher limits, or a
/// target it cannot parse) is pinned here as the README lists it. On real Kestrel, with raw requests.
/// </summary>
[Integration]
public class RequestLimitsTests
{
    private FaceBlurFactory factory = null!;
    private Uri address = null!;

    [OneTimeSetUp]
    public void Start()
    {
        factory = new FaceBlurFactory();
        address = factory.StartKestrel();
    }

    [OneTimeTearDown]
    public void Stop() => factory.Dispose();

    [Test]
    public async Task A_10_KB_task_id_is_414_in_the_envelope()
    {
        var answer = await SendAsync($"GET /results/{new string('a', 10 * 1024)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        ShouldBeEnvelope(answer, 414, "uri_too_long");
    }

    [Test]
    public async Task A_64_KB_cookie_is_431_in_the_envelope()
    {
        var answer = await SendAsync($"GET /stats HTTP/1.1\r\nHost: x\r\nCookie: visitor_id={new string('c', 64 * 1024)}\r\nConnection: close\r\n\r\n");
        ShouldBeEnvelope(answer, 431, "headers_too_large");
    }

    [Test]
    public async Task Too_many_headers_are_431_in_the_envelope()
    {
        var headers = string.Concat(Enumerable.Range(0, 150).Select(i => $"X-Filler-{i}: {i}\r\n"));
        var answer = await SendAsync($"GET /health HTTP/1.1\r\nHost: x\r\n{headers}Connection: close\r\n\r\n");
        ShouldBeEnvelope(answer, 431, "headers_too_large");
    }

    [Test]
    public async Task Requests_within_the_limits_are_answered_as_usual()
    {
        var answer = await SendAsync($"GET /results/{new string('a', 4 * 1024)} HTTP/1.1\r\nHost: x\r\nCookie: a={new string('c', 16 * 1024)}\r\nConnection: close\r\n\r\n");
        ShouldBeEnvelope(answer, 404, "task_not_found");
    }

    [TestCase("GET /results/%00 HTTP/1.1\r\nHost: x", 400, TestName = "A null byte in the path: Kestrel's 400")]
    [TestCase("GET /results/{40 KB} HTTP/1.1\r\nHost: x", 414, TestName = "A request line over Kestrel's own limit: Kestrel's 414")]
    [TestCase("GET /health HTTP/1.1", 400, TestName = "No Host header: Kestrel's 400")]
    [TestCase("GET /health HTTP/1.2\r\nHost: x", 505, TestName = "An unknown HTTP version: Kestrel's 505")]
    public async Task What_only_Kestrel_answers_is_a_bare_status(string head, int status)
    {
        var answer = await SendAsync(head.Replace("{40 KB}", new string('a', 40 * 1024), StringComparison.Ordinal) + "\r\nConnection: close\r\n\r\n");
        answer.Should().StartWith($"HTTP/1.1 {status} ", "Kestrel refuses it before the app runs (README: what only Kestrel answers)");
        answer.Should().NotContain("\"status\":\"error\"", "the app never saw it");
    }

    private Task<string> SendAsync(string request) =>
        RawHttp.ExchangeAsync(address, Encoding.ASCII.GetBytes(request), halfClose: false, TimeSpan.FromSeconds(20));

    private static void ShouldBeEnvelope(string answer, int status, string code)
    {
        answer.Should().StartWith($"HTTP/1.1 {status} ");
        var head = answer[..answer.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        head.Should().Contain("X-Content-Type-Options: nosniff").And.Contain("Content-Security-Policy:").And.Contain("application/json");
        var body = answer[(head.Length + 4)..]; // chunked: the one JSON object between the chunk sizes
        using var json = JsonDocument.Parse(body[body.IndexOf('{', StringComparison.Ordinal)..(body.LastIndexOf('}') + 1)]);
        json.RootElement.GetProperty("status").GetString().Should().Be("error");
        json.RootElement.GetProperty("code").GetString().Should().Be(code);
    }
}
