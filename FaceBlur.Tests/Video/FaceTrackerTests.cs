using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Video;
using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Video;

/// <summary>The tracker's decisions that the look-ahead builds on, and boxes at the frame's edge.</summary>
[Unit]
public class FaceTrackerTests
{
    private const int W = 640;
    private const int H = 360;

    [Test]
    public void A_face_found_again_after_missed_frames_is_backfilled_from_where_it_was_last_seen()
    {
        var tracker = new FaceTracker(15, W, H);
        var first = new FaceBox(100, 100, 40, 40, 0.9f);
        var again = new FaceBox(130, 104, 40, 40, 0.8f);

        var born = tracker.Update(0, [first]);
        var missed = Enumerable.Range(1, 4).Select(f => tracker.Update(f, [])).ToList();
        var found = tracker.Update(5, [again]);

        born.Backfills.Should().ContainSingle().Which.IsNewFace.Should().BeTrue();
        missed.Should().AllSatisfy(step => step.Backfills.Should().BeEmpty()).And.AllSatisfy(step => step.Regions.Should().ContainSingle());
        var backfill = found.Backfills.Should().ContainSingle().Subject;
        (backfill.After, backfill.From, backfill.Face.Box).Should().Be((0L, first, again));
        backfill.Face.TrackId.Should().Be(born.Backfills[0].Face.TrackId, "the same face, not a new one");
        tracker.TracksStarted.Should().Be(1);
    }

    [Test]
    public void A_small_face_seen_only_by_every_fifth_frames_scan_keeps_its_track_while_it_moves()
    {
        // 30 px, 7 px per frame: 35 px (more than its size) between two sightings.
        var tracker = new FaceTracker(15, W, H);
        for (var f = 0; f <= 20; f++)
        {
            tracker.Update(f, f % 5 == 0 ? [new FaceBox(50 + (7 * f), 100, 30, 30, 0.7f)] : []);
        }

        tracker.TracksStarted.Should().Be(1);
        tracker.ConfirmedTracks.Should().Be(1);
    }

    [Test]
    public void Faces_far_apart_are_not_taken_for_one_face_however_long_unseen()
    {
        var tracker = new FaceTracker(15, W, H);
        tracker.Update(0, [new FaceBox(100, 100, 30, 30, 0.9f)]);
        for (var f = 1; f < 10; f++)
        {
            tracker.Update(f, []);
        }

        var step = tracker.Update(10, [new FaceBox(175, 100, 30, 30, 0.9f)]);

        step.Backfills.Should().ContainSingle().Which.IsNewFace.Should().BeTrue("2.5 face sizes away is another face");
    }

    [Test]
    public void After_EndAll_no_face_is_held()
    {
        var tracker = new FaceTracker(15, W, H);
        tracker.Update(0, [new FaceBox(100, 100, 40, 40, 0.9f)]);
        tracker.Update(1, [new FaceBox(102, 100, 40, 40, 0.9f)]);

        tracker.EndAll();
        var step = tracker.Update(2, []);

        step.Regions.Should().BeEmpty();
        tracker.ConfirmedTracks.Should().Be(1, "faces already counted stay counted");
    }

    [Test]
    public void A_face_lost_at_the_edge_is_held_stretched_to_that_edge()
    {
        var tracker = new FaceTracker(15, W, H);
        tracker.Update(0, [new FaceBox(590, 100, 48, 40, 0.9f)]);
        tracker.Update(1, [new FaceBox(600, 100, 40, 40, 0.9f)]);

        var held = tracker.Update(2, []).Regions.Single().Box;

        held.Right.Should().BeGreaterThanOrEqualTo(W);
        held.X.Should().BeLessThanOrEqualTo(620, "the part of the frame where the face was last seen stays hidden");
    }

    [Test]
    public void Boxes_near_edges_are_stretched_to_them_and_others_are_left_alone()
    {
        var box = new FaceBox(20, 300, 30, 40, 0.9f);

        var edges = FrameEdges.Near(box, W, H, 30);

        edges.Should().Be(Edges.Left | Edges.Bottom);
        FrameEdges.StretchTo(box, edges, W, H).Should().Be(new FaceBox(0, 300, 50, 60, 0.9f));
        FrameEdges.StretchTo(box, Edges.None, W, H).Should().Be(box);
        FrameEdges.StretchTo(new FaceBox(-10, 10, 30, 30, 1), Edges.Left | Edges.Top, W, H).Should().Be(new FaceBox(-10, 0, 30, 40, 1), "a box past an edge keeps its size");
    }
}
