using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FaceBlur.Tests.Support;

/// <summary>
/// The real app in a test host, with its own empty STORAGE_DIR, the fetched detector model and a generous rate limit;
/// <paramref name="settings"/> override any setting (the same keys as the environment variables).
/// </summary>
internal sealed class FaceBlurFactory(IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    : WebApplicationFactory<FaceBlur.Web.Api.ErrorEnvelope> // any type of the web assembly locates its entry point
{
    public string StorageDir { get; } = Directory.CreateTempSubdirectory("faceblur-test-").FullName;

    public string JobsDir => Path.Combine(StorageDir, "jobs");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var values = new Dictionary<string, string?>
        {
            ["STORAGE_DIR"] = StorageDir,
            ["STATS_DB_PATH"] = Path.Combine(StorageDir, "stats.db"),
            ["DETECTOR_MODEL_PATH"] = TestPaths.DetectorModel,
            ["DETECTOR_MODEL_N_PATH"] = TestPaths.DetectorModelN,
            ["VIDEO_DETECTOR_MODEL_PATH"] = TestPaths.VideoDetectorModel,
            ["BLUR_RATE_LIMIT"] = "10000/minute",
            ["RABBITMQ_URL"] = "",
            ["REDIS_URL"] = "",
            ["LOG_LEVEL"] = "Warning",
            ["STORAGE_CLEANUP_INTERVAL_MINUTES"] = "0",
            // Delivered results go at once, as the tests of "nothing left behind" expect; resume tests set their own.
            ["RESULT_RESUME_SECONDS"] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(values));
        if (services is not null)
        {
            builder.ConfigureServices(services);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(StorageDir))
        {
            Directory.Delete(StorageDir, recursive: true);
        }
    }

    /// <summary>Serves the app on a real Kestrel server on a free loopback port and returns its address.</summary>
    public Uri StartKestrel()
    {
        UseKestrel(0);
        StartServer();
        return new(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    /// <summary>Files left under STORAGE_DIR/jobs (nothing may be left after a refusal).</summary>
    public IReadOnlyList<string> JobFiles() =>
        Directory.Exists(JobsDir) ? Directory.GetFileSystemEntries(JobsDir, "*", SearchOption.AllDirectories) : [];
}

/// <summary>HTTP helpers shared by the API tests.</summary>
internal static class Http
{
    public static MultipartFormDataContent Form(IEnumerable<(string Field, string FileName, byte[] Bytes)> files, IReadOnlyDictionary<string, string>? fields = null)
    {
        var form = new MultipartFormDataContent();
        foreach (var (field, fileName, bytes) in files)
        {
            form.Add(new ByteArrayContent(bytes), field, fileName);
        }

        foreach (var (name, value) in fields ?? new Dictionary<string, string>())
        {
            form.Add(new StringContent(value), name);
        }

        return form;
    }

    /// <summary>Whether the app answers <c>/health</c> with 200 (false while it does not listen yet).</summary>
    public static async Task<bool> IsUpAsync(HttpClient client)
    {
        try
        {
            using var response = await client.GetAsync("/health");
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public static MultipartFormDataContent Images(params (string FileName, byte[] Bytes)[] files) =>
        Form(files.Select(f => ("files", f.FileName, f.Bytes)));

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        return json;
    }

    /// <summary>Asserts an error envelope with <paramref name="code"/> and returns it.</summary>
    public static async Task<JsonElement> ShouldBeErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, body);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/json");
        var json = JsonDocument.Parse(body).RootElement;
        json.GetProperty("status").GetString().Should().Be("error");
        json.GetProperty("code").GetString().Should().Be(code);
        json.GetProperty("message").GetString().Should().NotBeNullOrWhiteSpace();
        json.GetProperty("details").ValueKind.Should().Be(JsonValueKind.Object);
        body.Should().NotContain("   at ", "no stack trace in an error body").And.NotContain("/work/");
        return json;
    }

    /// <summary>Uploads and returns the task id of the 202.</summary>
    public static async Task<string> SubmitAsync(HttpClient client, string path, HttpContent content)
    {
        using var response = await client.PostAsync(path, content);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Accepted, body);
        var json = JsonDocument.Parse(body).RootElement;
        json.GetProperty("status").GetString().Should().Be("queued");
        return json.GetProperty("data").GetProperty("task_id").GetString()!;
    }

    /// <summary>Polls <c>/results/{id}</c> until it stops answering 202, then returns that response.</summary>
    public static async Task<HttpResponseMessage> WaitForResultAsync(HttpClient client, string taskId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var response = await client.GetAsync($"/results/{taskId}");
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                return response;
            }

            var json = await JsonAsync(response);
            json.GetProperty("status").GetString().Should().BeOneOf("pending", "processing");
            var progress = json.GetProperty("data").GetProperty("progress").GetDouble();
            progress.Should().BeInRange(0, 1);
            response.Dispose();
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Task {taskId} did not finish within the time limit.");
            }

            await Task.Delay(50);
        }
    }
}
