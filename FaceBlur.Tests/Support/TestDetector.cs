using FaceBlur.Modules.Processing;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Images;
using FaceBlur.Modules.Processing.Video;

namespace FaceBlur.Tests.Support;

/// <summary>One detector with the service's default settings, loaded once for the whole test run.</summary>
internal static class TestDetector
{
    private static readonly Lazy<PhotoFaceDetector> Shared = new(() => new PhotoFaceDetector(DefaultOptions()));

    private static readonly Lazy<YuNetFaceDetector> SharedVideo = new(() => new YuNetFaceDetector(VideoAnonymizer.DetectorOptionsFor(DefaultOptions(), new VideoOptions { DetectorModelPath = TestPaths.VideoDetectorModel })));

    public static IFaceDetector Instance => Shared.Value;

    /// <summary>The detector with the settings the service uses for video frames.</summary>
    public static IFaceDetector Video => SharedVideo.Value;

    /// <summary>The service's defaults, with the model paths pointing at the fetched weights.</summary>
    public static DetectorOptions DefaultOptions()
    {
        return new DetectorOptions { BasePath = TestPaths.RepoRoot, ModelPath = TestPaths.DetectorModel, ModelNPath = TestPaths.DetectorModelN };
    }

    public static ImageProcessor Processor(double maxMegapixels = 50) =>
        new(Instance, new ProcessingOptions { MaxImageMegapixels = maxMegapixels });
}
