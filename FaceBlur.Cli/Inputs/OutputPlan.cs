using FaceBlur.Modules.Processing.Images;

namespace FaceBlur.Cli.Inputs;

/// <summary>
/// Where each anonymized copy goes: under <c>-o</c> with the same relative path and name, else beside its input as
/// <c>name-blurred.ext</c>. A photo keeps its extension when it names the format written (a JPEG stays <c>.jpeg</c> if
/// it was), a video becomes <c>.mp4</c>. Then the plan is checked as a whole: no output may be an input (whatever links
/// lead there), no two inputs may share an output, and the regions file may be neither.
/// </summary>
internal static class OutputPlan
{
    public const string Suffix = "-blurred";

    public static IReadOnlyList<PlannedInput> Assign(IReadOnlyList<PlannedInput> inputs, string? outputDirectory)
    {
        var root = outputDirectory is null ? null : Path.GetFullPath(outputDirectory);
        return [.. inputs.Select(input => input.IsMedia ? input with { OutputPath = OutputPath(input, root) } : input)];
    }

    /// <summary>One line per conflict (empty when the plan is safe to run).</summary>
    public static IReadOnlyList<string> Conflicts(IReadOnlyList<PlannedInput> inputs, string? regionsOut)
    {
        var inputPaths = inputs.ToDictionary(i => FileSystemPaths.Canonical(i.FullPath), i => i.DisplayPath, StringComparer.Ordinal);
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var input in inputs.Where(i => i.OutputPath is not null))
        {
            var output = FileSystemPaths.Canonical(input.OutputPath!);
            if (inputPaths.TryGetValue(output, out var overwritten))
            {
                problems.Add($"{input.DisplayPath} would be written over the input {overwritten}");
            }
            else if (!outputs.TryAdd(output, input.DisplayPath))
            {
                problems.Add($"{outputs[output]} and {input.DisplayPath} would both be written to {input.OutputPath}");
            }
        }

        if (regionsOut is not null)
        {
            var regions = FileSystemPaths.Canonical(regionsOut);
            if (inputPaths.TryGetValue(regions, out var input))
            {
                problems.Add($"--regions-out would be written over the input {input}");
            }
            else if (outputs.TryGetValue(regions, out var output))
            {
                problems.Add($"--regions-out is the output of {output}");
            }
        }

        return problems;
    }

    private static string OutputPath(PlannedInput input, string? root)
    {
        var extension = OutputExtension(input);
        if (root is null)
        {
            var directory = Path.GetDirectoryName(input.FullPath)!;
            return Path.Combine(directory, Path.GetFileNameWithoutExtension(input.FullPath) + Suffix + extension);
        }

        var mirror = input.File.MirrorPath;
        return Path.Combine(root, Path.GetDirectoryName(mirror) ?? "", Path.GetFileNameWithoutExtension(mirror) + extension);
    }

    /// <summary>The input's own extension when it names what is written, else the written format's.</summary>
    private static string OutputExtension(PlannedInput input)
    {
        var own = Path.GetExtension(input.FullPath);
        if (input.Kind == MediaKind.Video)
        {
            return own.Equals(".mp4", StringComparison.OrdinalIgnoreCase) ? own : ".mp4";
        }

        // Every format the core reads is written back in the same format (ImageEncoder).
        var format = input.PhotoFormat!.Value;
        return ImageFormatExtensions.FromExtension(own) == format ? own : format.FileExtension();
    }
}
