using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using FaceBlur.Modules.Processing.Anonymization;

namespace FaceBlur.Cli;

/// <summary>What the command line asks for, parsed and checked.</summary>
internal sealed record RunRequest(
    IReadOnlyList<string> Paths,
    string? OutputDirectory,
    bool Recursive,
    AnonymizeOptions Anonymize,
    string? RegionsOut,
    string? RegionsIn,
    bool Detect,
    int Jobs,
    bool Verbose);

/// <summary>
/// The options of <c>faceblur</c> (System.CommandLine): paths, where copies go, how faces are hidden (the API's
/// <c>mode</c>, <c>shape</c>, <c>padding</c>, <c>strength</c>, same names and ranges), regions out and in, parallelism.
/// Unknown options and values out of range are parse errors: the caller prints them with the usage and exits 2.
/// </summary>
internal sealed class CommandLine
{
    private readonly Argument<string[]> paths = new("PATH")
    {
        Description = "Photos, videos and folders of them (what each file is comes from its content, not its name)",
        Arity = ArgumentArity.OneOrMore,
    };

    private readonly Option<string?> output = new("--output", "-o")
    {
        Description = "Write the copies under this folder, with the same relative paths and names (default: name-blurred.ext beside each input)",
        HelpName = "DIR",
    };

    private readonly Option<bool> recursive = new("--recursive", "-r") { Description = "Take the files of subfolders too" };

    private readonly Option<string> mode = new("--mode")
    {
        Description = "How faces are hidden",
        DefaultValueFactory = _ => ApiNames.Of(AnonymizeOptions.Default.Mode),
    };

    private readonly Option<string> shape = new("--shape")
    {
        Description = "The mask drawn over each face",
        DefaultValueFactory = _ => ApiNames.Of(AnonymizeOptions.Default.Shape),
    };

    private readonly Option<float> padding = new("--padding")
    {
        Description = "Share of the face box added on each side, 0 to 1",
        DefaultValueFactory = _ => AnonymizeOptions.DefaultPadding,
        HelpName = "0..1",
    };

    private readonly Option<int> strength = new("--strength")
    {
        Description = $"Blur or pixel size, {AnonymizeOptions.MinStrength} to {AnonymizeOptions.MaxStrength} (larger hides more)",
        DefaultValueFactory = _ => AnonymizeOptions.DefaultStrength,
        HelpName = "1..100",
    };

    private readonly Option<string?> regionsOut = new("--regions-out")
    {
        Description = "Write what was hidden in each input to this JSON file (the API's regions schema, one document per input)",
        HelpName = "FILE.json",
    };

    private readonly Option<string?> regionsIn = new("--regions-in")
    {
        Description = "Regions to hide (hidden:true) or keep visible (hidden:false) in each input: a --regions-out file, or a regions export of the service",
        HelpName = "FILE.json",
    };

    private readonly Option<bool> noDetect = new("--no-detect") { Description = "Run no detector: hide exactly the hidden regions of --regions-in" };

    private readonly Option<int> jobs = new("--jobs", "-j")
    {
        Description = "Inputs processed at once",
        DefaultValueFactory = _ => Environment.ProcessorCount,
        HelpName = "N",
    };

    private readonly Option<bool> verbose = new("--verbose", "-v") { Description = "Log the core's notes (to standard error)" };

    public CommandLine()
    {
        mode.AcceptOnlyFromAmong(ApiNames.All<AnonymizationMode>());
        shape.AcceptOnlyFromAmong(ApiNames.All<MaskShape>());
        // Values that are not numbers are System.CommandLine's own parse errors; the ranges are checked on the text given.
        padding.Validators.Add(r => Require(r, Parsed<float>(r) is not { } v || (float.IsFinite(v) && v is >= 0 and <= 1), "--padding must be a number from 0 to 1."));
        strength.Validators.Add(r => Require(
            r,
            Parsed<int>(r) is not { } v || v is >= AnonymizeOptions.MinStrength and <= AnonymizeOptions.MaxStrength,
            $"--strength must be a whole number from {AnonymizeOptions.MinStrength} to {AnonymizeOptions.MaxStrength}."));
        jobs.Validators.Add(r => Require(r, Parsed<int>(r) is not { } v || v is >= 1 and <= 256, "--jobs must be a whole number from 1 to 256."));
        paths.Validators.Add(r =>
        {
            foreach (var path in r.Tokens.Select(t => t.Value))
            {
                if (File.Exists(path) || Directory.Exists(path))
                {
                    continue;
                }

                // An unknown option lands among the paths: say what it is.
                r.AddError(path.StartsWith('-') ? $"Unrecognized option '{path}'." : $"No such file or folder: {path}");
            }
        });
        regionsIn.Validators.Add(r => Require(r, r.Tokens is not [var file] || File.Exists(file.Value), "--regions-in: no such file."));

        Root = new RootCommand("Hides faces in photos and videos: writes anonymized copies (same core and settings as the FaceBlur service, no server).")
        {
            paths, output, recursive, mode, shape, padding, strength, regionsOut, regionsIn, noDetect, jobs, verbose,
        };
        Root.Validators.Add(r =>
        {
            if (r.GetValue(noDetect) && r.GetValue(regionsIn) is null)
            {
                r.AddError("--no-detect needs --regions-in: with no detector, only given regions are hidden.");
            }
        });
    }

    public RootCommand Root { get; }

    /// <summary>The request of a parse result without errors.</summary>
    public RunRequest Request(ParseResult parsed)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        return new RunRequest(
            parsed.GetValue(paths)!,
            parsed.GetValue(output),
            parsed.GetValue(recursive),
            new AnonymizeOptions
            {
                Mode = ApiNames.Parse<AnonymizationMode>(parsed.GetValue(mode)!),
                Shape = ApiNames.Parse<MaskShape>(parsed.GetValue(shape)!),
                Padding = parsed.GetValue(padding),
                Strength = parsed.GetValue(strength),
            },
            parsed.GetValue(regionsOut),
            parsed.GetValue(regionsIn),
            !parsed.GetValue(noDetect),
            parsed.GetValue(jobs),
            parsed.GetValue(verbose));
    }

    /// <summary>The option's value as given on the command line; null when it was not given or is not a <typeparamref name="T"/>.</summary>
    private static T? Parsed<T>(OptionResult result)
        where T : struct, IParsable<T> =>
        result.Tokens is [var token] && T.TryParse(token.Value, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static void Require(OptionResult result, bool valid, string message)
    {
        if (!valid)
        {
            result.AddError(message);
        }
    }
}
