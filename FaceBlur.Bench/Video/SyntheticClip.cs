using System.Diagnostics;
using System.Globalization;
using FaceBlur.Bench.Evaluation;
using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Video;
using OpenCvSharp;

namespace FaceBlur.Bench.Video;

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
/// Builds a test clip from the annotated eval photos: photos moving and zooming over a gradient, written frame by frame
/// through an ffmpeg pipe (optionally with a 440 Hz sine track from lavfi), with the ground-truth face boxes of every frame.
/// </summary>
public static class SyntheticClip
{
    /// <summary>Writes the clip to <paramref name="outputPath"/> and returns the face boxes of each frame (in frame pixels).</summary>
    public static IReadOnlyList<IReadOnlyList<FaceBox>> Create(string evalDir, string outputPath, SyntheticClipSpec spec, string ffmpeg = "ffmpeg")
    {
        ArgumentNullException.ThrowIfNull(spec);
        var set = EvalDataset.Load(evalDir);
        var photos = set.Images.Where(i => i.Faces.Count > 0).Take(spec.Sprites).ToList();
        var loaded = new List<Mat>();
        try
        {
            foreach (var photo in photos)
            {
                var mat = Cv2.ImRead(photo.Path, ImreadModes.Color);
                if (mat.Empty())
                {
                    mat.Dispose();
                    throw new InvalidOperationException($"cannot read {photo.Path}");
                }

                loaded.Add(mat);
            }

            return Write(photos, loaded, outputPath, spec, ffmpeg);
        }
        finally
        {
            foreach (var mat in loaded)
            {
                mat.Dispose();
            }
        }
    }

