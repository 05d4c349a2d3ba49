using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Testing.Evaluation;
using OpenCvSharp;

namespace FaceBlur.Tests.Support;

/// <summary>
/// Large test photos made of real faces: a face of a dlib-faces photo, with its head and some background around it,
/// scaled and pasted onto a plain canvas of any size. The face box is known exactly in the result.
/// </summary>
internal static class SyntheticPhotos
{
    /// <summary>A frontal 109 px face of 2008_002506.jpg (the largest annotated face of the set).</summary>
    private const string SourcePhoto = "2008_002506.jpg";

    /// <summary>A plain canvas of a muted wall colour.</summary>
    public static Mat Canvas(int width, int height) => new(height, width, MatType.CV_8UC3, new Scalar(120, 135, 150));

    /// <summary>
    /// Pastes the face, scaled so that its box is <paramref name="faceSide"/> px, with its box's top-left corner at
    /// (<paramref name="x"/>, <paramref name="y"/>), together with half a face of surroundings on every side (clipped to
    /// the canvas). Returns the face box in canvas pixels.
    /// </summary>
    public static FaceBox PasteFace(Mat canvas, float x, float y, float faceSide)
    {
        ArgumentNullException.ThrowIfNull(canvas);
        var truth = EvalDataset.Load(TestPaths.DlibFaces).Images.Single(i => Path.GetFileName(i.Path) == SourcePhoto);
        var face = truth.Faces.MaxBy(f => f.Width);
        using var photo = Cv2.ImRead(TestPaths.DlibImage(SourcePhoto), ImreadModes.Color);

        // The face with half its size of surroundings on each side, clipped to the source photo.
        var margin = face.Width / 2;
        var source = new FaceBox(face.X - margin, face.Y - margin, face.Width + (2 * margin), face.Height + (2 * margin), 1).ToRect(photo.Width, photo.Height);
        var scale = faceSide / face.Width;
        using var patch = new Mat();
        using var region = new Mat(photo, source);
        var interpolation = scale < 1 ? InterpolationFlags.Area : InterpolationFlags.Cubic;
        Cv2.Resize(region, patch, new Size(Math.Max(1, (int)Math.Round(source.Width * scale)), Math.Max(1, (int)Math.Round(source.Height * scale))), 0, 0, interpolation);

        // Where the patch lands so that the face box starts at (x, y), clipped to the canvas.
        var left = (int)Math.Round(x - ((face.X - source.X) * scale));
        var top = (int)Math.Round(y - ((face.Y - source.Y) * scale));
        var target = new Rect(left, top, patch.Width, patch.Height).Intersect(new Rect(0, 0, canvas.Width, canvas.Height));
        using (var from = new Mat(patch, new Rect(target.X - left, target.Y - top, target.Width, target.Height)))
        using (var to = new Mat(canvas, target))
        {
            from.CopyTo(to);
        }

        var faceX = left + ((face.X - source.X) * scale);
        var faceY = top + ((face.Y - source.Y) * scale);
        return new FaceBox(faceX, faceY, face.Width * scale, face.Height * scale, 1);
    }
}
