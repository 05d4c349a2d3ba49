using System.Globalization;
using FaceBlur.Modules.Processing.Detection;

namespace FaceBlur.Testing.Evaluation;

/// <summary>One annotated image of an evaluation set: its file, declared size and ground-truth face boxes.</summary>
public sealed record EvalImage(string Path, int Width, int Height, IReadOnlyList<FaceBox> Faces);

/// <summary>
/// An evaluation set in the shared format: <c>DIR/faces.txt</c> lists, after a <c># &lt;file&gt; &lt;w&gt; &lt;h&gt;</c>
/// line per image (file under <c>DIR/images/</c>), one <c>x1 y1 x2 y2</c> line per face. <c># format:</c> lines are comments.
/// </summary>
public sealed record EvalDataset(string Name, string Directory, IReadOnlyList<EvalImage> Images)
{
    public static EvalDataset Load(string directory)
    {
        var full = System.IO.Path.GetFullPath(directory);
        var index = System.IO.Path.Combine(full, "faces.txt");
        if (!File.Exists(index))
        {
            throw new FileNotFoundException($"No faces.txt in {full}", index);
        }

        var images = new List<EvalImage>();
        string? file = null;
        int width = 0, height = 0;
        var faces = new List<FaceBox>();
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(index))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith("# format:", StringComparison.Ordinal))
            {
                continue;
            }

            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (line.StartsWith('#'))
            {
                Flush();
                if (parts.Length != 4)
                {
                    throw new FormatException($"{index}:{lineNumber}: expected '# <file> <width> <height>'");
                }

                file = parts[1];
                width = int.Parse(parts[2], CultureInfo.InvariantCulture);
                height = int.Parse(parts[3], CultureInfo.InvariantCulture);
                continue;
            }

            if (file is null || parts.Length != 4)
            {
                throw new FormatException($"{index}:{lineNumber}: expected 'x1 y1 x2 y2' after an image line");
            }

            var v = parts.Select(p => float.Parse(p, CultureInfo.InvariantCulture)).ToArray();
            faces.Add(new FaceBox(v[0], v[1], v[2] - v[0], v[3] - v[1], 1f));
        }

        Flush();
        return new EvalDataset(System.IO.Path.GetFileName(full.TrimEnd('/')), full, images);

        void Flush()
        {
            if (file is not null)
            {
                images.Add(new EvalImage(System.IO.Path.Combine(full, "images", file), width, height, [.. faces]));
            }

            faces.Clear();
            file = null;
        }
    }
}
