using FaceBlur.Modules.Processing.Detection;
using OpenCvSharp;

namespace FaceBlur.Testing.Video;

/// <summary>How <see cref="SyntheticClip.Create"/> builds a clip.</summary>
public sealed record SyntheticClipSpec
{
    public int Width { get; init; } = 1920;

    public int Height { get; init; } = 1080;

    public int FramesPerSecond { get; init; } = 30;

    public double Seconds { get; init; } = 10;

    /// <summary>Where in the (endless) motion the clip starts, in seconds: a moment of a long clip, reproduced in a short one.</summary>
    public double StartSeconds { get; init; }

    /// <summary>How many eval photos move around the frame (each carries its annotated faces).</summary>
    public int Sprites { get; init; } = 4;

    /// <summary>Photo size relative to the frame height, at the smallest and largest zoom.</summary>
    public double MinZoom { get; init; } = 0.35;

    public double MaxZoom { get; init; } = 0.7;

    /// <summary>Speed of the photos, in frame heights per second.</summary>
    public double Speed { get; init; } = 0.15;

    public bool Audio { get; init; } = true;

    /// <summary>ffmpeg output arguments for the video stream (codec and its options).</summary>
    public IReadOnlyList<string> VideoCodecArguments { get; init; } = ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-pix_fmt", "yuv420p"];

    /// <summary>ffmpeg output arguments for the audio stream.</summary>
    public IReadOnlyList<string> AudioCodecArguments { get; init; } = ["-c:a", "aac", "-b:a", "128k"];

    /// <summary>Extra output arguments before the file (e.g. <c>-f mov</c>).</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];
}

/// <summary>
/// Builds a test clip from the annotated eval photos: photos drifting and zooming over a gradient, each around its own
/// cell of the frame, with the ground-truth face boxes of every frame (see <see cref="ClipWriter"/>).
/// </summary>
public static class SyntheticClip
{
    /// <summary>Writes the clip to <paramref name="outputPath"/> and returns the face boxes of each frame (in frame pixels).</summary>
    public static IReadOnlyList<IReadOnlyList<FaceBox>> Create(string evalDir, string outputPath, SyntheticClipSpec spec, string ffmpeg = "ffmpeg")
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var photos = new ClipPhotos(evalDir, spec.Sprites);
        using var background = Gradient(spec.Width, spec.Height);
        var faces = ClipWriter.Write(outputPath, spec, ffmpeg, (f, frame) =>
        {
            background.CopyTo(frame);
            var t = spec.StartSeconds + (f / (double)spec.FramesPerSecond);
            var drawn = new List<(Rect Area, List<FaceBox> Faces)>();
            for (var i = 0; i < photos.Count; i++)
            {
                var faces = new List<FaceBox>();
                drawn.Add((Place(frame, photos, i, t, spec, faces), faces));
            }

            return new FrameFaces(ClipPhotos.Visible(drawn), [.. drawn.SelectMany(d => d.Faces)]);
        });
        return [.. faces.Select(f => f.Visible)];
    }

    /// <summary>A horizontal colour gradient (no texture): the drifting clip's background.</summary>
    public static Mat Gradient(int w, int h)
    {
        var pixels = new Vec3b[w];
        for (var x = 0; x < w; x++)
        {
            pixels[x] = new Vec3b((byte)(60 + 80 * x / w), 90, (byte)(140 - 60 * x / w));
        }

        using var row = Mat.FromPixelData(1, w, MatType.CV_8UC3, pixels);
        var bg = new Mat();
        Cv2.Repeat(row, h, 1, bg);
        return bg;
    }

    /// <summary>Draws photo <paramref name="i"/> at its place at time <paramref name="t"/>, adds its faces' boxes, returns where it went.</summary>
    private static Rect Place(Mat frame, ClipPhotos photos, int i, double t, SyntheticClipSpec spec, List<FaceBox> faces)
    {
        var (w, h) = (frame.Cols, frame.Rows);
        var count = photos.Count;
        var phase = i * 2 * Math.PI / count;
        var zoom = spec.MinZoom + (spec.MaxZoom - spec.MinZoom) * (0.5 + 0.5 * Math.Sin(t * 1.3 + phase));
        var (pw, ph) = photos.Size(i, zoom * h);

        // Each photo drifts around its own cell on an ellipse; the cells tile the frame.
        var columns = (int)Math.Ceiling(Math.Sqrt(count));
        var rows = (int)Math.Ceiling(count / (double)columns);
        var cellW = w / (double)columns;
        var cellH = h / (double)rows;
        var cx = cellW * (i % columns + 0.5);
        var cy = cellH * (i / columns + 0.5);
        var radius = spec.Speed * h / 1.0;
        var angle = t * (spec.Speed * h / Math.Max(1, radius)) + phase;
        var x = (int)Math.Round(cx + radius * 0.5 * Math.Cos(angle) - pw / 2.0);
        var y = (int)Math.Round(cy + radius * 0.3 * Math.Sin(angle) - ph / 2.0);
        return photos.Draw(frame, i, x, y, zoom * h, faces);
    }
}
