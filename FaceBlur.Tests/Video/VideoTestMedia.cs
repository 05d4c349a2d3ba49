using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Tests.Support;
using OpenCvSharp;

namespace FaceBlur.Tests.Video;

/// <summary>Readers for the videos the tests make and get back: ffprobe's view, frame times, MP4 boxes, decoded frames, processes.</summary>
internal static class VideoTestMedia
{
    /// <summary>
    /// When each frame of the first video stream is shown, in seconds from the first, in display order: from the packets,
    /// or (<paramref name="decoded"/>) from the frames a decoder shows (none of those an edit list hides).
    /// </summary>
    public static List<double> FrameTimes(string path, bool decoded = false)
    {
        var entries = decoded ? "frame=pts_time" : "packet=pts_time";
        var times = TestVideos.Run("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", entries, "-of", "csv=p=0", path)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => double.Parse(t, CultureInfo.InvariantCulture))
            .Order()
            .ToList();
        return [.. times.Select(t => t - times[0])];
    }

    /// <summary>ffprobe's streams and format of a file.</summary>
    public static Probe ProbeFile(string path, bool countFrames = false)
    {
        var json = TestVideos.Run("ffprobe", ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", .. (countFrames ? new[] { "-count_frames" } : []), path]);
        return new Probe(JsonDocument.Parse(json).RootElement.Clone());
    }

    /// <summary>Top-level ISO BMFF box types in file order (ftyp, moov, mdat...).</summary>
    public static List<string> TopLevelBoxes(string path)
    {
        var boxes = new List<string>();
        using var file = File.OpenRead(path);
        var header = new byte[16];
        long position = 0;
        while (position + 8 <= file.Length)
        {
            file.Position = position;
            file.ReadExactly(header, 0, 8);
            long size = (uint)((header[0] << 24) | (header[1] << 16) | (header[2] << 8) | header[3]);
            boxes.Add(Encoding.ASCII.GetString(header, 4, 4));
            if (size == 1)
            {
                file.ReadExactly(header, 8, 8);
                size = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(8, 8));
            }
            else if (size == 0)
            {
                break;
            }

            position += size;
        }

        return boxes;
    }

    /// <summary>Decodes every frame of a file to BGR (upright, as a player shows it).</summary>
    public static List<Mat> DecodeFrames(string path, int width, int height)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "bgr24", "-fps_mode", "passthrough", "pipe:1" })
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        _ = process.StandardError.ReadToEndAsync();
        var stream = process.StandardOutput.BaseStream;
        var size = width * height * 3;
        var frames = new List<Mat>();
        var buffer = new byte[size];
        while (stream.ReadAtLeast(buffer, size, throwOnEndOfStream: false) == size)
        {
            var mat = new Mat(height, width, MatType.CV_8UC3);
            Marshal.Copy(buffer, 0, mat.Data, size);
            frames.Add(mat);
        }

        process.WaitForExit();
        return frames;
    }

    /// <summary>Mean BGR colour of the middle half of a box (clipped to the image).</summary>
    public static Scalar MeanOfCenter(Mat image, FaceBox box)
    {
        var inner = new FaceBox(box.X + box.Width / 4, box.Y + box.Height / 4, box.Width / 2, box.Height / 2, 1);
        var rect = inner.ToRect(image.Width, image.Height);
        using var region = new Mat(image, rect);
        return Cv2.Mean(region);
    }

    /// <summary>
    /// The command name and the fields after it of <c>/proc/{task}/stat</c> (task: a pid, "self" or "thread-self"):
    /// field 3 of proc(5) is at index 0, so the parent is [1] and the nice value [16].
    /// </summary>
    public static (string Name, string[] Fields) Stat(string task)
    {
        var stat = File.ReadAllText($"/proc/{task}/stat");
        var close = stat.LastIndexOf(')');
        return (stat[(stat.IndexOf('(') + 1)..close], stat[(close + 2)..].Split(' '));
    }

    /// <summary>Lists the ffmpeg/ffprobe processes whose parent is this test process.</summary>
    public static List<int> ChildFfmpegProcesses()
    {
        var me = Environment.ProcessId;
        var result = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var (name, fields) = Stat(Path.GetFileName(dir));
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == me && name is "ffmpeg" or "ffprobe")
                {
                    result.Add(pid);
                }
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
        }

        return result;
    }
}

/// <summary>ffprobe's answer for one file.</summary>
internal sealed class Probe(JsonElement root)
{
    public IEnumerable<JsonElement> Streams => root.GetProperty("streams").EnumerateArray();

    public JsonElement Video => Streams.First(s => s.GetProperty("codec_type").GetString() == "video");

    public List<JsonElement> Audio => [.. Streams.Where(s => s.GetProperty("codec_type").GetString() == "audio")];

    public double Duration => Num(root.GetProperty("format"), "duration");

    public static double Num(JsonElement e, string name) =>
        !e.TryGetProperty(name, out var v) ? double.NaN
        : v.ValueKind == JsonValueKind.Number ? v.GetDouble()
        : double.Parse(v.GetString()!, CultureInfo.InvariantCulture);

    public static string Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.ToString() : "";

    public static double Rate(JsonElement e, string name)
    {
        var parts = Str(e, name).Split('/');
        return double.Parse(parts[0], CultureInfo.InvariantCulture) / double.Parse(parts[1], CultureInfo.InvariantCulture);
    }

    /// <summary>Frames of the video stream: nb_read_frames when counted, else nb_frames.</summary>
    public long Frames => (long)(Video.TryGetProperty("nb_read_frames", out _) ? Num(Video, "nb_read_frames") : Num(Video, "nb_frames"));
}
