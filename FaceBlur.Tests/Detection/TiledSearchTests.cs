using System.Diagnostics;
using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Testing.Evaluation;
using FaceBlur.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace FaceBlur.Tests.Detection;

/// <summary>Large photos are searched in tiles at their own resolution and above: faces of every size, wherever they are.</summary>
[Unit]
public class TiledSearchTests
{
    private static IReadOnlyList<FaceBox> Overlapping(IReadOnlyList<FaceBox> found, FaceBox face) =>
        [.. found.Where(f => f.IoU(face) > 0 || EvalMetrics.CoveredShare(face, f) > 0)];

    /// <summary>Share of the face inside the box the anonymizer hides (the detection grown by the default padding).</summary>
    private static float HiddenShare(FaceBox face, FaceBox detection) =>
        EvalMetrics.CoveredShare(face, detection.Pad(AnonymizeOptions.DefaultPadding));

    [TestCase(1f)]
    [TestCase(1.5f)]
    public void A_face_cut_by_a_tile_edge_is_hidden_once_and_whole(float scale)
    {
        // A 4000x3000 photo; the face straddles the right edge of the first tile of the level at this scale.
        var options = TestDetector.DefaultOptions();
        var grid = new TileGrid(4000, 3000, scale, options.TileSize, options.TileOverlap);
        var edge = (grid.Tiles[0].X + grid.Tiles[0].Width) / scale;
        const float Side = 70;
        using var photo = SyntheticPhotos.Canvas(4000, 3000);
        var face = SyntheticPhotos.PasteFace(photo, edge - (Side / 2), 900, Side);

        var found = Overlapping(TestDetector.Instance.Detect(photo), face);

        found.Should().ContainSingle("a face cut by a tile edge is found once, not once per tile");
        HiddenShare(face, found[0]).Should().BeGreaterThanOrEqualTo(0.95f, "the whole face is hidden, not the part in one tile");
    }

    [Test]
    public void A_12_MP_photo_whose_only_face_is_20_px_has_it_hidden()
    {
        using var photo = SyntheticPhotos.Canvas(4000, 3000);
        var face = SyntheticPhotos.PasteFace(photo, 2717, 1843, 20);

        var found = TestDetector.Instance.Detect(photo);

        found.Should().ContainSingle();
        HiddenShare(face, found[0]).Should().BeGreaterThanOrEqualTo(0.8f);
    }

    [Test]
    public void A_photo_that_is_one_large_face_has_it_hidden()
    {
        // 2400x2400: the face's box is 1800 px, its surroundings fill the rest of the photo.
        using var photo = SyntheticPhotos.Canvas(2400, 2400);
        var face = SyntheticPhotos.PasteFace(photo, 300, 300, 1800);

        var found = TestDetector.Instance.Detect(photo);

        found.Should().NotBeEmpty();
        found.Max(f => HiddenShare(face, f)).Should().BeGreaterThanOrEqualTo(0.8f);
    }

    [Test]
    public void A_50_MP_photo_is_searched_within_a_bounded_memory()
    {
        // 8660x5773 with faces of 20, 60 and 400 px. The photo itself (150 MB) is the caller's; the bound is what the
        // search adds on top, including a fresh detector's runtimes warming up. A 1.5x upscaled copy alone would be 337 MB.
        using var photo = SyntheticPhotos.Canvas(8660, 5773);
        FaceBox[] faces = [SyntheticPhotos.PasteFace(photo, 1000, 1000, 20), SyntheticPhotos.PasteFace(photo, 5000, 3000, 60), SyntheticPhotos.PasteFace(photo, 7000, 1000, 400)];
        using var detector = new PhotoFaceDetector(TestDetector.DefaultOptions());

        var before = PeakMemory.ResetToCurrent();
        var found = detector.Detect(photo);
        var added = PeakMemory.Peak() - before;

        TestContext.Out.WriteLine($"peak resident memory added by the search: {added / (1 << 20)} MB");
        added.Should().BeLessThan(MaxSearchMemory, "the search works tile by tile, never on an enlarged copy of the photo");
        foreach (var face in faces)
        {
            found.Max(f => HiddenShare(face, f)).Should().BeGreaterThanOrEqualTo(0.8f);
        }
    }

