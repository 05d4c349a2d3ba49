using System.Net;
using System.Text;
using System.Text.Json;
using FaceBlur.Tests.Images;
using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Api;

/// <summary>
/// The hostile input corpus: each case is bytes, a form field and a file name sent to a route, with the answer expected.
/// Refusals must answer their error code in the envelope (below 500, no path, no stack trace); inputs that pass the
/// upload checks (a damaged file whose header is intact) must be accepted and their job must end (served or
/// <c>task_failed</c>). After every case: nothing left in STORAGE_DIR or beside it, nothing written outside it under
/// the client's name, no connection to 127.0.0.1:9 (where the playlists point), and <c>/health</c> still answers 200.
/// </summary>
[NonParallelizable]
[Integration]
public class HostileInputTests
{
    /// <summary>Status 202: accepted at upload, then the job must end (200 or 422 task_failed), never 500.</summary>
    private const int Accepted = 202;

    private static readonly Dictionary<string, byte[]> Videos = [];

    private Port9Trap _trap = null!;
    private string _root = null!;
    private string _storage = null!;
    private FaceBlurFactory _factory = null!;
    private HttpClient _client = null!;

    public sealed record HostileCase(string Name, string Route, Func<HttpContent> Content, int Status, string? Code = null)
    {
        public override string ToString() => Name;
    }

