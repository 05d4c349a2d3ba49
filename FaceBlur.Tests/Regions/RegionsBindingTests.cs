using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Regions;
using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Regions;

/// <summary>Regions checked against the request's media, and how found faces and given regions combine.</summary>
[Unit]
public class RegionsBindingTests
{
    private static readonly UploadedImage[] Two = [new("a.jpg", 100, 80), new("b.png", 50, 40)];

    private static ImageRegion Given(float x, float y, float w, float h, bool hidden = true, string id = "") =>
        new(id, new RegionBox(x, y, w, h), null, RegionSource.Given, hidden);

    private static ImageRegionsDocument Doc(params ImageFileRegions[] files) => new(files);

    private static void ShouldFailAt(ImageRegionsDocument document, string path)
    {
        var bind = () => RegionsBinding.BindImages(document, Two);
        bind.Should().Throw<RegionsValidationException>().Which.Path.Should().Be(path);
    }

    [Test]
    public void Regions_go_to_the_file_they_name_and_become_given()
    {
        var bound = RegionsBinding.BindImages(
            Doc(new ImageFileRegions(1, "b.png", 50, 40, [new ImageRegion("x", new RegionBox(0, 0, 50, 40), 0.8f, RegionSource.Detector, true)])),
            Two);

        bound[0].Should().BeEmpty();
        bound[1].Should().Equal(new ImageRegion("x", new RegionBox(0, 0, 50, 40), null, RegionSource.Given, true));
    }

    [Test]
    public void A_file_that_is_not_in_the_request_is_refused() =>
        ShouldFailAt(Doc(new ImageFileRegions(2, null, null, null, [])), "files[0].index");

    [Test]
    public void A_name_that_is_not_the_files_is_refused() =>
        ShouldFailAt(Doc(new ImageFileRegions(0, "other.jpg", null, null, [])), "files[0].name");

    [Test]
    public void A_file_listed_twice_is_refused() =>
        ShouldFailAt(Doc(new ImageFileRegions(0, null, null, null, []), new ImageFileRegions(0, null, null, null, [])), "files[1].index");

    [Test]
    public void Another_size_is_refused() =>
        ShouldFailAt(Doc(new ImageFileRegions(0, null, 100, 81, [])), "files[0].height");

    [TestCase(-1, 0, 10, 10, "x")]
    [TestCase(0, -0.5f, 10, 10, "y")]
    [TestCase(95, 0, 10, 10, "w")]
    [TestCase(0, 75, 10, 10, "h")]
    [TestCase(101, 0, 10, 10, "x")]
    public void A_box_outside_the_picture_is_refused(float x, float y, float w, float h, string field) =>
        ShouldFailAt(Doc(new ImageFileRegions(0, null, null, null, [Given(1, 1, 1, 1), Given(x, y, w, h)])), $"files[0].regions[1].{field}");

    [Test]
    public void A_box_touching_the_edges_is_inside() =>
        RegionsBinding.BindImages(Doc(new ImageFileRegions(0, null, null, null, [Given(0, 0, 100, 80)])), Two)[0].Should().HaveCount(1);

    [Test]
    public void Two_regions_with_one_id_are_refused() =>
        ShouldFailAt(Doc(new ImageFileRegions(0, null, null, null, [Given(1, 1, 5, 5, id: "a"), Given(9, 9, 5, 5, id: "a")])), "files[0].regions[1].id");

    [Test]
    public void A_found_face_over_a_kept_region_stays_visible_and_the_rest_is_hidden()
    {
        FaceBox[] found = [new(10, 10, 20, 20, 0.9f), new(60, 10, 20, 20, 0.8f)];
        ImageRegion[] given = [Given(12, 11, 20, 20, hidden: false, id: "me"), Given(40, 50, 10, 10)];

        var regions = RegionPlan.ForImage(found, given);

        regions.Should().Equal(
            new ImageRegion("r1", new RegionBox(60, 10, 20, 20), 0.8f, RegionSource.Detector, true),
            new ImageRegion("r2", new RegionBox(40, 50, 10, 10), null, RegionSource.Given, true),
            new ImageRegion("me", new RegionBox(12, 11, 20, 20), null, RegionSource.Given, false));
    }

    [Test]
    public void A_face_barely_overlapping_a_kept_region_is_still_hidden()
    {
        FaceBox[] found = [new(10, 10, 20, 20, 0.9f)];

        var regions = RegionPlan.ForImage(found, [Given(20, 10, 20, 20, hidden: false)]);

        regions.Where(r => r.Hidden).Should().ContainSingle().Which.Source.Should().Be(RegionSource.Detector, "IoU 1/3 is below 0.5");
    }

    [Test]
    public void Generated_ids_skip_the_given_ones()
    {
        var regions = RegionPlan.ForImage([new(0, 0, 5, 5, 0.9f), new(50, 50, 5, 5, 0.9f)], [Given(20, 20, 5, 5, id: "r1")]);

        regions.Select(r => r.Id).Should().Equal("r2", "r3", "r1");
    }
}