    [Test]
    public void A_cancelled_search_stops_between_tiles()
    {
        using var photo = SyntheticPhotos.Canvas(8660, 5773);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var searched = 0;
        using var detector = new PhotoFaceDetector(TestDetector.DefaultOptions()) { SearchObserver = _ => searched++ };

        var detect = () => detector.Detect(photo, cancelled.Token);

        detect.Should().Throw<OperationCanceledException>();
        searched.Should().Be(0, "no level is searched to its end once the search is cancelled");
    }

    [Test]
    public void A_search_cancelled_while_running_ends_within_two_seconds()
    {
        // A 50 MP photo takes seconds: cancelled 100 ms in, only the tiles already running finish.
        using var photo = SyntheticPhotos.Canvas(8660, 5773);
        using var detector = new PhotoFaceDetector(TestDetector.DefaultOptions());
        using var cancel = new CancellationTokenSource();
        long cancelledAt = 0;
        using var registration = cancel.Token.Register(() => cancelledAt = Stopwatch.GetTimestamp());
        cancel.CancelAfter(TimeSpan.FromMilliseconds(100));

        var detect = () => detector.Detect(photo, cancel.Token);

        detect.Should().Throw<OperationCanceledException>();
        cancelledAt.Should().BePositive();
        Stopwatch.GetElapsedTime(cancelledAt).Should().BeLessThan(TimeSpan.FromSeconds(2));
    }

    [Test]
    public void The_tiles_of_a_level_cover_the_photo_with_the_configured_overlap()
    {
        var options = TestDetector.DefaultOptions();
        foreach (var scale in SearchLevel.Scales(3744, 2912, options))
        {
            var grid = new TileGrid(3744, 2912, scale, options.TileSize, options.TileOverlap);
            var xs = grid.Tiles.Select(t => t.X).Distinct().Order().ToList();
            var ys = grid.Tiles.Select(t => t.Y).Distinct().Order().ToList();
            xs[0].Should().Be(0);
            ys[0].Should().Be(0);
            grid.Tiles.Max(t => t.X + t.Width).Should().Be(grid.ScaledWidth);
            grid.Tiles.Max(t => t.Y + t.Height).Should().Be(grid.ScaledHeight);
            xs.Zip(xs.Skip(1), (a, b) => a + options.TileSize - b).All(overlap => overlap >= options.TileOverlap).Should().BeTrue();
            ys.Zip(ys.Skip(1), (a, b) => a + options.TileSize - b).All(overlap => overlap >= options.TileOverlap).Should().BeTrue();
        }
    }

    [Test]
    public void A_12_MP_photo_is_searched_upscaled_at_native_resolution_and_as_one_tile()
    {
        var scales = SearchLevel.Scales(3744, 2912, TestDetector.DefaultOptions());

        scales[0].Should().Be(1.5f);
        scales.Should().Contain(1f);
        scales[^1].Should().BeApproximately(640f / 3744, 1e-6f, "the last level holds the whole photo in one tile");
        scales.Should().BeInDescendingOrder();
    }

    [TestCase("DETECTOR_TILE_SIZE", "2080")]
    [TestCase("DETECTOR_TILE_SIZE", "650")]
    [TestCase("DETECTOR_TILE_OVERLAP", "400")]
    [TestCase("DETECTOR_TILE_UPSCALE", "0.5")]
    [TestCase("DETECTOR_PIXEL_BUDGET", "-1")]
    [TestCase("DETECTOR_SMALL_FACE_SIZE", "-3")]
    [TestCase("DETECTOR_SMALL_FACE_SCORE_THRESHOLD", "2")]
    public void A_tile_setting_out_of_range_is_refused_naming_it(string setting, string value)
    {
        var options = TestDetector.DefaultOptions();
        new ConfigurationBuilder().AddInMemoryCollection([new(setting, value)]).Build().Bind(options);

        options.Validate().Should().ContainSingle().Which.Should().StartWith(setting);
    }

    [Test]
    public void A_tile_size_the_n_model_cannot_take_is_refused_naming_the_setting()
    {
        var options = TestDetector.DefaultOptions();
        options.TileSize = 512;

        var create = () => new PhotoFaceDetector(options);

        create.Should().Throw<DetectorModelException>().WithMessage("DETECTOR_TILE_SIZE:*640x640*");
    }

    /// <summary>What the search may add to the process's peak resident memory for a 50 MP photo (measured: see BENCHMARKS).</summary>
    private const long MaxSearchMemory = 250L << 20;
}