    [OneTimeSetUp]
    public async Task Start()
    {
        // Made before anything is checked, so the tests' own temporary files are not counted.
        Videos["mp4"] = await TestVideos.ColourBarsAsync(1, 96, 64);
        Videos["mp4-faststart"] = await TestVideos.ColourBarsAsync(1, 96, 64, faststart: true);
        Videos["avi"] = await TestVideos.ColourBarsAsync(1, 160, 120, "avi", "-c:v mjpeg");
        Videos["mkv320"] = await TestVideos.ColourBarsAsync(1, 320, 240, "mkv", "-c:v ffv1");

        _trap = new Port9Trap();
        _root = Directory.CreateTempSubdirectory("faceblur-hostile-").FullName;
        _storage = Path.Combine(_root, "storage");
        _factory = new FaceBlurFactory(new Dictionary<string, string?>
        {
            ["STORAGE_DIR"] = _storage,
            ["STATS_DB_PATH"] = Path.Combine(_storage, "stats.db"),
            ["MAX_UPLOAD_MB"] = "2",
            ["MAX_UPLOAD_FILES"] = "3",
            ["MAX_VIDEO_MB"] = "5",
            ["MAX_VIDEO_SECONDS"] = "5",
        });
        _client = _factory.CreateClient();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _client?.Dispose();
        _factory?.Dispose();
        _trap?.Dispose();
        if (_root is not null && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static string Jpg(string name) => $"form-data; name=\"files\"; filename=\"{name}\"";

    private const string Blur = "/blur";
    private const string VideoRoute = "/blur/video";

    private static MultipartFormDataContent Image(string name, byte[] bytes) => Http.Images((name, bytes));

    private static MultipartFormDataContent Video(string name, byte[] bytes) => Http.Form([("file", name, bytes)]);

    /// <summary>Every hostile input, by kind.</summary>
    public static IEnumerable<HostileCase> Corpus() =>
        [.. EmptyTextAndTruncated(), .. BombsAndLyingHeaders(), .. Polyglots(), .. PlaylistsAndConcatLists(), .. FileNames(), .. MalformedMultipartBodies()];

    /// <summary>Empty, text, truncated.</summary>
    private static IEnumerable<HostileCase> EmptyTextAndTruncated()
    {
        var jpeg = HostileMedia.Jpeg(64, 48);
        var png = HostileMedia.Png(64, 48);

        yield return new("zero-byte jpg", Blur, () => Image("empty.jpg", []), 400, "validation_error");
        yield return new("zero-byte mp4", VideoRoute, () => Video("empty.mp4", []), 400, "validation_error");
        yield return new("text renamed jpg", Blur, () => Image("notes.jpg", HostileMedia.Text("Dear diary, this is not a picture.")), 415, "unsupported_media_type");
        yield return new("text renamed mp4", VideoRoute, () => Video("notes.mp4", HostileMedia.Text("Dear diary, this is not a video either.")), 415, "unsupported_media_type");
        yield return new("JPEG cut inside its header", Blur, () => Image("cut.jpg", jpeg[..12]), 400, "validation_error");
        yield return new("JPEG cut after its header", Blur, () => Image("half.jpg", HostileMedia.Truncate(jpeg, 0.6)), Accepted);
        yield return new("PNG cut inside its header", Blur, () => Image("cut.png", png[..20]), 400, "validation_error");
        yield return new("PNG cut after its header", Blur, () => Image("half.png", HostileMedia.Truncate(png, 0.5)), Accepted);
        yield return new("MP4 cut before its index", VideoRoute, () => Video("half.mp4", HostileMedia.Truncate(Videos["mp4"], 0.5)), 400, "validation_error");
        yield return new("MP4 (faststart) cut in its frames", VideoRoute, () => Video("half.mp4", HostileMedia.Truncate(Videos["mp4-faststart"], 0.5)), Accepted);
    }

    /// <summary>Decompression bombs and lying headers.</summary>
    private static IEnumerable<HostileCase> BombsAndLyingHeaders()
    {
        yield return new("PNG declaring 30000x30000", Blur, () => Image("bomb.png", ImageHeaderReaderTests.HandMadePng(30000, 30000)), 400, "media_too_large");
        yield return new("JPEG declaring 30000x30000", Blur, () => Image("bomb.jpg", HostileMedia.JpegDeclaring(30000, 30000)), 400, "media_too_large");
        yield return new("AVI declaring 2^31 frames", VideoRoute, () => Video("frames.avi", HostileMedia.AviDeclaringFrames(Videos["avi"], int.MaxValue)), 400, "media_too_long");
        yield return new("AVI declaring 2^31 frames at 1e9 fps", VideoRoute, () => Video("rate.avi", HostileMedia.AviDeclaringFrames(Videos["avi"], int.MaxValue, 1_000_000_000)), 400, "media_too_large");
        yield return new("MKV declaring 65535 pixels wide", VideoRoute, () => Video("wide.mkv", HostileMedia.MatroskaDeclaringHugeWidth(Videos["mkv320"])), 400, "media_too_large");
        yield return new("MJPEG frames declaring 30000x30000", VideoRoute, () => Video("sof.avi", HostileMedia.MjpegFramesDeclaring(Videos["avi"], 30000, 30000)), Accepted);
    }

    /// <summary>Polyglots.</summary>
    private static IEnumerable<HostileCase> Polyglots()
    {
        var jpeg = HostileMedia.Jpeg(64, 48);

        yield return new("GIF/JPEG/PNG polyglot named jpg", Blur, () => Image("poly.jpg", HostileMedia.GifFirstPolyglot()), 415, "unsupported_media_type");
        yield return new("JPEG/PNG/GIF polyglot named png", Blur, () => Image("poly.png", HostileMedia.JpegFirstPolyglot()), 400, "validation_error");
        yield return new("JPEG/PNG/GIF polyglot named jpg", Blur, () => Image("poly.jpg", HostileMedia.JpegFirstPolyglot()), Accepted);
        yield return new("JPEG named mp4", VideoRoute, () => Video("photo.mp4", jpeg), 415, "unsupported_media_type");
    }

    /// <summary>Playlists and concat lists that point at local files and at 127.0.0.1:9.</summary>
    private static IEnumerable<HostileCase> PlaylistsAndConcatLists()
    {
        yield return new("HLS playlist named mp4", VideoRoute, () => Video("clip.mp4", HostileMedia.HlsPlaylist), 415, "unsupported_media_type");
        yield return new("HLS playlist named mkv", VideoRoute, () => Video("clip.mkv", HostileMedia.HlsPlaylist), 415, "unsupported_media_type");
        yield return new("ffconcat list named mp4", VideoRoute, () => Video("clip.mp4", HostileMedia.ConcatList), 415, "unsupported_media_type");
        yield return new("HLS playlist named jpg", Blur, () => Image("photo.jpg", HostileMedia.HlsPlaylist), 415, "unsupported_media_type");
        yield return new("ffconcat list named png", Blur, () => Image("photo.png", HostileMedia.ConcatList), 415, "unsupported_media_type");
        yield return new("Matroska magic then a playlist", VideoRoute, () => Video("clip.mkv", [0x1A, 0x45, 0xDF, 0xA3, .. HostileMedia.HlsPlaylist]), 400, "validation_error");
        yield return new("ISO box header then a playlist", VideoRoute, () => Video("clip.mp4", [0, 0, 0, 8, .. "ftyp"u8, .. HostileMedia.HlsPlaylist]), 400, "validation_error");
    }

    /// <summary>File names.</summary>
    private static IEnumerable<HostileCase> FileNames()
    {
        var jpeg = HostileMedia.Jpeg(64, 48);

        yield return new("name with ../", Blur, () => HostileMedia.RawPart(Jpg("../../../../../tmp/faceblur-hostile-dots.jpg"), jpeg), Accepted);
        yield return new("absolute name", Blur, () => HostileMedia.RawPart(Jpg("/tmp/faceblur-hostile-absolute.jpg"), jpeg), Accepted);
        yield return new("encoded ../ in filename*", Blur, () => HostileMedia.RawPart("form-data; name=\"files\"; filename*=UTF-8''..%2F..%2Ffaceblur-hostile-star.jpg", jpeg), Accepted);
        yield return new("NUL in the name", Blur, () => HostileMedia.RawPart(Jpg("faceblur-hostile-nul.jpg\0.png"), jpeg), Accepted);
        yield return new("encoded NUL in filename*", Blur, () => HostileMedia.RawPart("form-data; name=\"files\"; filename*=UTF-8''x.jpg%00.exe", jpeg), Accepted);
        yield return new("NUL before the extension", Blur, () => HostileMedia.RawPart(Jpg("photo\0"), jpeg), 415, "unsupported_media_type");
        yield return new("1000-character name", Blur, () => HostileMedia.RawPart(Jpg(new string('n', 1000) + ".jpg"), jpeg), Accepted);
        yield return new("20000-character name", Blur, () => HostileMedia.RawPart(Jpg(new string('n', 20000) + ".jpg"), jpeg), 400, "validation_error");
        yield return new("Unicode name", Blur, () => HostileMedia.RawPart(Jpg("фото 😀 \u202Egpj.exe"), jpeg), 415, "unsupported_media_type");
        yield return new("Unicode name with jpg", Blur, () => HostileMedia.RawPart(Jpg("фото 😀 café.jpg"), jpeg), Accepted);
    }

    /// <summary>Malformed multipart bodies.</summary>
    private static IEnumerable<HostileCase> MalformedMultipartBodies()
    {
        var jpeg = HostileMedia.Jpeg(64, 48);

        yield return new("multipart without boundary", Blur, () =>
        {
            var content = new ByteArrayContent(Encoding.ASCII.GetBytes("--x\r\n\r\n--x--\r\n"));
            content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data");
            return content;
        }, 400, "validation_error");
        yield return new("multipart body that never ends", Blur, () => HostileMedia.RawBody(
            [.. Encoding.ASCII.GetBytes("--hostile-boundary\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.jpg\"\r\n\r\n"), .. jpeg]), 400, "validation_error");
        yield return new("multipart body with only garbage", Blur, () => HostileMedia.RawBody(Encoding.ASCII.GetBytes("garbage without any boundary at all")), 400, "validation_error");
        yield return new("part with too many headers", Blur, () => HostileMedia.RawBody(Encoding.ASCII.GetBytes(
            "--hostile-boundary\r\n" + string.Concat(Enumerable.Range(0, 50).Select(i => $"X-H{i}: v\r\n")) + "\r\nx\r\n--hostile-boundary--\r\n")), 400, "validation_error");
        yield return new("part that is not form-data", Blur, () => HostileMedia.RawPart("attachment; filename=\"a.jpg\"", jpeg), 400, "validation_error");
        yield return new("10 000 tiny file parts", Blur, () =>
        {
            var form = new MultipartFormDataContent();
            for (var i = 0; i < 10_000; i++)
            {
                form.Add(new ByteArrayContent([0xFF]), "files", $"{i}.jpg");
            }

            return form;
        }, 400, "validation_error");
        yield return new("10 000 tiny field parts on the video route", VideoRoute, () =>
        {
            var form = new MultipartFormDataContent();
            for (var i = 0; i < 10_000; i++)
            {
                form.Add(new StringContent("x"), $"f{i}");
            }

            return form;
        }, 400, "validation_error");
    }
    [TestCaseSource(nameof(Corpus))]
    public async Task Hostile_input_is_answered_cleanly(HostileCase input)
    {
        using var response = await _client.PostAsync(input.Route, input.Content());
        var body = await response.Content.ReadAsStringAsync();
        ShouldNotLeak(body);
        ((int)response.StatusCode).Should().BeLessThan(500, body);
        if (input.Status == Accepted)
        {
            response.StatusCode.Should().Be(HttpStatusCode.Accepted, body);
            var taskId = JsonDocument.Parse(body).RootElement.GetProperty("data").GetProperty("task_id").GetString()!;
            using var result = await Http.WaitForResultAsync(_client, taskId, TimeSpan.FromSeconds(90));
            result.StatusCode.Should().BeOneOf(HttpStatusCode.OK, HttpStatusCode.UnprocessableEntity);
            if (result.StatusCode == HttpStatusCode.UnprocessableEntity)
            {
                ShouldNotLeak(await Http.ShouldBeErrorAsync(result, HttpStatusCode.UnprocessableEntity, "task_failed") is var json ? json.GetRawText() : "");
            }
            else if (input.Name.Contains("polyglot", StringComparison.Ordinal))
            {
                var output = await result.Content.ReadAsByteArrayAsync();
                output.AsSpan().IndexOf("PNG"u8).Should().BeLessThan(0, "the result is re-encoded: nothing appended to the upload survives");
                output.AsSpan().IndexOf("GIF89a"u8).Should().BeLessThan(0);
            }
        }
        else
        {
            await Http.ShouldBeErrorAsync(response, (HttpStatusCode)input.Status, input.Code!);
        }

        await JobFlowTests.WaitUntilAsync(() => JobFiles().Count == 0);
        StrayFiles().Should().BeEmpty("nothing is written outside STORAGE_DIR");
        _trap.Connections.Should().Be(0, "no upload makes the app open a network connection");
        using var health = await _client.GetAsync("/health");
        health.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private void ShouldNotLeak(string body)
    {
        body.Should().NotContain("   at ", "no stack trace in an answer")
            .And.NotContain(_root, "no server path in an answer")
            .And.NotContain("/tmp/")
            .And.NotContain("/etc/")
            .And.NotContain("Exception");
    }

    private List<string> JobFiles()
    {
        var jobs = Path.Combine(_storage, "jobs");
        return Directory.Exists(jobs) ? [.. Directory.GetFileSystemEntries(jobs, "*", SearchOption.AllDirectories)] : [];
    }

    /// <summary>
    /// What is checked outside STORAGE_DIR: the directory holding STORAGE_DIR (made for this fixture) holds nothing but
    /// it; STORAGE_DIR holds only the jobs folder and the stats database; and no file named after a client name used
    /// here exists in the temp directory, its parent or the root.
    /// </summary>
    private List<string> StrayFiles()
    {
        var stray = Directory.GetFileSystemEntries(_root).Where(e => e != _storage).ToList();
        stray.AddRange(Directory.GetFileSystemEntries(_storage).Where(e => Path.GetFileName(e) is not ("jobs" or "stats.db" or "stats.db-wal" or "stats.db-shm")));
        foreach (var directory in new[] { Path.GetTempPath(), Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetTempPath()))!, "/" })
        {
            stray.AddRange(Directory.GetFiles(directory, "faceblur-hostile-*.*").Where(f => !Directory.Exists(f)));
        }

        return stray;
    }
}
