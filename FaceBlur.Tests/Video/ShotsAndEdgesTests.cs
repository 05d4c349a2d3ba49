using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Video;
using FaceBlur.Testing.Video;
using FaceBlur.Tests.Support;
using OpenCvSharp;

namespace FaceBlur.Tests.Video;

/// <summary>
/// What a viewer sees first: no blur left behind after a cut or a fade, no half face at the edge, small faces at 4K.
/// Clips are built from the eval photos with their ground truth (<see cref="ShotClip"/>).
/// </summary>
[TestFixture]
[NonParallelizable]
[Integration]
public sealed class ShotsAndEdgesTests
{
    private static readonly AnonymizeOptions Unpadded = AnonymizeOptions.Default with { Padding = 0 };

    private string dir = "";

    [OneTimeSetUp]
    public void CreateDirectory()
    {
        dir = Path.Combine(Path.GetTempPath(), "faceblur-shots-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
    }

    [OneTimeTearDown]
    public void RemoveDirectory() => Directory.Delete(dir, recursive: true);

    [TearDown]
    public void NoFfmpegLeft() => VideoTestMedia.ChildFfmpegProcesses().Should().BeEmpty("every ffmpeg run ends with the call");

    [Test]
    public async Task After_a_cut_no_region_of_the_first_shot_is_left_in_the_second_and_none_of_the_second_reaches_back()
    {
        // Shot one's faces on the left half, shot two's on the right half.
        Shot[] shots =
        [
            new(0, 0.5, 0, [new(0, 0.7, 0.28, 0.45, 0.30, 0.50)]),
            new(0.5, 1, 1, [new(5, 0.7, 0.72, 0.50, 0.70, 0.45)]),
        ];

        var (truth, result) = await AnonymizeAsync("cut", shots, 2.4, TestDetector.Video, anonymize: AnonymizeOptions.Default);

        Hidden(truth, result).Should().Be((0, 0, 0));
    }

    [Test]
    public async Task A_fade_out_and_in_leaves_no_region_of_the_first_shot_in_the_second()
    {
        Shot[] shots =
        [
            new(0, 0.5, 0, [new(0, 0.7, 0.28, 0.45, 0.30, 0.50)]) { FadeOut = 0.4 },
            new(0.5, 1, 1, [new(5, 0.7, 0.72, 0.50, 0.70, 0.45)]) { FadeIn = 0.4 },
        ];

        var (truth, result) = await AnonymizeAsync("fade", shots, 3, TestDetector.Video, anonymize: AnonymizeOptions.Default);

        Hidden(truth, result).Should().Be((0, 0, 0));
    }

    [TestCase("left", -0.3, 0.5, 1.3, 0.5, 0.5, 3.0)]
    [TestCase("right", 1.3, 0.5, -0.3, 0.5, 0.5, 3.0)]
    [TestCase("top", 0.5, -0.45, 0.5, 1.45, 0.5, 3.0)]
    [TestCase("bottom", 0.5, 1.45, 0.5, -0.45, 0.5, 3.0)]
    [TestCase("left", -0.3, 0.5, 1.3, 0.5, 1.0, 1.2)]
    [TestCase("right", 1.3, 0.5, -0.3, 0.5, 1.0, 1.2)]
    [TestCase("top", 0.5, -0.45, 0.5, 1.45, 1.0, 1.2)]
    [TestCase("bottom", 0.5, 1.45, 0.5, -0.45, 1.0, 1.2)]
    public async Task A_face_entering_at_an_edge_is_hidden_from_its_first_visible_frame_and_while_it_leaves(
        string edge, double fromX, double fromY, double toX, double toY, double insideToBeFound, double seconds)
    {
        // One photo crossing the picture in 3 s (9-10 px per frame) or 1.2 s (22-24 px per frame), its two faces 46 and
        // 55 px; the detector finds a face only while half of it (as the issue puts it) or all of it is inside (a stricter
        // detector: a fast face is then first found away from the edge it came from).
        Shot[] shots = [new(0, 1, 2, [new(2, 0.8, fromX, fromY, toX, toY)])];
        var detector = new PartlyInsideDetector(480, 360, insideToBeFound);

        var (truth, result) = await AnonymizeAsync($"edge-{edge}-{insideToBeFound}", shots, seconds, detector, new VideoOptions { DetectionParallelism = 1 }, detector);

        detector.Found.Should().BeGreaterThan(10, "the detector does find the faces once they are inside enough");
        detector.Missed.Should().BeGreaterThan(2, "the faces are partly visible before and after that");

        // 24 px at 1080p is 8 px at 360p: from the first frame in which 8 px of a face show, it is hidden, even with
        // no padding around the boxes (the padding is the user's choice, from 0; this detector's boxes are the
        // annotations themselves, where a real detector's are drawn a little differently and need the default padding).
        var coverage = ClipMeasures.Coverage(truth.Faces, ClipMeasures.RegionsByFrame(result.Tracks), Unpadded, 480, 360, minSide: 8);
        coverage.FacesChecked.Should().BeGreaterThan(20);
        coverage.UncoveredFrames.Should().Be(0, $"worst coverage {coverage.WorstCoverage:0.00}");
    }

    [TestCase("left", 0.45, 0.5, -0.015, 0.5)]
    [TestCase("right", 0.55, 0.5, 1.021, 0.5)]
    [TestCase("top", 0.5, 0.6, 0.5, 0.183)]
    [TestCase("bottom", 0.5, 0.4, 0.5, 0.995)]
    public async Task A_face_that_stops_partly_outside_the_picture_stays_hidden_until_it_comes_back(
        string edge, double insideX, double insideY, double edgeX, double edgeY)
    {
        // A person walks to the edge of the picture (18 px per frame), stays there for 0.4 s with most of the face
        // outside (2008_001009's faces 24-43% inside at the left and right edges, one of them at the top or bottom:
        // 8-27 px showing), then walks back. The detector sees only the visible part, and only while half of a face is
        // inside: while the face stays at the edge it is lost, and the hidden box must stay where the face stopped
        // rather than go on at the speed it came with. The three shots share one backdrop: no cut.
        Shot[] shots =
        [
            new(0, 0.3125, 0, [new(2, 0.8, insideX, insideY, edgeX, edgeY)]),
            new(0.3125, 0.5625, 0, [new(2, 0.8, edgeX, edgeY, edgeX, edgeY)]),
            new(0.5625, 1, 0, [new(2, 0.8, edgeX, edgeY, insideX, insideY)]),
        ];
        var detector = new PartlyInsideDetector(480, 360, 0.5);

        var (truth, result) = await AnonymizeAsync($"stop-{edge}", shots, 1.6, detector, new VideoOptions { DetectionParallelism = 1 }, detector);

        var straddling = truth.Faces.Skip(13).Take(10).Count(faces => faces.Any(f => f.X < 0 || f.Y < 0 || f.Right > 480 || f.Bottom > 360));
        straddling.Should().Be(10, "a face is partly outside the picture while the person stays at the edge");
        var coverage = ClipMeasures.Coverage(truth.Faces, ClipMeasures.RegionsByFrame(result.Tracks), Unpadded, 480, 360, minSide: 8);
        coverage.UncoveredFrames.Should().Be(0, $"worst coverage {coverage.WorstCoverage:0.00}");
    }

    [Test]
    public async Task At_4k_faces_of_51_and_60_px_are_hidden_in_every_frame()
    {
        // 2008_001009's faces are 15.8% and 19% of its height: drawn 320 px high they are 51 and 60 px (10 and 12 px in
        // the every-frame scan's copy, too small for it; 14 and 17 px in the fine scan's), walking across the picture at
        // 6% of its width per second (8 px per frame at 30 fps).
        Shot[] shots = [new(0, 1, 0, [new(2, 320 / 2160.0, 0.35, 0.4, 0.38, 0.42)])];
        var spec = new SyntheticClipSpec { Width = 3840, Height = 2160, FramesPerSecond = 30, Audio = false };

        var (truth, result) = await AnonymizeAsync("4k", shots, 0.5, TestDetector.Video, spec: spec, anonymize: AnonymizeOptions.Default);

        var faces = truth.Faces.SelectMany(f => f).ToList();
        faces.Should().HaveCount(30).And.OnlyContain(f => f.Width >= 50 && f.Width <= 61);
        var coverage = ClipMeasures.Coverage(truth.Faces, ClipMeasures.RegionsByFrame(result.Tracks), AnonymizeOptions.Default, 3840, 2160, minSide: 48);
        coverage.FacesChecked.Should().Be(30);
        coverage.UncoveredFrames.Should().Be(0, $"worst coverage {coverage.WorstCoverage:0.00}");
    }

    /// <summary>Ghost frames, stray frames (see <see cref="ClipMeasures.Ghosts"/>), and regions of the second shot reaching back before the cut.</summary>
    private static (int Uncovered, int Ghosts, int ReachingBack) Hidden(ShotClipTruth truth, VideoResult result)
    {
        var anonymize = AnonymizeOptions.Default;
        var regions = ClipMeasures.RegionsByFrame(result.Tracks);
        var uncovered = ClipMeasures.Coverage(truth.Faces, regions, anonymize, 480, 360, minSide: 8).UncoveredFrames;
        var (ghosts, _) = ClipMeasures.Ghosts(truth, result.Tracks, anonymize, 480, 360, window: 30);
        var cut = truth.Cuts.Single();
        var secondShot = truth.Frames.Skip(cut).SelectMany(f => f.Drawn).ToList();
        var firstShot = truth.Frames.Take(cut).SelectMany(f => f.Drawn).ToList();
        var reachingBack = Enumerable.Range(0, cut).Count(f => regions.TryGetValue(f, out var boxes) && boxes.Any(b =>
            secondShot.Any(face => Overlaps(b, face)) && !firstShot.Any(face => Overlaps(b, face))));
        return (uncovered, ghosts, reachingBack);
    }

    private static bool Overlaps(FaceBox a, FaceBox b) =>
        Math.Min(a.Right, b.Right) > Math.Max(a.X, b.X) && Math.Min(a.Bottom, b.Bottom) > Math.Max(a.Y, b.Y);

    private async Task<(ShotClipTruth Truth, VideoResult Result)> AnonymizeAsync(
        string name, Shot[] shots, double seconds, IFaceDetector detector, VideoOptions? options = null, PartlyInsideDetector? script = null, SyntheticClipSpec? spec = null, AnonymizeOptions? anonymize = null)
    {
        var clip = Path.Combine(dir, name + ".mp4");
        spec ??= new SyntheticClipSpec { Width = 480, Height = 360, FramesPerSecond = 25, Audio = false };
        var truth = ShotClip.Create(TestPaths.DlibFaces, clip, spec with { Seconds = seconds }, shots);
        script?.Play(truth);

        var result = await new VideoAnonymizer(detector, options ?? new VideoOptions())
            .AnonymizeAsync(clip, Path.Combine(dir, name + "-out.mp4"), anonymize ?? Unpadded, null, CancellationToken.None);

        result.IsSuccess.Should().BeTrue(result.Error?.Message);
        result.Value!.Frames.Should().Be(truth.Frames.Count);
        return (truth, result.Value);
    }

    /// <summary>
    /// Finds the clip's faces (called once per frame, in order) when at least <paramref name="inside"/> of a face's box is
    /// inside the picture, and then only the part inside: a detector's view of a face cut by the edge.
    /// </summary>
    private sealed class PartlyInsideDetector(int width, int height, double inside) : IFaceDetector
    {
        private IReadOnlyList<FrameFaces> frames = [];
        private int calls;

        public int Found { get; private set; }

        public int Missed { get; private set; }

        public void Play(ShotClipTruth truth) => frames = truth.Frames;

        public IReadOnlyList<FaceBox> Detect(Mat bgrImage, CancellationToken cancellationToken = default)
        {
            var faces = new List<FaceBox>();
            foreach (var face in frames[calls++].Drawn)
            {
                var (x1, y1) = (Math.Max(0, face.X), Math.Max(0, face.Y));
                var (x2, y2) = (Math.Min(width, face.Right), Math.Min(height, face.Bottom));
                var visible = Math.Max(0, x2 - x1) * Math.Max(0, y2 - y1);
                if (visible >= face.Area * inside * 0.999)
                {
                    faces.Add(new FaceBox(x1, y1, x2 - x1, y2 - y1, 0.9f));
                    Found++;
                }
                else if (visible > 0)
                {
                    Missed++;
                }
            }

            return faces;
        }
    }
}
