using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Testing.Evaluation;
using OpenCvSharp;

namespace FaceBlur.Testing.Video;

/// <summary>
/// The annotated eval photos a synthetic clip is made of, loaded once, drawn into frames at any place and size with
/// their faces' boxes (the ground truth) moved along.
/// </summary>
public sealed class ClipPhotos : IDisposable
{
    private readonly List<EvalImage> photos;
    private readonly List<Mat> loaded = [];

    /// <summary>Loads the first <paramref name="count"/> photos with faces of the eval set in <paramref name="evalDir"/>.</summary>
    public ClipPhotos(string evalDir, int count)
    {
        photos = [.. EvalDataset.Load(evalDir).Images.Where(i => i.Faces.Count > 0).Take(count)];
        foreach (var photo in photos)
        {
            var mat = Cv2.ImRead(photo.Path, ImreadModes.Color);
            if (mat.Empty())
            {
                mat.Dispose();
                Dispose();
                throw new InvalidOperationException($"cannot read {photo.Path}");
            }

            loaded.Add(mat);
        }
    }

    public int Count => photos.Count;

    /// <summary>The size of photo <paramref name="index"/> drawn <paramref name="height"/> px high (fractional: the photo is scaled by height / its rows).</summary>
    public (int Width, int Height) Size(int index, double height)
    {
        var photo = loaded[index];
        var scale = height / photo.Rows;
        return (Math.Max(2, (int)Math.Round(photo.Cols * scale)), Math.Max(2, (int)Math.Round(photo.Rows * scale)));
    }

    /// <summary>
    /// Draws photo <paramref name="index"/> <paramref name="height"/> px high (see <see cref="Size"/>) with its top-left
    /// corner at (<paramref name="x"/>, <paramref name="y"/>), clipped to the frame; adds the boxes of its faces that
    /// touch the frame to <paramref name="faces"/>, and returns the area it covers.
    /// </summary>
    public Rect Draw(Mat frame, int index, int x, int y, double height, List<FaceBox> faces)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(faces);
        var (photo, info) = (loaded[index], photos[index]);
        var (w, h) = (frame.Cols, frame.Rows);
        var (pw, ph) = Size(index, height);
        var dst = new Rect(x, y, pw, ph).Intersect(new Rect(0, 0, w, h));
        if (dst.Width <= 0 || dst.Height <= 0)
        {
            return dst;
        }

        using (var resized = new Mat())
        {
            Cv2.Resize(photo, resized, new Size(pw, ph), 0, 0, InterpolationFlags.Area);
            using var from = new Mat(resized, new Rect(dst.X - x, dst.Y - y, dst.Width, dst.Height));
            using var to = new Mat(frame, dst);
            from.CopyTo(to);
        }

        foreach (var face in info.Faces)
        {
            var box = new FaceBox(
                (float)(x + face.X * pw / info.Width),
                (float)(y + face.Y * ph / info.Height),
                (float)(face.Width * pw / info.Width),
                (float)(face.Height * ph / info.Height),
                1);
            if (box.Right > 0 && box.Bottom > 0 && box.X < w && box.Y < h)
            {
                faces.Add(box);
            }
        }

        return dst;
    }

    /// <summary>
    /// The faces of photos drawn in order (later ones on top) that stay visible: a face is ground truth only while the
    /// photos drawn after its own leave it (nearly) uncovered.
    /// </summary>
    public static List<FaceBox> Visible(IReadOnlyList<(Rect Area, List<FaceBox> Faces)> drawn)
    {
        ArgumentNullException.ThrowIfNull(drawn);
        var visible = new List<FaceBox>();
        for (var i = 0; i < drawn.Count; i++)
        {
            visible.AddRange(drawn[i].Faces.Where(face => drawn.Skip(i + 1).All(p => Overlap(face, p.Area) < 0.1)));
        }

        return visible;
    }

    public void Dispose()
    {
        foreach (var mat in loaded)
        {
            mat.Dispose();
        }

        loaded.Clear();
    }

    /// <summary>Share of <paramref name="face"/>'s area inside <paramref name="area"/>.</summary>
    private static double Overlap(FaceBox face, Rect area)
    {
        var ix = Math.Max(0, Math.Min(face.Right, area.Right) - Math.Max(face.X, area.X));
        var iy = Math.Max(0, Math.Min(face.Bottom, area.Bottom) - Math.Max(face.Y, area.Y));
        return face.Area <= 0 ? 0 : ix * iy / face.Area;
    }
}
