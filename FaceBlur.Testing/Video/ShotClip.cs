using FaceBlur.Modules.Processing.Detection;
using OpenCvSharp;

namespace FaceBlur.Testing.Video;

/// <summary>
/// A photo moving in a straight line through a shot: its centre from (<paramref name="FromX"/>, <paramref name="FromY"/>)
/// at the shot's start to (<paramref name="ToX"/>, <paramref name="ToY"/>) at its end, x in frame widths and y in frame
/// heights (outside 0..1 is outside the picture: a photo entering or leaving), <paramref name="Zoom"/> its height in
/// frame heights.
/// </summary>
public sealed record ShotSprite(int Photo, double Zoom, double FromX, double FromY, double ToX, double ToY);

/// <summary>
/// One shot of a <see cref="ShotClip"/>, from <paramref name="Start"/> to <paramref name="End"/> (shares of the clip's
/// duration), on background <paramref name="Scene"/> (each number is its own textured backdrop).
/// </summary>
public sealed record Shot(double Start, double End, int Scene, IReadOnlyList<ShotSprite> Sprites)
{
    /// <summary>Seconds over which the shot comes up from black (its first two frames are black).</summary>
    public double FadeIn { get; init; }

    /// <summary>Seconds over which the shot goes down to black (its last frame is black).</summary>
    public double FadeOut { get; init; }

    /// <summary>Camera flashes: shares of the clip's duration at which two frames are overexposed.</summary>
    public IReadOnlyList<double> Flashes { get; init; } = [];

    /// <summary>The camera's pan: the backdrop moves left by this many frame widths per second.</summary>
    public double Pan { get; init; }
}

/// <summary>
/// A clip's ground truth: the faces of each frame (those to hide: <see cref="FrameFaces.Visible"/>; every face of the
/// shot: <see cref="FrameFaces.Drawn"/>), and the first frame of each shot after the first.
/// </summary>
public sealed record ShotClipTruth(IReadOnlyList<FrameFaces> Frames, IReadOnlyList<int> Cuts)
{
    public IReadOnlyList<IReadOnlyList<FaceBox>> Faces => [.. Frames.Select(f => f.Visible)];
}

/// <summary>
/// Builds a clip made of shots (hard cuts between them, fades through black, flashes, pans, photos entering and leaving
/// the picture) from the annotated eval photos, with its ground truth. A face is ground truth in a frame when it is
/// drawn, not covered by a photo drawn later, and lit at least <see cref="MinVisibleGain"/> of full brightness.
/// </summary>
public static class ShotClip
{
    /// <summary>Below this brightness (during a fade) a face counts as not visible.</summary>
    public const double MinVisibleGain = 0.2;

    /// <summary>
    /// <c>bench video --scenario cuts</c>: six shots in the clip's duration: four hard cuts, one fade out and in through
    /// black, a camera flash, a pan; photos entering at each of the four edges and leaving through each, some fast
    /// (14 px per frame at 1080p30), one slow (5 px per frame). Shots alternate the quarters of the frame their faces
    /// stay in, so that a region left over from the previous shot covers no face of the next.
    /// </summary>
    public static IReadOnlyList<Shot> CutsScenario() =>
    [
        new(0.00, 0.16, 0, [new(0, 0.45, 0.25, 0.30, 0.30, 0.32), new(5, 0.40, -0.20, 0.72, 0.22, 0.72)]),
        new(0.16, 0.32, 1, [new(1, 0.45, 0.76, 0.30, 0.72, 0.30), new(3, 0.40, 0.78, 0.76, 1.25, 0.76), new(7, 0.40, 0.50, -0.25, 0.50, 0.33)])
        {
            Flashes = [0.24],
        },
        new(0.32, 0.46, 2, [new(4, 0.45, 0.14, 0.40, -0.07, 0.40), new(6, 0.42, 1.17, 0.62, 0.96, 0.62)]) { Pan = 0.15, FadeOut = 0.4 },
        new(0.46, 0.66, 3, [new(2, 0.55, 0.28, 1.35, 0.28, 0.68), new(8, 0.45, 0.72, 1.30, 0.72, 1.00)]) { FadeIn = 0.4 },
        new(0.66, 0.82, 4, [new(1, 0.45, 0.72, 0.35, 0.72, -0.30), new(7, 0.40, 0.30, 0.60, 0.30, 1.35)]),
        new(0.82, 1.00, 5, [new(3, 0.40, 1.20, 0.30, 0.76, 0.30), new(6, 0.42, 0.30, 0.66, -0.25, 0.66)]),
    ];

