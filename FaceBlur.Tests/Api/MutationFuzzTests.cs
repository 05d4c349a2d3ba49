using System.Net;
using System.Text.Json;
using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Api;

/// <summary>
/// Mutation fuzzing through the API: valid images and a short video with random byte flips, truncations and splices
/// (a fixed seed, so every run sends the same cases). No answer may be a 500, every accepted job must end (served or
/// <c>task_failed</c>) within its time, nothing may be left on disk, and the app must stay healthy.
/// </summary>
[NonParallelizable]
[Integration]
public class MutationFuzzTests
{
    private const int Seed = 20261124;
    private const int ImageCases = 260;
    private const int VideoCases = 40;

    [Test]
    public async Task Mutated_media_never_breaks_the_service()
    {
        using var factory = new FaceBlurFactory(new Dictionary<string, string?> { ["MAX_VIDEO_SECONDS"] = "5", ["MAX_IMAGE_MEGAPIXELS"] = "4" });
        using var client = factory.CreateClient();
        var random = new Random(Seed);
        var images = new (string Extension, byte[] Bytes)[]
        {
            ("jpg", HostileMedia.Jpeg(64, 48, seed: 2)),
            ("png", HostileMedia.Png(64, 48, seed: 3)),
            ("webp", HostileMedia.Webp(64, 48, seed: 4)),
            ("jpg", JpegMetadataBuilder.AddMetadata(JpegMetadataBuilder.PlainJpeg(48, 64))),
        };
        var videos = new (string Extension, byte[] Bytes)[]
        {
            ("mp4", await TestVideos.ColourBarsAsync(0.5, 64, 48, faststart: true)),
            ("mkv", await TestVideos.ColourBarsAsync(0.5, 64, 48, "mkv")),
            ("avi", await TestVideos.ColourBarsAsync(0.5, 64, 48, "avi", "-c:v mjpeg")),
        };

        var accepted = new List<(string TaskId, string Case)>();
        var statuses = new Dictionary<int, int>();
        for (var i = 0; i < ImageCases + VideoCases; i++)
        {
            var isVideo = i >= ImageCases;
            var pool = isVideo ? videos : images;
            var (extension, original) = pool[random.Next(pool.Length)];
            var (mutated, how) = Mutate(random, original, pool[random.Next(pool.Length)].Bytes);
            var name = $"case {i} ({extension}, {how})";
            using var content = isVideo ? Http.Form([("file", $"f{i}.{extension}", mutated)]) : Http.Images(($"f{i}.{extension}", mutated));
            using var response = await client.PostAsync(isVideo ? "/blur/video" : "/blur", content);
            var body = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            status.Should().BeLessThan(500, $"{name}: {body}");
            body.Should().NotContain("   at ", name).And.NotContain(factory.StorageDir, name);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                accepted.Add((JsonDocument.Parse(body).RootElement.GetProperty("data").GetProperty("task_id").GetString()!, name));
            }
            else
            {
                body.Should().Contain("\"status\":\"error\"", name);
            }
        }

        var outcomes = new Dictionary<HttpStatusCode, int>();
        foreach (var (taskId, name) in accepted)
        {
            using var result = await Http.WaitForResultAsync(client, taskId, TimeSpan.FromSeconds(120));
            result.StatusCode.Should().BeOneOf([HttpStatusCode.OK, HttpStatusCode.UnprocessableEntity], name);
            if (result.StatusCode == HttpStatusCode.UnprocessableEntity)
            {
                await Http.ShouldBeErrorAsync(result, HttpStatusCode.UnprocessableEntity, "task_failed");
            }

            outcomes[result.StatusCode] = outcomes.GetValueOrDefault(result.StatusCode) + 1;
        }

        TestContext.Out.WriteLine($"Uploads by status: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}={s.Value}"))}; " +
            $"accepted jobs by outcome: {string.Join(", ", outcomes.Select(o => $"{(int)o.Key}={o.Value}"))}");
        accepted.Should().NotBeEmpty("some mutations keep the file readable, so the processing path is fuzzed too");
        await JobFlowTests.WaitUntilAsync(() => factory.JobFiles().Count == 0);
        using var health = await client.GetAsync("/health");
        health.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    /// <summary>One of: flip a few bytes, truncate, splice in bytes of another file, repeat a block, or zero a run.</summary>
    private static (byte[] Bytes, string How) Mutate(Random random, byte[] original, byte[] other)
    {
        var bytes = (byte[])original.Clone();
        switch (random.Next(5))
        {
            case 0:
                var flips = random.Next(1, 17);
                for (var i = 0; i < flips; i++)
                {
                    // Mostly past the first bytes, so that many mutants still pass the sniffer and reach the decoder.
                    var at = random.Next(random.Next(4) == 0 ? 0 : Math.Min(64, bytes.Length - 1), bytes.Length);
                    bytes[at] ^= (byte)(1 << random.Next(8));
                }

                return (bytes, $"{flips} bit flips");
            case 1:
                var length = random.Next(1, bytes.Length);
                return (bytes[..length], $"truncated to {length}");
            case 2:
                {
                    var at = random.Next(bytes.Length);
                    var from = random.Next(other.Length);
                    var count = random.Next(1, Math.Min(4096, other.Length - from) + 1);
                    return ([.. bytes[..at], .. other.AsSpan(from, count), .. bytes[Math.Min(bytes.Length, at + count)..]], $"splice of {count} at {at}");
                }

            case 3:
                {
                    var from = random.Next(bytes.Length);
                    var count = random.Next(1, Math.Min(2048, bytes.Length - from) + 1);
                    var at = random.Next(bytes.Length);
                    return ([.. bytes[..at], .. bytes.AsSpan(from, count), .. bytes[at..]], $"block of {count} repeated at {at}");
                }

            default:
                {
                    var at = random.Next(bytes.Length);
                    var count = random.Next(1, Math.Min(512, bytes.Length - at) + 1);
                    Array.Clear(bytes, at, count);
                    return (bytes, $"{count} zeros at {at}");
                }
        }
    }
}
