using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Video;
using FaceBlur.Testing.Evaluation;
using FaceBlur.Tests.Support;
using OpenCvSharp;

namespace FaceBlur.Tests.Detection;

/// <summary>The ONNX Runtime path of YuNet, which the video detector uses.</summary>
[Unit]
public class OnnxRuntimeDetectorTests
{
    /// <summary>
    /// The same network read by both runtimes (YuNet 2023mar at its fixed 640x640 input for ONNX Runtime) gives the same
    /// candidates: the tensor layout, channel order and output decoding of the ONNX Runtime path match OpenCV's.
    /// </summary>
    [Test]
    public void OnnxRuntime_and_OpenCv_find_the_same_faces_with_the_same_network()
    {
        using var onnx = new OnnxYuNetModel(TestPaths.DetectorModel, "TEST", threads: 1);
        using var opencv = new YuNetModel(TestPaths.DetectorModel, "TEST", null);
        onnx.FixedInputSize.Should().Be(640);
        using var photo = Cv2.ImRead(TestPaths.DlibImage("2007_007763.jpg"), ImreadModes.Color);
        using var input = new Mat(640, 640, MatType.CV_8UC3, Scalar.All(0));
        using (var target = new Mat(input, new Rect(0, 0, photo.Width, photo.Height)))
        {
            photo.CopyTo(target);
        }

        var a = BoxFusion.Nms(onnx.Detect(input, 0.5f), 0.3f);
        var b = BoxFusion.Nms(opencv.Detect(input, 0.5f), 0.3f);

        a.Should().HaveCountGreaterThanOrEqualTo(5).And.HaveCount(b.Count);
        foreach (var face in a)
        {
            var twin = b.MaxBy(o => o.IoU(face));
            twin.IoU(face).Should().BeGreaterThan(0.97f);
            twin.Score.Should().BeApproximately(face.Score, 0.01f);
        }
    }

    [Test]
    public void The_video_detector_covers_every_face_of_the_dlib_set()
    {
        var dataset = EvalDataset.Load(TestPaths.DlibFaces);
        var total = new EvalCounts();
        foreach (var image in dataset.Images)
        {
            using var mat = Cv2.ImRead(image.Path, ImreadModes.Color);
            var detections = TestDetector.Video.Detect(mat);
            total.Add(EvalMetrics.Score(image.Faces, detections, AnonymizeOptions.DefaultPadding));
        }

        TestContext.Out.WriteLine($"coverage {total.CoverageRecall:0.000}, false positives {total.FalsePositives}");
        total.CountedFaces.Should().Be(43);
        total.CoverageRecall.Should().Be(1.0);
    }

    [Test]
    public void A_video_model_with_a_fixed_input_size_is_refused_naming_its_setting()
    {
        var options = VideoAnonymizer.DetectorOptionsFor(
            TestDetector.DefaultOptions(), new VideoOptions { DetectorModelPath = TestPaths.DetectorModel });

        var create = () => new YuNetFaceDetector(options);

        create.Should().Throw<DetectorModelException>().WithMessage("VIDEO_DETECTOR_MODEL_PATH:*fixed input size*");
    }

    [Test]
    public void A_file_that_is_not_a_model_is_refused_naming_its_setting()
    {
        var path = Path.Combine(Path.GetTempPath(), "faceblur-not-a-model-" + Guid.NewGuid().ToString("N") + ".onnx");
        File.WriteAllText(path, "not a network");
        try
        {
            var create = () => new OnnxYuNetModel(path, "VIDEO_DETECTOR_MODEL_PATH", 1);
            create.Should().Throw<DetectorModelException>().WithMessage("VIDEO_DETECTOR_MODEL_PATH:*cannot be loaded*");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
