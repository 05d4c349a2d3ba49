using System.Net;
using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Tests.Jobs;
using FaceBlur.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using OpenCvSharp;

namespace FaceBlur.Tests.Api;

/// <summary>
/// A download the client broke off loses nothing: the result stays until its last byte reached a client, and a client
/// resumes with Range (and If-Range) to get exactly the bytes it lacks. On real Kestrel, with clients that stop early.
/// </summary>
[Integration]
public class ResumableDownloadTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Test]
    public async Task A_small_result_whose_every_byte_the_client_acknowledged_unread_resumes_with_if_range()
    {
        using var factory = new FaceBlurFactory(new Dictionary<string, string?> { ["RESULT_RESUME_SECONDS"] = "600" });
        var address = factory.StartKestrel();
        // 780 KB of noise (PNG keeps it that size): it fits in the buffers, as in the case the red team found.
        var (taskId, expected) = await ProduceAsync(factory, address, "noise.png", NoisePng(520, 500));
        expected.Length.Should().BeInRange(600_000, 1_000_000);

        string etag;
        using (var stopped = await RawDownload.StartAsync(address, $"/results/{taskId}", receiveBuffer: 4 << 20))
        {
            stopped.Status.Should().Be(200);
            stopped.Headers["Accept-Ranges"].Should().Be("bytes");
            etag = stopped.Headers["ETag"];
            (await stopped.ReadBodyAsync(1024)).Should().Equal(expected[..1024]);

            // Its kernel took every byte (and acknowledged it) while the client read 1 KB: that is a delivery...
            await Wait.UntilAsync(async () => (await StateAsync(factory, taskId)).DeliveredAt is not null, "the download counts delivered", Bound);
        }

        // ...so a plain request gets result_gone, and so does a range that does not name this result...
        using var client = new HttpClient { BaseAddress = address };
        using (var plain = await client.GetAsync($"/results/{taskId}"))
        {
            await Http.ShouldBeErrorAsync(plain, HttpStatusCode.Gone, "result_gone");
        }

        using (var unnamed = await GetRangeAsync(client, taskId, "bytes=1024-", ifRange: null))
        {
            await Http.ShouldBeErrorAsync(unnamed, HttpStatusCode.Gone, "result_gone");
        }

        // ...but the client that lost what its kernel held resumes and gets exactly the bytes it lacks.
        using var resumed = await GetRangeAsync(client, taskId, "bytes=1024-", etag);
        resumed.StatusCode.Should().Be(HttpStatusCode.PartialContent);
        resumed.Content.Headers.ContentRange!.ToString().Should().Be($"bytes 1024-{expected.Length - 1}/{expected.Length}");
        (await resumed.Content.ReadAsByteArrayAsync()).Should().Equal(expected[1024..]);
    }

    [Test]
    public async Task A_client_that_stops_after_128_KB_of_a_780_KB_result_was_not_delivered_and_gets_it_whole_again()
    {
        using var factory = new FaceBlurFactory();
        var address = factory.StartKestrel();
        var (taskId, expected) = await ProduceAsync(factory, address, "noise.png", NoisePng(520, 500));

        const int Received = 128 * 1024;
        using (var stopped = await RawDownload.StartAsync(address, $"/results/{taskId}"))
        {
            (await stopped.ReadBodyAsync(Received)).Should().Equal(expected[..Received]);

            // Every byte fits in the two sides' socket buffers, so every write completed long ago; but the client's
            // kernel has not acknowledged the last byte (its window is full), so this is no delivery.
            await Task.Delay(TimeSpan.FromSeconds(1));
            (await StateAsync(factory, taskId)).DeliveredAt.Should().BeNull("the client holds 128 KB of 780 KB");
        }

        await Wait.UntilAsync(async () => !(await StateAsync(factory, taskId)).Served, "the broken-off download releases its claim", Bound);
        using var client = new HttpClient { BaseAddress = address };
        using var again = await client.GetAsync($"/results/{taskId}");
        again.StatusCode.Should().Be(HttpStatusCode.OK);
        (await again.Content.ReadAsByteArrayAsync()).Should().Equal(expected);
    }

    [Test]
    public async Task A_large_download_broken_off_after_128_KB_resumes_with_exactly_the_missing_bytes()
    {
        using var factory = new FaceBlurFactory(new Dictionary<string, string?> { ["RESULT_RESUME_SECONDS"] = "600" });
        var address = factory.StartKestrel();
        // An uncompressed 12 MB result: far more than the socket buffers hold, so it cannot be acknowledged unread.
        using var noise = Noise(2000, 2000);
        var (taskId, expected) = await ProduceAsync(factory, address, "big.bmp", noise.ImEncode(".bmp"));

        const int Received = 128 * 1024;
        string etag;
        using (var stopped = await RawDownload.StartAsync(address, $"/results/{taskId}"))
        {
            stopped.ContentLength.Should().Be(expected.Length);
            etag = stopped.Headers["ETag"];
            (await stopped.ReadBodyAsync(Received)).Should().Equal(expected[..Received]);
        }

        await Wait.UntilAsync(async () => !(await StateAsync(factory, taskId)).Served, "the broken-off download releases its claim", Bound);
        (await StateAsync(factory, taskId)).DeliveredAt.Should().BeNull("the client never acknowledged the last byte");

        using var client = new HttpClient { BaseAddress = address };
        using (var resumed = await GetRangeAsync(client, taskId, $"bytes={Received}-", etag))
        {
            resumed.StatusCode.Should().Be(HttpStatusCode.PartialContent);
            resumed.Content.Headers.ContentRange!.ToString().Should().Be($"bytes {Received}-{expected.Length - 1}/{expected.Length}");
            (await resumed.Content.ReadAsByteArrayAsync()).Should().Equal(expected[Received..]);
        }

        // The resume carried the last byte to the client: now the result counts delivered.
        await Wait.UntilAsync(async () => (await StateAsync(factory, taskId)).DeliveredAt is not null, "the resume delivers it", Bound);
        using var gone = await client.GetAsync($"/results/{taskId}");
        await Http.ShouldBeErrorAsync(gone, HttpStatusCode.Gone, "result_gone");
    }

    [Test]
    public async Task Twelve_concurrent_downloads_give_exactly_one_full_result()
    {
        using var factory = new FaceBlurFactory();
        var address = factory.StartKestrel();
        var (taskId, expected) = await ProduceAsync(factory, address, "noise.png", NoisePng(300, 300));

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
        {
            using var client = new HttpClient { BaseAddress = address };
            using var response = await client.GetAsync($"/results/{taskId}");
            return (response.StatusCode, Body: await response.Content.ReadAsByteArrayAsync());
        }));

        answers.Where(a => a.StatusCode == HttpStatusCode.OK).Should().ContainSingle()
            .Which.Body.Should().Equal(expected);
        answers.Count(a => a.StatusCode == HttpStatusCode.Gone).Should().Be(11);

        // The one full download counts as delivered (a client that read everything and closed at once is no exception).
        await Wait.UntilAsync(async () => (await StateAsync(factory, taskId)).DeliveredAt is not null, "the download counts delivered", Bound);
    }

    [Test]
    public async Task Ranges_are_answered_by_the_rules_of_http()
    {
        using var factory = new FaceBlurFactory(new Dictionary<string, string?> { ["RESULT_RESUME_SECONDS"] = "600" });
        var address = factory.StartKestrel();
        var (taskId, expected) = await ProduceAsync(factory, address, "noise.png", NoisePng(200, 200));
        using var client = new HttpClient { BaseAddress = address };

        // Beyond the end: 416 in the envelope, with the length.
        using (var beyond = await GetRangeAsync(client, taskId, $"bytes={expected.Length}-", ifRange: null))
        {
            beyond.Content.Headers.ContentRange!.ToString().Should().Be($"bytes */{expected.Length}");
            var error = await Http.ShouldBeErrorAsync(beyond, HttpStatusCode.RequestedRangeNotSatisfiable, "range_not_satisfiable");
            error.GetProperty("details").GetProperty("length").GetInt64().Should().Be(expected.Length);
        }

        // A suffix range, before anything was delivered, needs no validator; it does not end the result's life either.
        using (var head = await GetRangeAsync(client, taskId, "bytes=0-99", ifRange: null))
        {
            head.StatusCode.Should().Be(HttpStatusCode.PartialContent);
            (await head.Content.ReadAsByteArrayAsync()).Should().Equal(expected[..100]);
        }

        (await StateAsync(factory, taskId)).DeliveredAt.Should().BeNull("a range short of the end delivers nothing");

        // An If-Range that names another version: the range is ignored and the whole result sent.
        using (var other = await GetRangeAsync(client, taskId, "bytes=100-", "\"other\""))
        {
            other.StatusCode.Should().Be(HttpStatusCode.OK);
            (await other.Content.ReadAsByteArrayAsync()).Should().Equal(expected);
            var lastModified = other.Content.Headers.LastModified!.Value;

            // Last-Modified works as If-Range too, within the grace period after delivery.
            await Wait.UntilAsync(async () => (await StateAsync(factory, taskId)).DeliveredAt is not null, "the download counts delivered", Bound);
            using var suffix = await GetRangeAsync(client, taskId, "bytes=-10", lastModified.ToString("R"));
            suffix.StatusCode.Should().Be(HttpStatusCode.PartialContent);
            (await suffix.Content.ReadAsByteArrayAsync()).Should().Equal(expected[^10..]);
        }
    }

    [Test]
    public async Task A_delivered_result_is_deleted_when_its_resume_grace_is_over()
    {
        using var factory = new FaceBlurFactory(new Dictionary<string, string?> { ["RESULT_RESUME_SECONDS"] = "1" });
        var address = factory.StartKestrel();
        var (taskId, expected) = await ProduceAsync(factory, address, "noise.png", NoisePng(200, 200));
        using var client = new HttpClient { BaseAddress = address };

        string etag;
        using (var whole = await client.GetAsync($"/results/{taskId}"))
        {
            (await whole.Content.ReadAsByteArrayAsync()).Should().Equal(expected);
            etag = whole.Headers.ETag!.ToString();
        }

        await Wait.UntilAsync(() => factory.JobFiles().Count == 0, "the result is deleted after the grace", Bound);
        using var late = await GetRangeAsync(client, taskId, "bytes=10-", etag);
        await Http.ShouldBeErrorAsync(late, HttpStatusCode.Gone, "result_gone");
    }

    private static async Task<(string TaskId, byte[] Result)> ProduceAsync(FaceBlurFactory factory, Uri address, string name, byte[] image)
    {
        using var client = new HttpClient { BaseAddress = address };
        var taskId = await Http.SubmitAsync(client, "/blur", Http.Images((name, image)));
        await Wait.UntilAsync(async () => (await StateAsync(factory, taskId)).Status == JobStatus.Succeeded, "the job succeeds", Bound);
        var state = await StateAsync(factory, taskId);
        return (taskId, await File.ReadAllBytesAsync(Path.Combine(factory.StorageDir, state.ResultPath!)));
    }

    private static async Task<JobState> StateAsync(FaceBlurFactory factory, string taskId) =>
        await factory.Services.GetRequiredService<IJobStore>().GetAsync(taskId, default) ?? throw new InvalidOperationException("No such job.");

    private static Task<HttpResponseMessage> GetRangeAsync(HttpClient client, string taskId, string range, string? ifRange)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/results/{taskId}");
        request.Headers.TryAddWithoutValidation("Range", range);
        if (ifRange is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Range", ifRange);
        }

        return client.SendAsync(request);
    }

    private static Mat Noise(int width, int height)
    {
        var mat = new Mat(height, width, MatType.CV_8UC3);
        Cv2.Randu(mat, Scalar.All(0), Scalar.All(256));
        return mat;
    }

    private static byte[] NoisePng(int width, int height)
    {
        using var noise = Noise(width, height);
        return noise.ImEncode(".png");
    }
}
