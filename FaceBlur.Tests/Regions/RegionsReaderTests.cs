using System.Text;
using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Modules.Processing.Regions;
using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Regions;

/// <summary>The regions field's shape: every problem is refused with the path of the offending part.</summary>
[Unit]
public class RegionsReaderTests
{
    private static RegionsDocument Read(string json, JobKind kind = JobKind.Images) => RegionsReader.Read(Encoding.UTF8.GetBytes(json), kind);

    private static void ShouldFailAt(string json, string path, JobKind kind = JobKind.Images)
    {
        var read = () => Read(json, kind);
        read.Should().Throw<RegionsValidationException>().Which.Path.Should().Be(path, json);
    }

    [Test]
    public void An_images_document_is_read_with_its_defaults()
    {
        var document = (ImageRegionsDocument)Read("""
            {"kind":"images","files":[{"index":1,"name":"a.jpg","regions":[
              {"x":10,"y":20.5,"w":40,"h":50},
              {"id":"me","x":1,"y":2,"w":3,"h":4,"score":0.9,"source":"detector","hidden":false}]}]}
            """);

        var file = document.Files.Should().ContainSingle().Subject;
        file.Index.Should().Be(1);
        file.Name.Should().Be("a.jpg");
        file.Width.Should().BeNull();
        file.Regions[0].Should().Be(new ImageRegion("", new RegionBox(10, 20.5f, 40, 50), null, RegionSource.Given, true));
        file.Regions[1].Should().Be(new ImageRegion("me", new RegionBox(1, 2, 3, 4), 0.9f, RegionSource.Detector, false));
    }

    [Test]
    public void A_video_document_is_read()
    {
        var document = (VideoRegionsDocument)Read(
            """{"kind":"video","width":320,"height":240,"duration":2.5,"tracks":[{"id":"t1","hidden":false,"frames":[{"t":0.1,"x":1,"y":2,"w":3,"h":4}]}]}""",
            JobKind.Video);

        document.Width.Should().Be(320);
        document.Duration.Should().Be(2.5);
        var track = document.Tracks.Should().ContainSingle().Subject;
        track.Hidden.Should().BeFalse();
        track.Frames.Should().Equal(new TrackFrame(0.1, new RegionBox(1, 2, 3, 4)));
    }

    [TestCase("""{"files":[{"index":0,"regions":[{"x":1,"y":2,"w":-3,"h":4}]}]}""", "files[0].regions[0].w")]
    [TestCase("""{"files":[{"index":0,"regions":[{"x":1,"y":2,"w":3,"h":0}]}]}""", "files[0].regions[0].h")]
    [TestCase("""{"files":[{"index":0,"regions":[{"x":1,"y":2,"w":3}]}]}""", "files[0].regions[0].h")]
    [TestCase("""{"files":[{"index":0,"regions":[{"x":"1","y":2,"w":3,"h":4}]}]}""", "files[0].regions[0].x")]
    [TestCase("""{"files":[{"index":0,"regions":[{"x":1e300,"y":2,"w":3,"h":4}]}]}""", "files[0].regions[0].x")]
    [TestCase("""{"files":[{"index":0,"regions":[{"x":1,"y":2,"w":3,"h":4,"hiden":false}]}]}""", "files[0].regions[0].hiden")]
    [TestCase("""{"files":[{"index":0,"regions":[{"x":1,"y":2,"w":3,"h":4,"hidden":"no"}]}]}""", "files[0].regions[0].hidden")]
    [TestCase("""{"files":[{"index":0,"regions":[{"x":1,"y":2,"w":3,"h":4,"score":2}]}]}""", "files[0].regions[0].score")]
    [TestCase("""{"files":[{"index":0,"regions":[{"x":1,"y":2,"w":3,"h":4,"source":"robot"}]}]}""", "files[0].regions[0].source")]
    [TestCase("""{"files":[{"index":0,"regions":[1]}]}""", "files[0].regions[0]")]
    [TestCase("""{"files":[{"index":-1,"regions":[]}]}""", "files[0].index")]
    [TestCase("""{"files":[{"regions":[]}]}""", "files[0].index")]
    [TestCase("""{"files":[{"index":0}]}""", "files[0].regions")]
    [TestCase("""{"files":[{"index":0,"width":1.5,"regions":[]}]}""", "files[0].width")]
    [TestCase("""{"kind":"video","files":[]}""", "kind")]
    [TestCase("""{"files":{}}""", "files")]
    [TestCase("""[]""", "regions")]
    [TestCase("""{"files":[""", "regions")]
    [TestCase("""{"files":[],"extra":1}""", "extra")]
    public void A_malformed_images_document_names_the_offending_path(string json, string path) => ShouldFailAt(json, path);

