namespace FaceBlur.Cli.Inputs;

/// <summary>The files found, and how many were left out for lying under the output folder.</summary>
internal sealed record Discovered(IReadOnlyList<FoundFile> Files, int LeftOutUnderOutput);

/// <summary>
/// The files the command line names: each file argument, and the files in each folder argument (with <c>-r</c>, in its
/// subfolders too), in a stable order. Hidden files and folders (a leading dot) are left out, as is anything under the
/// output folder when it lies inside an input folder, so that a second run does not take the first run's copies as
/// inputs. A file reached twice is listed once.
/// </summary>
internal static class InputDiscovery
{
    public static Discovered Find(IReadOnlyList<string> arguments, bool recursive, string? outputDirectory)
    {
        var leftOut = 0;
        var output = outputDirectory is null ? null : FileSystemPaths.Canonical(outputDirectory);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var found = new List<FoundFile>();
        foreach (var argument in arguments)
        {
            var folder = Directory.Exists(argument) ? FileSystemPaths.Canonical(argument) : null;
            // The output folder is left out only when it is a subfolder of the folder scanned; as the folder itself, its
            // files are inputs, and the plan refuses to write over them.
            var skipped = output is not null && folder is not null && output != folder && FileSystemPaths.IsUnder(output, folder) ? output : null;
            var candidates = folder is not null
                ? InFolder(argument, recursive)
                : [new FoundFile(Path.GetFullPath(argument), argument, Path.GetFileName(argument), Named: true)];
            foreach (var file in candidates)
            {
                var canonical = FileSystemPaths.Canonical(file.FullPath);
                var insideOutput = skipped is not null && FileSystemPaths.IsUnder(canonical, skipped);
                if (insideOutput)
                {
                    leftOut++;
                }
                else if (seen.Add(canonical))
                {
                    found.Add(file);
                }
            }
        }

        return new Discovered(found, leftOut);
    }

    private static IEnumerable<FoundFile> InFolder(string folder, bool recursive)
    {
        var root = Path.GetFullPath(folder);
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = recursive,
            IgnoreInaccessible = false,
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
            MatchType = MatchType.Simple,
        };
        return Directory.EnumerateFiles(root, "*", options)
            .Select(path => Path.GetRelativePath(root, path))
            .Order(StringComparer.Ordinal)
            .Select(relative => new FoundFile(Path.Combine(root, relative), Display(folder, relative), relative, Named: false));
    }

    /// <summary>The folder argument as typed, joined with the path inside it (<c>photos/2023/a.jpg</c>, not <c>./a.jpg</c>).</summary>
    private static string Display(string folder, string relative)
    {
        var joined = Path.Join(folder, relative);
        return joined.StartsWith("./", StringComparison.Ordinal) ? joined[2..] : joined;
    }
}
