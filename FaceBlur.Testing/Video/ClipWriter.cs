using System.Diagnostics;
using System.Globalization;
using FaceBlur.Modules.Processing.Detection;
using OpenCvSharp;

namespace FaceBlur.Testing.Video;

/// <summary>One frame's ground truth: the faces a viewer sees, and every face drawn (also those partly covered or in the dark).</summary>
public sealed record FrameFaces(IReadOnlyList<FaceBox> Visible, IReadOnlyList<FaceBox> Drawn);

/// <summary>
/// Writes a synthetic clip frame by frame through an ffmpeg pipe (raw BGR in, the spec's codecs out, optionally with a
/// 440 Hz sine track from lavfi), keeping the ground-truth face boxes each frame's renderer returns.
/// </summary>
public static class ClipWriter
{
    /// <summary>
    /// Renders frame i with <paramref name="render"/> (it draws into a blank frame and returns the frame's faces) for every
    /// frame of <paramref name="spec"/>, writes the clip to <paramref name="outputPath"/>, and returns the faces per frame.
    /// </summary>
    public static IReadOnlyList<FrameFaces> Write(string outputPath, SyntheticClipSpec spec, string ffmpeg, Func<int, Mat, FrameFaces> render)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(render);
        var (w, h, fps) = (spec.Width, spec.Height, spec.FramesPerSecond);
        var frames = (int)Math.Round(spec.Seconds * fps);
        var inv = CultureInfo.InvariantCulture;
        var start = new ProcessStartInfo(ffmpeg) { RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false };
        var args = new List<string> { "-hide_banner", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24", "-video_size", $"{w}x{h}", "-framerate", fps.ToString(inv), "-i", "pipe:0" };
        if (spec.Audio)
        {
            args.AddRange(["-f", "lavfi", "-i", $"sine=frequency=440:sample_rate=48000:duration={spec.Seconds.ToString(inv)}"]);
        }

        args.AddRange(spec.VideoCodecArguments.Concat(spec.Audio ? spec.AudioCodecArguments : []).Concat(spec.ExtraArguments).Append(outputPath));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        var truth = new List<FrameFaces>(frames);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        using var frame = new Mat(h, w, MatType.CV_8UC3);
        var buffer = new byte[w * h * 3];
        var stdin = process.StandardInput.BaseStream;
        for (var f = 0; f < frames; f++)
        {
            frame.SetTo(Scalar.Black);
            truth.Add(render(f, frame));
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
}