    [TestCase("""{"tracks":[{"frames":[{"t":-1,"x":1,"y":2,"w":3,"h":4}]}]}""", "tracks[0].frames[0].t")]
    [TestCase("""{"tracks":[{"frames":[{"x":1,"y":2,"w":3,"h":4}]}]}""", "tracks[0].frames[0].t")]
    [TestCase("""{"tracks":[{"frames":[{"t":0,"x":1,"y":2,"w":3,"h":4,"z":1}]}]}""", "tracks[0].frames[0].z")]
    [TestCase("""{"tracks":[{"id":7,"frames":[]}]}""", "tracks[0].id")]
    [TestCase("""{"kind":"images","tracks":[]}""", "kind")]
    [TestCase("""{"duration":"long","tracks":[]}""", "duration")]
    public void A_malformed_video_document_names_the_offending_path(string json, string path) => ShouldFailAt(json, path, JobKind.Video);

    [Test]
    public void More_than_the_box_limit_is_refused()
    {
        var boxes = string.Join(",", Enumerable.Repeat("""{"x":1,"y":1,"w":1,"h":1}""", RegionsReader.MaxBoxes + 1));
        var json = $$"""{"files":[{"index":0,"regions":[{{boxes}}]}]}""";
        Encoding.UTF8.GetByteCount(json).Should().BeLessThan(RegionsReader.MaxJsonBytes, "the box limit, not the size limit, must refuse it");

        var read = () => Read(json);

        read.Should().Throw<RegionsValidationException>().WithMessage("*200000*").Which.Path.Should().Be("regions");
    }

    [Test]
    public void More_than_five_megabytes_of_json_is_refused()
    {
        var json = "{\"files\":[],\"pad\":\"" + new string(' ', RegionsReader.MaxJsonBytes) + "\"}";

        var read = () => Read(json);

        read.Should().Throw<RegionsValidationException>().WithMessage("*5 MB*").Which.Path.Should().Be("regions");
    }

    [Test]
    public void An_export_reads_back_with_every_coordinate_bit_for_bit()
    {
        var random = new Random(7);
        var regions = Enumerable.Range(0, 200)
            .Select(i => new ImageRegion(
                $"r{i}",
                new RegionBox(random.NextSingle() * 4000, random.NextSingle() * 3000, 1e-3f + (random.NextSingle() * 300), MathF.PI * (i + 1)),
                random.NextSingle(),
                RegionSource.Detector,
                i % 3 != 0))
            .ToList();
        var export = new ImageRegionsDocument([new ImageFileRegions(0, "a.jpg", 4000, 3000, regions)]);

        var read = (ImageRegionsDocument)RegionsReader.Read(RegionsWriter.ToUtf8Json(export), JobKind.Images);

        read.Files[0].Regions.Select(r => r.Box).Should().Equal(regions.Select(r => r.Box));
        read.Files[0].Regions.Select(r => r.Hidden).Should().Equal(regions.Select(r => r.Hidden));
        read.Files[0].Regions.Select(r => r.Id).Should().Equal(regions.Select(r => r.Id));
        read.Files[0].Width.Should().Be(4000);
    }
}