    /// <summary>The boxes a video's tracks hid, per frame index (what <see cref="Coverage"/> measures).</summary>
    public static IReadOnlyDictionary<long, IReadOnlyList<FaceBox>> RegionsByFrame(IEnumerable<HiddenTrack> tracks) =>
        (tracks ?? throw new ArgumentNullException(nameof(tracks)))
            .SelectMany(t => t.Frames)
            .GroupBy(f => f.Index)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<FaceBox>)[.. g.Select(f => f.Box)]);

    /// <summary>
    /// Frames in which some ground-truth face of at least <paramref name="minSide"/> px (its part inside the frame) is
    /// less than <paramref name="minCoverage"/> covered by the anonymized regions, and the worst coverage seen. The regions
    /// are the padded boxes (the eval README's coverage metric) or, with <paramref name="shape"/> ellipse, the ellipses
    /// inscribed in them (what the default mask actually hides: stricter, since the eval boxes are squares).
    /// </summary>
    public static (int UncoveredFrames, double WorstCoverage, int FacesChecked) Coverage(
        IReadOnlyList<IReadOnlyList<FaceBox>> truth,
        IReadOnlyDictionary<long, IReadOnlyList<FaceBox>> regions,
        AnonymizeOptions anonymize,
        int width,
        int height,
        float minSide = 24,
        double minCoverage = 0.8,
        MaskShape shape = MaskShape.Rect,
        Action<string>? report = null)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(regions);
        ArgumentNullException.ThrowIfNull(anonymize);
        var uncovered = 0;
        var worst = 1.0;
        var checkedFaces = 0;
        for (var f = 0; f < truth.Count; f++)
        {
            var hidden = regions.TryGetValue(f, out var r) ? r.Select(b => b.Pad(anonymize.Padding)).ToList() : [];
            var bad = false;
            foreach (var face in truth[f])
            {
                var x1 = Math.Max(0, face.X);
                var y1 = Math.Max(0, face.Y);
                var x2 = Math.Min(width, face.Right);
                var y2 = Math.Min(height, face.Bottom);
                if (Math.Min(x2 - x1, y2 - y1) < minSide)
                {
                    continue;
                }

                checkedFaces++;
                var coverage = Covered(x1, y1, x2, y2, hidden, shape);
                worst = Math.Min(worst, coverage);
                if (coverage < minCoverage)
                {
                    bad = true;
                    report?.Invoke(string.Create(
                        System.Globalization.CultureInfo.InvariantCulture,
                        $"frame {f}: face {face.X:0},{face.Y:0} {face.Width:0}x{face.Height:0} covered {coverage:0.00}; nearest region {Nearest(face, hidden)}"));
                }
            }

            if (bad)
            {
                uncovered++;
            }
        }

        return (uncovered, worst, checkedFaces);
    }

    private static string Nearest(FaceBox face, List<FaceBox> hidden)
    {
        if (hidden.Count == 0)
        {
            return "none";
        }

        var best = hidden.MaxBy(b => b.IoU(face));
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{best.X:0},{best.Y:0} {best.Width:0}x{best.Height:0} (padded) iou {best.IoU(face):0.00}");
    }

    private static double Covered(float x1, float y1, float x2, float y2, List<FaceBox> hidden, MaskShape shape)
    {
        const int Samples = 24;
        var inside = 0;
        for (var i = 0; i < Samples; i++)
        {
            var py = y1 + (y2 - y1) * (i + 0.5f) / Samples;
            for (var j = 0; j < Samples; j++)
            {
                var px = x1 + (x2 - x1) * (j + 0.5f) / Samples;
                if (hidden.Any(b => Contains(b, px, py, shape)))
                {
                    inside++;
                }
            }
        }

        return inside / (double)(Samples * Samples);
    }

    private static bool Contains(FaceBox b, float x, float y, MaskShape shape)
    {
        if (shape == MaskShape.Rect)
        {
            return x >= b.X && x <= b.Right && y >= b.Y && y <= b.Bottom;
        }

        var dx = (x - (b.X + b.Width / 2)) / (b.Width / 2);
        var dy = (y - (b.Y + b.Height / 2)) / (b.Height / 2);
        return dx * dx + dy * dy <= 1;
    }

    private static List<IReadOnlyList<FaceBox>> Write(List<EvalImage> photos, List<Mat> loaded, string outputPath, SyntheticClipSpec spec, string ffmpeg)
    {
        var (w, h, fps) = (spec.Width, spec.Height, spec.FramesPerSecond);
        var frames = (int)Math.Round(spec.Seconds * fps);
        var inv = CultureInfo.InvariantCulture;
        var start = new ProcessStartInfo(ffmpeg) { RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-hide_banner", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24", "-video_size", $"{w}x{h}", "-framerate", fps.ToString(inv), "-i", "pipe:0" })
        {
            start.ArgumentList.Add(a);
        }

        if (spec.Audio)
        {
            foreach (var a in new[] { "-f", "lavfi", "-i", $"sine=frequency=440:sample_rate=48000:duration={spec.Seconds.ToString(inv)}" })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in spec.VideoCodecArguments.Concat(spec.Audio ? spec.AudioCodecArguments : []).Concat(spec.ExtraArguments).Append(outputPath))
        {
            start.ArgumentList.Add(a);
        }

        var truth = new List<IReadOnlyList<FaceBox>>(frames);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        using var background = Background(w, h);
        using var frame = new Mat(h, w, MatType.CV_8UC3);
        var buffer = new byte[w * h * 3];
        var stdin = process.StandardInput.BaseStream;
        for (var f = 0; f < frames; f++)
        {
            background.CopyTo(frame);
            var perPhoto = new List<(Rect Area, List<FaceBox> Faces)>();
            var t = spec.StartSeconds + (f / (double)fps);
            for (var i = 0; i < photos.Count; i++)
            {
                var faces = new List<FaceBox>();
                var area = Place(frame, loaded[i], photos[i], i, photos.Count, t, spec, faces);
                perPhoto.Add((area, faces));
            }

            // A face is ground truth only while the photos drawn after its own leave it (nearly) visible.
            var visible = new List<FaceBox>();
            for (var i = 0; i < perPhoto.Count; i++)
            {
                visible.AddRange(perPhoto[i].Faces.Where(face => perPhoto.Skip(i + 1).All(p => Overlap(face, p.Area) < 0.1)));
            }

            truth.Add(visible);
            System.Runtime.InteropServices.Marshal.Copy(frame.Data, buffer, 0, buffer.Length);
            stdin.Write(buffer);
        }

        stdin.Close();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("ffmpeg failed to write the clip: " + stderr.Result);
        }

        return truth;
    }

    /// <summary>Share of <paramref name="face"/>'s area inside <paramref name="area"/>.</summary>
    private static double Overlap(FaceBox face, Rect area)
    {
        var ix = Math.Max(0, Math.Min(face.Right, area.Right) - Math.Max(face.X, area.X));
        var iy = Math.Max(0, Math.Min(face.Bottom, area.Bottom) - Math.Max(face.Y, area.Y));
        return face.Area <= 0 ? 0 : ix * iy / face.Area;
    }

    /// <summary>Draws photo <paramref name="i"/> at its place at time <paramref name="t"/>, adds its faces' boxes, returns where it went.</summary>
    private static Rect Place(Mat frame, Mat photo, EvalImage info, int i, int count, double t, SyntheticClipSpec spec, List<FaceBox> faces)
    {
        var (w, h) = (frame.Cols, frame.Rows);
        var phase = i * 2 * Math.PI / count;
        var zoom = spec.MinZoom + (spec.MaxZoom - spec.MinZoom) * (0.5 + 0.5 * Math.Sin(t * 1.3 + phase));
        var scale = zoom * h / photo.Rows;
        var pw = Math.Max(2, (int)Math.Round(photo.Cols * scale));
        var ph = Math.Max(2, (int)Math.Round(photo.Rows * scale));

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

        using var resized = new Mat();
        Cv2.Resize(photo, resized, new Size(pw, ph), 0, 0, InterpolationFlags.Area);
        var dst = new Rect(x, y, pw, ph).Intersect(new Rect(0, 0, w, h));
        if (dst.Width <= 0 || dst.Height <= 0)
        {
            return dst;
        }

        using (var from = new Mat(resized, new Rect(dst.X - x, dst.Y - y, dst.Width, dst.Height)))
        using (var to = new Mat(frame, dst))
        {
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

    private static Mat Background(int w, int h)
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
}
