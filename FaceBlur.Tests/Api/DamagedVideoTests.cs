using System.Net;
using System.Text;
using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Api;

/// <summary>
/// Which error a damaged MP4 gets, by its cause: a container that cannot be read (cut before its index, no stream
/// left) is 400 <c>validation_error</c>; a readable one holding no video this service decodes (sound only, an unknown
/// video codec) is 415 <c>unsupported_media_type</c>, like bytes that are no video at all. Nothing is left on disk.
/// </summary>
[NonParallelizable]
[Integration]
public class DamagedVideoTests
{
    private static byte[] _video = null!;
    private FaceBlurFactory _factory = null!;
    private HttpClient _client = null!;

    public sealed record Damage(string Name, Func<byte[], byte[]> Apply, HttpStatusCode Status, string Code, string Message)
    {
        public override string ToString() => Name;
    }

    [OneTimeSetUp]
    public async Task Start()
    {
        // H.264 video then AAC sound, the index (moov) after the frames: what a camera or a plain ffmpeg run writes.
        _video = await TestVideos.ColourBarsAsync(1, 96, 64, "mp4", "-f lavfi -i sine=duration=1 -c:v libx264 -pix_fmt yuv420p -c:a aac -shortest");
        _factory = new FaceBlurFactory();
        _client = _factory.CreateClient();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _client?.Dispose();
        _factory?.Dispose();
    }

    /// <summary>Renames the first box of <paramref name="type"/> (the first after <paramref name="after"/>, when given).</summary>
    private static byte[] Rename(byte[] mp4, string type, string to, string? after = null)
    {
        var bytes = (byte[])mp4.Clone();
        var start = after is null ? 0 : HostileMedia.IndexOf(bytes, Encoding.ASCII.GetBytes(after));
        var at = start + HostileMedia.IndexOf(bytes[start..], Encoding.ASCII.GetBytes(type));
        Encoding.ASCII.GetBytes(to).CopyTo(bytes, at);
        return bytes;
    }

    public static IEnumerable<Damage> Damages()
    {
        yield return new("cut before its index", v => HostileMedia.Truncate(v, 0.5), HttpStatusCode.BadRequest, "validation_error", "could not be read");
        yield return new("both tracks unreadable (no stream left)", v => Rename(Rename(v, "trak", "free"), "trak", "free"), HttpStatusCode.BadRequest, "validation_error", "holds no stream");
        yield return new("video track unreadable (sound only)", v => Rename(v, "trak", "free"), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type", "no video stream");
        yield return new("video codec unknown", v => Rename(v, "avc1", "zzzz", after: "stsd"), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type", "codec");
    }

    [TestCaseSource(nameof(Damages))]
    public async Task A_damaged_MP4_is_answered_by_its_cause(Damage damage)
    {
        using var response = await _client.PostAsync("/blur/video", Http.Form([("file", "damaged.mp4", damage.Apply(_video))]));

        var error = await Http.ShouldBeErrorAsync(response, damage.Status, damage.Code);
        error.GetProperty("message").GetString().Should().Contain(damage.Message);
        error.GetProperty("details").GetProperty("file").GetString().Should().Be("damaged.mp4");
        _factory.JobFiles().Should().BeEmpty();
    }

    [Test]
    public async Task The_undamaged_MP4_is_accepted()
    {
        var taskId = await Http.SubmitAsync(_client, "/blur/video", Http.Form([("file", "intact.mp4", _video)]));

        using var result = await Http.WaitForResultAsync(_client, taskId, TimeSpan.FromMinutes(1));
        result.StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
