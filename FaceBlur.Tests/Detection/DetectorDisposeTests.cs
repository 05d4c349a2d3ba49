using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Video;
using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Detection;

/// <summary>
/// A stopping host disposes the detector while a job's thread may still be inside it: disposing waits for the calls
/// that run (freeing a network under a running call ended the whole process with SIGSEGV), later calls are refused.
/// </summary>
[Unit]
public class DetectorDisposeTests
{
    [Test]
    public void The_photo_detector_disposed_during_a_tiled_search_lets_it_finish_then_refuses_calls()
    {
        var detector = new PhotoFaceDetector(TestDetector.DefaultOptions());
        using var photo = SyntheticPhotos.Canvas(4000, 3000);
        SyntheticPhotos.PasteFace(photo, 2717, 1843, 40);

        AssertDisposeWaitsForTheRunningCall(() => detector.Detect(photo), detector.Dispose);

        FluentActions.Invoking(() => detector.Detect(photo)).Should().Throw<ObjectDisposedException>();
    }

    [Test]
    public void The_video_detector_disposed_during_a_call_lets_it_finish_then_refuses_calls()
    {
        var options = VideoAnonymizer.DetectorOptionsFor(TestDetector.DefaultOptions(), new VideoOptions { DetectorModelPath = TestPaths.VideoDetectorModel });
        var detector = new YuNetFaceDetector(options);
        using var photo = SyntheticPhotos.Canvas(1920, 1080);
        SyntheticPhotos.PasteFace(photo, 900, 400, 80);

        AssertDisposeWaitsForTheRunningCall(() => detector.Detect(photo), detector.Dispose);

        FluentActions.Invoking(() => detector.Detect(photo)).Should().Throw<ObjectDisposedException>();
    }

    private static void AssertDisposeWaitsForTheRunningCall(Func<IReadOnlyList<FaceBox>> detect, Action dispose)
    {
        using var inside = new ManualResetEventSlim();
        IReadOnlyList<FaceBox>? found = null;
        var caller = new Thread(() =>
        {
            // Several calls in a row so that Dispose lands while one of them is running.
            inside.Set();
            for (var i = 0; i < 3; i++)
            {
                try
                {
                    found = detect();
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
            }
        });
        caller.Start();
        inside.Wait();
        Thread.Sleep(50);

        dispose();

        caller.Join(TimeSpan.FromSeconds(60)).Should().BeTrue();
        found.Should().NotBeNull("the call running when Dispose came ended with its faces");
        found!.Should().NotBeEmpty();
    }
}
