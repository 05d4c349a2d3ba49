using FaceBlur.Bench.Cli;
using FaceBlur.Bench.Evaluation;
using FaceBlur.Bench.Images;
using FaceBlur.Bench.Load;
using FaceBlur.Bench.Video;

// FaceBlur.Bench: developer commands that measure the processing core. Usage: FaceBlur.Bench <command> [arguments].
var commands = new Dictionary<string, (string Usage, Func<IReadOnlyList<string>, int> Run)>(StringComparer.Ordinal)
{
    ["eval"] = (EvalCommand.Usage, EvalCommand.Run),
    ["bench images"] = (ImagesCommand.Usage, ImagesCommand.Run),
    ["bench video"] = (VideoBenchmark.Usage, VideoBenchmark.Run),
    ["load"] = (LoadBenchmark.Usage, LoadBenchmark.Run),
    ["bench cli"] = (CliBenchmark.Usage, CliBenchmark.Run),
};

var match = commands.Keys
    .Where(name => name.Split(' ') is var words && words.Length <= args.Length && words.SequenceEqual(args.Take(words.Length), StringComparer.Ordinal))
    .MaxBy(name => name.Length);
if (match is null)
{
    Console.Error.WriteLine("usage:");
    foreach (var (_, (usage, _)) in commands)
    {
        Console.Error.WriteLine($"  {usage}");
    }

    return 2;
}

try
{
    return commands[match].Run(args[match.Split(' ').Length..]);
}
catch (Exception e) when (e is ArgumentException or FormatException or FileNotFoundException or DirectoryNotFoundException or InvalidOperationException)
{
    Console.Error.WriteLine($"{match}: {e.Message}");
    return 1;
}
