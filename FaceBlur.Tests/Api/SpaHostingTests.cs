using System.Net;
using FaceBlur.Tests.Support;
using FaceBlur.Web.Spa;

namespace FaceBlur.Tests.Api;

/// <summary>The web page's hosting: files from the web root, long cache for hashed assets, index.html for client routes.</summary>
[NonParallelizable]
[Unit]
public class SpaHostingTests
{
    private readonly string _asset = Path.Combine(SpaHosting.WebRoot, "assets", "spa-hosting-test-0123abcd.js");
    private readonly string _index = Path.Combine(SpaHosting.WebRoot, "index.html");
    private bool _createdIndex;
    private FaceBlurFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        // The ClientApp build is copied beside the app (here: beside the tests); without it, a stand-in page.
        Directory.CreateDirectory(Path.GetDirectoryName(_asset)!);
        File.WriteAllText(_asset, "console.log('hashed');");
        if (!File.Exists(_index))
        {
            File.WriteAllText(_index, "<!doctype html><title>FaceBlur</title><div id=root></div>");
            _createdIndex = true;
        }

        _factory = new FaceBlurFactory();
        _client = _factory.CreateClient();
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _client.Dispose();
        _factory.Dispose();
        File.Delete(_asset);
        if (_createdIndex)
        {
            File.Delete(_index);
        }
    }

    [Test]
    public async Task The_page_is_served_at_the_root_and_revalidated()
    {
        using var response = await _client.GetAsync("/");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        (await response.Content.ReadAsStringAsync()).Should().Contain("<div id=").And.Contain("root");
        response.Headers.CacheControl!.NoCache.Should().BeTrue();
    }

    [Test]
    public async Task Hashed_assets_are_cached_for_a_year()
    {
        using var response = await _client.GetAsync("/assets/spa-hosting-test-0123abcd.js");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.CacheControl!.ToString().Should().Be("public, max-age=31536000, immutable");
    }

    [Test]
    public async Task A_browser_navigating_to_a_client_route_gets_the_page()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/some/client/route");
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,*/*;q=0.8");
        using var response = await _client.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        (await response.Content.ReadAsStringAsync()).Should().Be(await File.ReadAllTextAsync(_index));
    }

    [Test]
    public async Task Api_routes_and_api_errors_are_unaffected()
    {
        using var limits = new HttpRequestMessage(HttpMethod.Get, "/limits");
        limits.Headers.Accept.ParseAdd("text/html");
        using var limitsResponse = await _client.SendAsync(limits);
        limitsResponse.Content.Headers.ContentType!.MediaType.Should().Be("application/json");

        using var unknown = await _client.GetAsync("/no/such/thing");
        await Http.ShouldBeErrorAsync(unknown, HttpStatusCode.NotFound, "not_found");

        using var missingFile = new HttpRequestMessage(HttpMethod.Get, "/assets/missing.js");
        missingFile.Headers.Accept.ParseAdd("text/html");
        using var missingResponse = await _client.SendAsync(missingFile);
        await Http.ShouldBeErrorAsync(missingResponse, HttpStatusCode.NotFound, "not_found");

        using var wrongMethod = new HttpRequestMessage(HttpMethod.Get, "/blur");
        wrongMethod.Headers.Accept.ParseAdd("text/html");
        using var wrongResponse = await _client.SendAsync(wrongMethod);
        await Http.ShouldBeErrorAsync(wrongResponse, HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }
}
