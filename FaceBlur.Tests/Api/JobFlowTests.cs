using System.IO.Compression;
using System.Net;
using FaceBlur.Testing.Evaluation;
using FaceBlur.Tests.Support;
using FaceBlur.Tests.Video;
using OpenCvSharp;

namespace FaceBlur.Tests.Api;

/// <summary>Upload → poll → download, the same flow against the in-process mode and real RabbitMQ + Redis.</summary>
[TestFixture(Transport.InProcess, Category = TestCategory.Integration)]
[TestFixture(Transport.RabbitMqRedis, Category = TestCategory.Integration)]
[NonParallelizable]
public class JobFlowTests(Transport transport)
{
    private TransportHost _host = null!;
    private FaceBlurFactory _factory = null!;
    private HttpClient _client = null!;

    internal static byte[] Photo(string name = "2007_007763.jpg") => File.ReadAllBytes(TestPaths.DlibImage(name));

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _host = await TransportHost.StartAsync(transport);
        (_factory, _client) = (_host.Factory, _host.Client);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Test]
    public async Task One_photo_comes_back_anonymized_once_then_is_gone()
    {
        var original = Photo();
        var taskId = await Http.SubmitAsync(_client, "/blur", Http.Images(("holiday.jpg", original)));
        taskId.Should().MatchRegex("^[0-9a-f]{32}$");

        using var response = await Http.WaitForResultAsync(_client, taskId);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("image/jpeg");
        response.Content.Headers.ContentDisposition!.FileNameStar.Should().Be("blurred_holiday.jpg");
        int.Parse(response.Headers.GetValues("X-Faces-Detected").Single(), System.Globalization.CultureInfo.InvariantCulture).Should().BeGreaterThanOrEqualTo(7);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        using var before = Cv2.ImDecode(original, ImreadModes.Color);
        using var after = Cv2.ImDecode(bytes, ImreadModes.Color);
        after.Size().Should().Be(before.Size());
        var truth = EvalDataset.Load(TestPaths.DlibFaces).Images.Single(i => i.Path.EndsWith("2007_007763.jpg", StringComparison.Ordinal));
        foreach (var face in truth.Faces)
        {
            var rect = face.ToRect(before.Width, before.Height);
            using var diff = new Mat();
            Cv2.Absdiff(new Mat(before, rect), new Mat(after, rect), diff);
            Cv2.Mean(diff).Val0.Should().BeGreaterThan(8);
        }

        // Served once: the next request is 410 and nothing is left on disk.
        await WaitUntilAsync(() => !Directory.Exists(Path.Combine(_factory.JobsDir, taskId)));
        using var again = await _client.GetAsync($"/results/{taskId}");
        await Http.ShouldBeErrorAsync(again, HttpStatusCode.Gone, "result_gone");
    }

    [Test]
    public async Task Several_photos_come_back_as_one_zip()
    {
        var taskId = await Http.SubmitAsync(
            _client,
            "/blur",
            Http.Images(("a.jpg", Photo("2008_001009.jpg")), ("a.jpg", Photo("2008_001322.jpg")), ("../../etc/c.png", Cv2.ImDecode(Photo("2008_002079.jpg"), ImreadModes.Color).ImEncode(".png"))));

        using var response = await Http.WaitForResultAsync(_client, taskId);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/zip");
        response.Content.Headers.ContentDisposition!.FileNameStar.Should().Be("blurred_images.zip");
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var zip = new ZipArchive(stream);
        zip.Entries.Select(e => e.FullName).Should().Equal("a.jpg", "a (2).jpg", "c.png");
        // Each entry's comment tells the faces found in that image; together they make X-Faces-Detected.
        var perImage = zip.Entries.Select(e => e.Comment).ToList();
        perImage.Should().AllSatisfy(c => c.Should().MatchRegex("^faces=[0-9]+$"));
        perImage.Sum(c => int.Parse(c["faces=".Length..], System.Globalization.CultureInfo.InvariantCulture))
            .Should().Be(int.Parse(response.Headers.GetValues("X-Faces-Detected").Single(), System.Globalization.CultureInfo.InvariantCulture))
            .And.BeGreaterThan(0);
        foreach (var entry in zip.Entries)
        {
            await using var entryStream = entry.Open();
            using var copy = new MemoryStream();
            await entryStream.CopyToAsync(copy);
            using var image = Cv2.ImDecode(copy.ToArray(), ImreadModes.Unchanged);
            image.Empty().Should().BeFalse();
        }
    }

    [Test]
    public async Task A_photo_that_cannot_be_decoded_ends_as_task_failed_with_the_reason()
    {
        var photo = Photo();
        var truncated = photo[..(photo.Length / 2)];
        var taskId = await Http.SubmitAsync(_client, "/blur", Http.Images(("broken.jpg", truncated)));

        using var response = await Http.WaitForResultAsync(_client, taskId);

        var json = await Http.ShouldBeErrorAsync(response, HttpStatusCode.UnprocessableEntity, "task_failed");
        json.GetProperty("details").GetProperty("reason").GetString().Should().Contain("broken.jpg").And.Contain("truncated");
    }

    [Test]
    public async Task Options_are_applied()
    {
        var taskId = await Http.SubmitAsync(
            _client,
            "/blur",
            Http.Form([("files", "p.png", Cv2.ImDecode(Photo(), ImreadModes.Color).ImEncode(".png"))], new Dictionary<string, string> { ["mode"] = "solid", ["shape"] = "rect", ["padding"] = "0" }));

        using var response = await Http.WaitForResultAsync(_client, taskId);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var after = Cv2.ImDecode(await response.Content.ReadAsByteArrayAsync(), ImreadModes.Color);
        var truth = EvalDataset.Load(TestPaths.DlibFaces).Images.Single(i => i.Path.EndsWith("2007_007763.jpg", StringComparison.Ordinal));
        var face = truth.Faces[0];
        var centre = after.At<Vec3b>((int)(face.Y + face.Height / 2), (int)(face.X + face.Width / 2));
        centre.Should().Be(new Vec3b(32, 32, 32), "solid mode fills the face with one colour");
    }

    [Test]
    public async Task A_video_comes_back_as_an_mp4_with_its_faces_hidden_and_progress_along_the_way()
    {
        var clip = Path.Combine(_factory.StorageDir, "upload-source.mp4");
        TestVideos.Create(clip, TestVideos.MovingFace(seconds: 3));
        var taskId = await Http.SubmitAsync(_client, "/blur/video", Http.Form([("file", "holiday.mp4", await File.ReadAllBytesAsync(clip))]));

        var seen = new List<(string Status, double Progress, string Stage)>();
        HttpResponseMessage response;
        while (true)
        {
            response = await _client.GetAsync($"/results/{taskId}");
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                break;
            }

            var json = await Http.JsonAsync(response);
            var data = json.GetProperty("data");
            seen.Add((json.GetProperty("status").GetString()!, data.GetProperty("progress").GetDouble(), data.GetProperty("stage").GetString()!));
            response.Dispose();
            await Task.Delay(20);
        }

        using (response)
        {
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            response.Content.Headers.ContentType!.MediaType.Should().Be("video/mp4");
            response.Content.Headers.ContentDisposition!.FileNameStar.Should().Be("blurred_holiday.mp4");
            int.Parse(response.Headers.GetValues("X-Faces-Detected").Single(), System.Globalization.CultureInfo.InvariantCulture).Should().BeGreaterThan(0);
            var output = Path.Combine(_factory.StorageDir, "downloaded.mp4");
            await File.WriteAllBytesAsync(output, await response.Content.ReadAsByteArrayAsync());
            var probe = VideoTestMedia.ProbeFile(output);
            probe.Video.GetProperty("codec_name").GetString().Should().Be("h264");
            probe.Audio.Should().ContainSingle().Which.GetProperty("codec_name").GetString().Should().Be("aac");
            File.Delete(output);
        }

        var processing = seen.Where(s => s.Status == "processing").ToList();
        processing.Should().NotBeEmpty("the job reports progress while it runs");
        processing.Select(s => s.Progress).Should().BeInAscendingOrder().And.OnlyContain(p => p >= 0 && p <= 1);
        processing.Select(s => s.Stage).Should().OnlyContain(stage => stage == "detecting" || stage == "encoding");
    }

    [Test]
    public async Task Unknown_and_malformed_task_ids_are_not_found()
    {
        foreach (var id in new[] { new string('a', 32), "not-a-task", "..%2F..%2Fetc%2Fpasswd" })
        {
            using var response = await _client.GetAsync($"/results/{id}");
            await Http.ShouldBeErrorAsync(response, HttpStatusCode.NotFound, "task_not_found");
        }
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, int seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Condition not met in time.");
            }

            await Task.Delay(25);
        }
    }
}
