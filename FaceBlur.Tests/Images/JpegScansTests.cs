using System.Net;
using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Images;
using FaceBlur.Modules.Processing.Media;
using FaceBlur.Tests.Api;
using FaceBlur.Tests.Support;
using OpenCvSharp;

namespace FaceBlur.Tests.Images;

/// <summary>
/// A JPEG with an absurd number of scans is refused before a decoder spends minutes on it (each scan is a pass over
/// the whole picture), at upload and again before decoding; a real progressive JPEG passes. A JPEG whose header comes
/// after more than 4 MB of metadata is read, not refused as damaged.
/// </summary>
[Unit]
public class JpegScansTests
{
    /// <summary>
    /// A progressive JPEG: of noise by default (large enough to span several of the checker's 1 MB chunks), or of a
    /// flat grey, whose scans are a few bytes each (the cheap way to make thousands of them).
    /// </summary>
    private static byte[] ProgressiveJpeg(int width = 2000, int height = 1500, bool noise = true)
    {
        using var picture = new Mat(height, width, MatType.CV_8UC3, Scalar.All(128));
        if (noise)
        {
            Cv2.Randu(picture, Scalar.All(0), Scalar.All(255));
        }

        return picture.ImEncode(".jpg", [new ImageEncodingParam(ImwriteFlags.JpegProgressive, 1), new ImageEncodingParam(ImwriteFlags.JpegQuality, 95)]);
    }

    /// <summary>The JPEG with its last scan repeated until it has <paramref name="scans"/> scans in all.</summary>
    private static byte[] WithScans(byte[] jpeg, int scans)
    {
        var starts = new List<int>();
        for (var i = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xDA]); i >= 0; i = jpeg.AsSpan(i + 2).IndexOf([(byte)0xFF, (byte)0xDA]) is var n and >= 0 ? i + 2 + n : -1)
        {
            starts.Add(i);
        }

        var eoi = jpeg.AsSpan().LastIndexOf([(byte)0xFF, (byte)0xD9]);
        var last = jpeg[starts[^1]..eoi];
        var copies = Enumerable.Repeat(last, scans - starts.Count).SelectMany(b => b);
        return [.. jpeg[..eoi], .. copies, .. jpeg[eoi..]];
    }

    private static async Task<MediaError?> CheckFileAsync(byte[] bytes)
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, bytes);
            return await JpegScans.CheckScansInFileAsync(path, CancellationToken.None);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task A_real_progressive_jpeg_passes()
    {
        var jpeg = ProgressiveJpeg();
        jpeg.Length.Should().BeGreaterThan(2 << 20, "the file checker must cross chunk boundaries");

        JpegScans.Check(jpeg).Should().BeNull();
        (await CheckFileAsync(jpeg)).Should().BeNull();
        (await CheckFileAsync(WithScans(jpeg, JpegScans.MaxScans))).Should().BeNull("exactly the limit is accepted");
    }

    [Test]
    public async Task Too_many_scans_are_refused_in_memory_and_in_a_file()
    {
        var jpeg = WithScans(ProgressiveJpeg(), JpegScans.MaxScans + 1);

        JpegScans.Check(jpeg)!.Kind.Should().Be(MediaErrorKind.MediaTooLarge);
        (await CheckFileAsync(jpeg))!.Kind.Should().Be(MediaErrorKind.MediaTooLarge);
    }

    [Test]
    public void The_processor_refuses_it_before_decoding()
    {
        var processor = TestDetector.Processor();

        var result = processor.Process(WithScans(ProgressiveJpeg(320, 240, noise: false), 5000), new AnonymizeOptions());

        result.Error!.Code.Should().Be("media_too_large");
    }

    [Test]
    public async Task The_upload_refuses_it_with_media_too_large()
    {
        using var factory = new FaceBlurFactory();
        using var client = factory.CreateClient();

        using var response = await client.PostAsync("/blur", Http.Images(("scans.jpg", WithScans(ProgressiveJpeg(320, 240, noise: false), 5000))));

        (await Http.ShouldBeErrorAsync(response, HttpStatusCode.BadRequest, "media_too_large")).GetProperty("message").GetString().Should().Contain("scans");
        factory.JobFiles().Should().BeEmpty();
    }

    [Test]
    public async Task A_jpeg_whose_header_follows_five_megabytes_of_metadata_is_processed()
    {
        var photo = JobFlowTests.Photo();
        // Extended XMP is carried in APP1 segments of at most 64 KB each; 80 of them put the frame header past 5 MB.
        var padding = Enumerable.Range(0, 80).Select(i => JpegMetadataBuilder.Segment(0xE1, new byte[65_000]));
        var jpeg = JpegMetadataBuilder.InsertAfterSoi(photo, padding);
        jpeg.Length.Should().BeGreaterThan(5 << 20);
        using var factory = new FaceBlurFactory(new Dictionary<string, string?> { ["MAX_UPLOAD_MB"] = "25" });
        using var client = factory.CreateClient();

        var taskId = await Http.SubmitAsync(client, "/blur", Http.Images(("xmp.jpg", jpeg)));
        using var result = await Http.WaitForResultAsync(client, taskId);

        result.StatusCode.Should().Be(HttpStatusCode.OK, await result.Content.ReadAsStringAsync());
        using var output = Cv2.ImDecode(await result.Content.ReadAsByteArrayAsync(), ImreadModes.Color);
        using var input = Cv2.ImDecode(photo, ImreadModes.Color);
        output.Size().Should().Be(input.Size());
    }
}
