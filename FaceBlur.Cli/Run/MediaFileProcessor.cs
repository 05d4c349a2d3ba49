using System.Diagnostics;
using FaceBlur.Cli.Inputs;
using FaceBlur.Cli.Regions;
using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Images;
using FaceBlur.Modules.Processing.Media;
using FaceBlur.Modules.Processing.Regions;
using FaceBlur.Modules.Processing.Video;

namespace FaceBlur.Cli.Run;

/// <summary>How the inputs of a run are hidden: the options as in the API, and what to hide beyond the detector's faces.</summary>
/// <param name="Anonymize">mode, shape, padding, strength.</param>
/// <param name="Detect">False (<c>--no-detect</c>): no detector runs, only the given regions are hidden.</param>
/// <param name="Given">The regions of <c>--regions-in</c>, per input.</param>
internal sealed record HidingPlan(AnonymizeOptions Anonymize, bool Detect, GivenRegions Given);

/// <summary>Progress of one input, for the display.</summary>
internal interface IInputProgress
{
    /// <summary>Work has begun; <paramref name="frames"/> is a video's frame count (null for a photo).</summary>
    void Started(long? frames);

    /// <summary>Share done, 0..1.</summary>
    void Report(double fraction);
}

/// <summary>
/// One input through the same core as the service: a photo read, anonymized (<see cref="ImageProcessor"/>) and written
/// in its own format; a video inspected (<see cref="VideoInspector"/>) and anonymized into an MP4
/// (<see cref="VideoAnonymizer"/>). The copy is written under a temporary name and moved into place only when complete.
/// Media that cannot be processed is a failed outcome; Ctrl+C throws <see cref="OperationCanceledException"/>.
/// </summary>
internal sealed class MediaFileProcessor(ImageProcessor images, VideoAnonymizer videos, VideoOptions videoOptions, HidingPlan plan)
{
    public async Task<InputOutcome> ProcessAsync(PlannedInput input, IInputProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(progress);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var (faces, regions, error) = input.Kind switch
            {
                MediaKind.Photo => await PhotoAsync(input, progress, cancellationToken),
                MediaKind.Video => await VideoAsync(input, progress, cancellationToken),
                _ => throw new ArgumentException("Only photos and videos are processed.", nameof(input)),
            };
            return error is null
                ? InputOutcome.Done(input, faces, regions!, Stopwatch.GetElapsedTime(started))
                : InputOutcome.Failed(input, error, Stopwatch.GetElapsedTime(started));
        }
        catch (RegionsValidationException e)
        {
            return InputOutcome.Failed(input, $"--regions-in {plan.Given.Locate(input, e.Path)}: {e.Message}", Stopwatch.GetElapsedTime(started));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return InputOutcome.Failed(input, e.Message, Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task<(int, RegionsDocument?, string?)> PhotoAsync(PlannedInput input, IInputProgress progress, CancellationToken cancellationToken)
    {
        progress.Started(null);
        var bytes = await File.ReadAllBytesAsync(input.FullPath, cancellationToken);
        var name = Path.GetFileName(input.FullPath);
        var processed = images.Process(bytes, plan.Anonymize, PhotoRequest(input, name, bytes), cancellationToken);
        if (!processed.IsSuccess)
        {
            return (0, null, processed.Error!.Message);
        }

        var image = processed.Value!;
        using (var pending = PendingOutput.Create(input.OutputPath!))
        {
            await File.WriteAllBytesAsync(pending.TemporaryPath, image.Bytes, cancellationToken);
            pending.Commit();
        }

        progress.Report(1);
        return (image.Faces.Count, new ImageRegionsDocument([new ImageFileRegions(0, name, image.Width, image.Height, image.Regions)]), null);
    }

    /// <summary>What to hide in a photo: the detector's faces (unless off) and the given regions, checked against its upright size.</summary>
    private RegionRequest PhotoRequest(PlannedInput input, string name, byte[] bytes)
    {
        if (plan.Given.DocumentFor(input) is not ImageRegionsDocument document)
        {
            return new RegionRequest(plan.Detect, []);
        }

        var header = ImageHeaderReader.Read(bytes);
        if (!header.IsSuccess)
        {
            // Unreadable: processing it gives the reason.
            return new RegionRequest(plan.Detect, []);
        }

        var (width, height) = header.Value.UprightSize;
        return new RegionRequest(plan.Detect, RegionsBinding.BindImages(document, [new UploadedImage(name, width, height)])[0]);
    }

    /// <summary>What to hide in a video: the detector's faces (unless off) and the given tracks, matched to its frames.</summary>
    private VideoRegionRequest VideoRequest(PlannedInput input, VideoSource source) => plan.Given.DocumentFor(input) is VideoRegionsDocument document
        ? new VideoRegionRequest(plan.Detect, RegionsBinding.BindVideo(document, source))
        : new VideoRegionRequest(plan.Detect, VideoRegionPlan.Empty);

    private async Task<(int, RegionsDocument?, string?)> VideoAsync(PlannedInput input, IInputProgress progress, CancellationToken cancellationToken)
    {
        var source = await VideoInspector.InspectAsync(input.FullPath, videoOptions, cancellationToken);
        if (!source.IsSuccess)
        {
            return (0, null, source.Error!.Message);
        }

        var request = VideoRequest(input, source.Value!);
        progress.Started(source.Value!.Info.ExpectedFrames);
        MediaResult<VideoResult> result;
        using (var pending = PendingOutput.Create(input.OutputPath!))
        {
            result = await videos.AnonymizeAsync(source.Value, input.FullPath, pending.TemporaryPath, plan.Anonymize, request, p => progress.Report(p.Fraction), cancellationToken);
            if (result.IsSuccess)
            {
                pending.Commit();
            }
        }

        // Faces hidden, as for a photo: those the detector found, plus the given tracks that were hidden.
        return result.IsSuccess
            ? (result.Value!.FacesDetected + result.Value.Given.Count(t => t.Hidden && t.Frames.Count > 0), VideoExport.Of(result.Value), null)
            : (0, null, result.Error!.Message);
    }
}