    /// <summary>Writes the clip of <paramref name="shots"/> to <paramref name="outputPath"/> and returns its ground truth.</summary>
    public static ShotClipTruth Create(string evalDir, string outputPath, SyntheticClipSpec spec, IReadOnlyList<Shot> shots, string ffmpeg = "ffmpeg")
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(shots);
        using var photos = new ClipPhotos(evalDir, 1 + shots.SelectMany(s => s.Sprites).Max(s => s.Photo));
        var scenes = shots.Select(s => s.Scene).Distinct().ToDictionary(s => s, s => Scenery(s, spec.Width, spec.Height));
        try
        {
            // A shot starts at the first frame at or after its start time.
            var firstFrames = shots.Select(s => (int)Math.Ceiling((s.Start * spec.Seconds * spec.FramesPerSecond) - 1e-6)).ToList();
            var faces = ClipWriter.Write(outputPath, spec, ffmpeg, (f, frame) =>
            {
                var shot = shots[firstFrames.FindLastIndex(first => first <= f) is >= 0 and var i ? i : 0];
                return Render(frame, photos, scenes[shot.Scene], shot, f, spec);
            });
            return new ShotClipTruth(faces, firstFrames.Skip(1).ToList());
        }
        finally
        {
            foreach (var scene in scenes.Values)
            {
                scene.Dispose();
            }
        }
    }

    private static FrameFaces Render(Mat frame, ClipPhotos photos, Mat scenery, Shot shot, int f, SyntheticClipSpec spec)
    {
        var (w, h, fps) = (frame.Cols, frame.Rows, spec.FramesPerSecond);
        var seconds = f / (double)fps;
        var sinceStart = seconds - (shot.Start * spec.Seconds);
        var untilEnd = (shot.End * spec.Seconds) - seconds;
        var progress = Math.Clamp(sinceStart / ((shot.End - shot.Start) * spec.Seconds), 0, 1);

        var offset = (int)Math.Round(shot.Pan * w * sinceStart) % (scenery.Cols - w);
        using (var view = new Mat(scenery, new Rect(offset, 0, w, h)))
        {
            view.CopyTo(frame);
        }

        var drawn = new List<(Rect Area, List<FaceBox> Faces)>();
        foreach (var sprite in shot.Sprites)
        {
            var height = sprite.Zoom * h;
            var (pw, ph) = photos.Size(sprite.Photo, height);
            var cx = (sprite.FromX + ((sprite.ToX - sprite.FromX) * progress)) * w;
            var cy = (sprite.FromY + ((sprite.ToY - sprite.FromY) * progress)) * h;
            var faces = new List<FaceBox>();
            drawn.Add((photos.Draw(frame, sprite.Photo, (int)Math.Round(cx - (pw / 2.0)), (int)Math.Round(cy - (ph / 2.0)), height, faces), faces));
        }

        var gain = 1.0;
        if (shot.FadeIn > 0)
        {
            gain = Math.Min(gain, Math.Clamp((sinceStart - (2.0 / fps)) / shot.FadeIn, 0, 1));
        }

        if (shot.FadeOut > 0)
        {
            gain = Math.Min(gain, Math.Clamp((untilEnd - (1.0 / fps)) / shot.FadeOut, 0, 1));
        }

        var flash = shot.Flashes.Any(at => f >= Math.Round(at * spec.Seconds * fps) && f < Math.Round(at * spec.Seconds * fps) + 2);
        if (flash)
        {
            frame.ConvertTo(frame, -1, 1.6, 50);
        }
        else if (gain < 1)
        {
            frame.ConvertTo(frame, -1, gain, 0);
        }

        return new FrameFaces(gain >= MinVisibleGain ? ClipPhotos.Visible(drawn) : [], [.. drawn.SelectMany(d => d.Faces)]);
    }

    /// <summary>
    /// A textured backdrop twice the frame's width (room to pan): a colour gradient under blurred shapes, its colours and
    /// shapes drawn from <paramref name="scene"/> (no faces, nothing face-like on purpose).
    /// </summary>
    private static Mat Scenery(int scene, int w, int h)
    {
        var random = new Random(1000 + scene);
        var cols = 2 * w;
        var (a, b) = (RandomColour(random), RandomColour(random));
        var row = new Vec3b[cols];
        for (var x = 0; x < cols; x++)
        {
            var k = x / (double)cols;
            row[x] = new Vec3b((byte)(a.Val0 + ((b.Val0 - a.Val0) * k)), (byte)(a.Val1 + ((b.Val1 - a.Val1) * k)), (byte)(a.Val2 + ((b.Val2 - a.Val2) * k)));
        }

        var canvas = new Mat();
        using (var line = Mat.FromPixelData(1, cols, MatType.CV_8UC3, row))
        {
            Cv2.Repeat(line, h, 1, canvas);
        }

        for (var i = 0; i < 80; i++)
        {
            var centre = new Point(random.Next(cols), random.Next(h));
            var size = (int)(h * (0.02 + (0.12 * random.NextDouble())));
            if (i % 2 == 0)
            {
                Cv2.Rectangle(canvas, new Rect(centre.X - size, centre.Y - (size / 2), 2 * size, size), RandomColour(random), -1);
            }
            else
            {
                Cv2.Circle(canvas, centre, size, RandomColour(random), -1);
            }
        }

        Cv2.GaussianBlur(canvas, canvas, new Size(0, 0), h / 300.0);
        return canvas;
    }

    private static Scalar RandomColour(Random random) => new(random.Next(30, 220), random.Next(30, 220), random.Next(30, 220));
}
