using FaceBlur.Cli.Inputs;
using FaceBlur.Cli.Regions;
using FaceBlur.Cli.Reporting;
using FaceBlur.Cli.Run;
using FaceBlur.Modules.Processing.Images;
using FaceBlur.Modules.Processing.Regions;
using FaceBlur.Modules.Processing.Video;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FaceBlur.Cli;

/// <summary>
/// One run of <c>faceblur</c>: find the inputs and what each is, plan where copies go (refusing a plan that would
/// overwrite an input), read the given regions, start the core (settings checked, detectors loaded), process the inputs
/// with a live display, write the regions file, and say how it went in the exit code.
/// </summary>
internal static class RunCommand
{
    public static async Task<int> RunAsync(RunRequest request, InterruptSignals signals)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(signals);
        var cancellationToken = signals.Token;
        IReadOnlyList<PlannedInput> inputs;
        GivenRegions given;
        try
        {
            inputs = await PlanAsync(request, cancellationToken);
            given = request.RegionsIn is null ? GivenRegions.None : RegionsFile.Read(request.RegionsIn, inputs);
            CheckGiven(request, inputs, given);
        }
        catch (UsageException e)
        {
            return Usage(e.Message);
        }
        catch (RegionsValidationException e)
        {
            return Usage($"--regions-in {(e.Path.Length > 0 ? e.Path + ": " : "")}{e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Usage(e.Message);
        }

        IHost host;
        try
        {
            host = await CliHost.StartAsync(request.Verbose, cancellationToken);
        }
        catch (SettingsException e)
        {
            return Usage(e.Message);
        }

        using (host)
        {
            var services = host.Services;
            var processor = new MediaFileProcessor(
                services.GetRequiredService<ImageProcessor>(),
                services.GetRequiredService<VideoAnonymizer>(),
                services.GetRequiredService<VideoOptions>(),
                new HidingPlan(request.Anonymize, request.Detect, given));
            var reporter = RunReporters.ForConsole();
            var runner = new BatchRunner(processor, reporter, request.Jobs);
            var media = inputs.Where(i => i.IsMedia).ToList();
            if (media.Count == 0)
            {
                await Console.Error.WriteLineAsync("faceblur: no photo or video found" + (request.Recursive ? "." : " (subfolders are read with -r)."));
            }

            var result = await reporter.ShowAsync(media, () => runner.RunAsync(inputs, cancellationToken));
            var regionsWritten = request.RegionsOut is null || await WriteRegionsAsync(request.RegionsOut, result);
            reporter.Summary(RunSummary.Of(result));
            await host.StopAsync(CancellationToken.None);
            return result.Interrupted ? signals.ExitCode
                : !regionsWritten || result.Outcomes.Any(o => o.Status == OutcomeStatus.Failed) ? ExitCodes.SomeFailed
                : ExitCodes.Success;
        }
    }

    /// <summary>The regions of every input processed (also after Ctrl+C: those that were finished); false when the file cannot be written.</summary>
    private static async Task<bool> WriteRegionsAsync(string path, BatchResult result)
    {
        try
        {
            RegionsFile.Write(path, result.Outcomes.Where(o => o.Regions is not null).Select(o => KeyValuePair.Create(o.Input.DisplayPath, o.Regions!)));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"faceblur: --regions-out could not be written: {e.Message}");
            return false;
        }
    }

    /// <summary>The inputs, what each is, and where its copy goes; a plan that would overwrite an input is refused.</summary>
    private static async Task<IReadOnlyList<PlannedInput>> PlanAsync(RunRequest request, CancellationToken cancellationToken)
    {
        var found = InputDiscovery.Find(request.Paths, request.Recursive, request.OutputDirectory);
        if (found.LeftOutUnderOutput > 0)
        {
            await Console.Error.WriteLineAsync($"faceblur: {found.LeftOutUnderOutput} file(s) under the output folder {request.OutputDirectory} are not taken as inputs.");
        }

        var classified = new List<PlannedInput>(found.Files.Count);
        foreach (var file in found.Files)
        {
            classified.Add(await MediaSniffing.ClassifyAsync(file, cancellationToken));
        }

        var planned = OutputPlan.Assign(classified, request.OutputDirectory);
        var conflicts = OutputPlan.Conflicts(planned, request.RegionsOut);
        return conflicts.Count == 0
            ? planned
            : throw new UsageException("nothing was written: " + string.Join(Environment.NewLine + "faceblur: ", conflicts.Take(10)));
    }

    /// <summary>With <c>--no-detect</c>, an input without given regions would be copied with every face visible: refused.</summary>
    private static void CheckGiven(RunRequest request, IReadOnlyList<PlannedInput> inputs, GivenRegions given)
    {
        if (!request.Detect && inputs.FirstOrDefault(i => i.IsMedia && !given.Has(i)) is { } bare)
        {
            throw new UsageException($"--no-detect: --regions-in gives no regions for {bare.DisplayPath}, which would be copied with every face visible.");
        }
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine("faceblur: " + message);
        Console.Error.WriteLine("Try 'faceblur --help' for the options.");
        return ExitCodes.Usage;
    }
}

/// <summary>A request that cannot be run as asked (exit code 2).</summary>
internal sealed class UsageException(string message) : Exception(message);
