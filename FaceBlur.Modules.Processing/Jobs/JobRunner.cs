using System.IO.Compression;
using FaceBlur.Modules.Processing.Images;
using FaceBlur.Modules.Processing.Media;
using FaceBlur.Modules.Processing.Regions;
using FaceBlur.Modules.Processing.Video;

namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>The outcome of running a job: a stored result, or a reason the media could not be processed.</summary>
public sealed record JobOutcome(JobResult? Result, string? FailureReason)
{
    public static JobOutcome Succeeded(JobResult result) => new(result, null);

    public static JobOutcome Failed(string reason) => new(null, reason);
}

/// <summary>
/// Runs one job's media work: reads its inputs from storage, anonymizes them and writes the result (one image in its
/// own format, a zip of several, or an MP4). Media that cannot be processed is a <see cref="JobOutcome.Failed"/> outcome;
/// a result that cannot be written (storage full or not writable) fails the job at once; anything else unexpected is
/// thrown, so the queue retries the job and dead-letters it after its delivery limit.
/// </summary>
internal sealed class JobRunner(ImageProcessor images, VideoAnonymizer videos, JobService jobs)
{
    private readonly JobStorage storage = jobs.Storage;

    public const string ZipFileName = "blurred_images.zip";

    public async Task<JobOutcome> RunAsync(JobMessage message, JobProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(progress);
        try
        {
            return message.Kind switch
            {
                JobKind.Images => await RunImagesAsync(message, progress, cancellationToken),
                _ => await RunVideoAsync(message, progress, cancellationToken),
            };
        }
        catch (Exception ex) when (StorageUnavailableException.IsStorageFailure(ex))
        {
            // Not the media's fault and not worth a retry loop: the job ends failed with a reason saying so (the
            // result was written under a temporary name, so nothing half-written is ever served).
            return JobOutcome.Failed(StorageFailureReason);
        }
    }

    /// <summary>The reason of a job whose result could not be written.</summary>
    public const string StorageFailureReason = "The result could not be saved: the server's storage is full or not writable. Try again later.";

    private async Task<JobOutcome> RunVideoAsync(JobMessage message, JobProgress progress, CancellationToken cancellationToken)
    {
        var input = message.Inputs.Single();
        var path = storage.Resolve(input.StoredPath);
        if (!File.Exists(path))
        {
            return JobOutcome.Failed($"{input.DisplayName}: the uploaded file has expired.");
        }

        progress.Report(JobStages.Detecting, 0);
        MediaError? error = null;
        VideoResult? video = null;
        var relative = await storage.ProduceResultAsync(
            message.TaskId,
            "result.mp4",
            async (temporary, ct) =>
            {
                // Frames are detected and encoded together; the last percent is the encoder finishing the file.
                Action<double> report = p => progress.Report(p < 1 ? JobStages.Detecting : JobStages.Encoding, p * 0.99);
                var result = input.Video is { } source
                    ? await videos.AnonymizeAsync(source, path, temporary, message.Options, VideoRegions(message, source), report, ct)
                    : await videos.AnonymizeAsync(path, temporary, message.Options, report, ct);
                error = result.Error;
                video = result.Value;
                return result.IsSuccess;
            },
            cancellationToken);
        if (relative is null || video is null)
        {
            return JobOutcome.Failed($"{input.DisplayName}: {error?.Message ?? "the video could not be processed."}");
        }

        var name = "blurred_" + (Path.GetFileNameWithoutExtension(input.DisplayName) is { Length: > 0 } stem ? stem : "video") + ".mp4";
        return JobOutcome.Succeeded(new JobResult(relative, "video/mp4", name, video.FacesDetected)
        {
            Regions = RegionsWriter.ToUtf8Json(VideoExport.Of(video)),
            VideoSeconds = video.DurationSeconds,
            VideoFrames = video.Frames,
        });
    }

    /// <summary>
    /// One image is written as itself, several into a zip, each as soon as it is processed: only one image is in memory
    /// at a time. The work is synchronous on purpose: the worker calls this on its dedicated (lowered) thread, and an
    /// await before the CPU work would move that work onto the thread pool that serves HTTP requests.
    /// </summary>
    private async Task<JobOutcome> RunImagesAsync(JobMessage message, JobProgress progress, CancellationToken cancellationToken)
    {
        var work = new ImagesWork(message, GivenImageRegions(message), progress);
        var single = message.Inputs.Count == 1;
        var fileName = single ? "result" + OutputFormat(message.Inputs[0]).FileExtension() : "result.zip";
        ImagesWritten? written = null;
        var relative = await storage.ProduceResultAsync(
            message.TaskId,
            fileName,
            (temporary, ct) =>
            {
                written = single ? WriteImage(work, temporary, ct) : WriteZip(work, temporary, ct);
                return Task.FromResult(written.Failure is null);
            },
            cancellationToken);
        if (relative is null || written is null)
        {
            return JobOutcome.Failed(written?.Failure ?? "The images could not be processed.");
        }

        return JobOutcome.Succeeded(new JobResult(relative, written.ContentType, written.FileName, written.Faces)
        {
            Regions = RegionsWriter.ToUtf8Json(new ImageRegionsDocument(work.Exported)),
        });
    }

    private ImagesWritten WriteImage(ImagesWork work, string path, CancellationToken cancellationToken)
    {
        var input = work.Message.Inputs[0];
        work.Progress.Report(JobStages.Detecting, 0);
        var processed = ProcessInput(work, 0, cancellationToken);
        if (!processed.IsSuccess)
        {
            return ImagesWritten.Failed($"{input.DisplayName}: {processed.Error!.Message}");
        }

        var image = processed.Value!;
        work.Progress.Report(JobStages.Encoding, 0.95);
        File.WriteAllBytes(path, image.Bytes);
        return new ImagesWritten(image.Faces.Count, image.ContentType, "blurred_" + OutputName(input.DisplayName, image.Format), null);
    }

    private ImagesWritten WriteZip(ImagesWork work, string path, CancellationToken cancellationToken)
    {
        var inputs = work.Message.Inputs;
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var faces = 0;
        for (var i = 0; i < inputs.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            work.Progress.Report(JobStages.Detecting, 0.95 * i / inputs.Count);
            var processed = ProcessInput(work, i, cancellationToken);
            if (!processed.IsSuccess)
            {
                return ImagesWritten.Failed($"{inputs[i].DisplayName}: {processed.Error!.Message}");
            }

            var image = processed.Value!;
            // Already-compressed formats gain nothing from deflate.
            var entry = zip.CreateEntry(UniqueName(OutputName(inputs[i].DisplayName, image.Format), used), CompressionLevel.NoCompression);
            // Faces found in this image, for clients that show per-image counts (X-Faces-Detected is the total).
            entry.Comment = FacesComment(image.Faces.Count);
            using (var entryStream = entry.Open())
            {
                entryStream.Write(image.Bytes);
            }

            faces += image.Faces.Count;
        }

        work.Progress.Report(JobStages.Encoding, 0.95);
        return new ImagesWritten(faces, "application/zip", ZipFileName, null);
    }

    /// <summary>Processes input <paramref name="index"/> and records the regions it ends with for the export.</summary>
    private MediaResult<ProcessedImage> ProcessInput(ImagesWork work, int index, CancellationToken cancellationToken)
    {
        var input = work.Message.Inputs[index];
        var path = storage.Resolve(input.StoredPath);
        if (!File.Exists(path))
        {
            return MediaResult<ProcessedImage>.Fail(MediaErrorKind.CorruptMedia, "the uploaded file has expired.");
        }

        var request = new RegionRequest(work.Message.Detect, work.Given[index]);
        var processed = images.Process(File.ReadAllBytes(path), work.Message.Options, request, cancellationToken);
        if (processed.Value is { } image)
        {
            work.Exported.Add(new ImageFileRegions(index, input.DisplayName, image.Width, image.Height, image.Regions));
        }

        return processed;
    }

    /// <summary>The regions the upload gave for each input (checked then; read and bound again here).</summary>
    private IReadOnlyList<IReadOnlyList<ImageRegion>> GivenImageRegions(JobMessage message)
    {
        if (!message.GivenRegions)
        {
            return [.. message.Inputs.Select(_ => (IReadOnlyList<ImageRegion>)[])];
        }

        var document = (ImageRegionsDocument)RegionsReader.Read(File.ReadAllBytes(storage.GivenRegionsPath(message.TaskId)), JobKind.Images);
        var files = message.Inputs
            .Select(i => i.Image is { } facts
                ? new UploadedImage(i.DisplayName, facts.Width, facts.Height)
                : throw new InvalidOperationException("An input with given regions lacks its image facts."))
            .ToList();
        return RegionsBinding.BindImages(document, files);
    }

    /// <summary>The format an input is written in: its own (known from the upload; sniffed for older messages).</summary>
    private ImageFormat OutputFormat(JobInput input)
    {
        var format = input.Image?.Format;
        if (format is null)
        {
            var path = storage.Resolve(input.StoredPath);
            using var stream = File.Exists(path) ? File.OpenRead(path) : null;
            var head = new byte[64];
            var read = stream?.Read(head) ?? 0;
            format = ImageSniffer.Sniff(head.AsSpan(0, read));
        }

        return format ?? ImageFormat.Png;
    }

    /// <summary>One images job in progress: its message, the regions given per input, the regions each ended with.</summary>
    private sealed record ImagesWork(JobMessage Message, IReadOnlyList<IReadOnlyList<ImageRegion>> Given, JobProgress Progress)
    {
        public List<ImageFileRegions> Exported { get; } = [];
    }

    /// <summary>What writing the images gave: the faces hidden and how the result is served, or why it failed.</summary>
    private sealed record ImagesWritten(int Faces, string ContentType, string FileName, string? Failure)
    {
        public static ImagesWritten Failed(string reason) => new(0, "", "", reason);
    }

    /// <summary>What the upload asked of the video: detect or not, and the regions it gave (checked then, bound again).</summary>
    private VideoRegionRequest VideoRegions(JobMessage message, VideoSource source)
    {
        if (!message.GivenRegions)
        {
            return message.Detect ? VideoRegionRequest.DetectOnly : new VideoRegionRequest(false, VideoRegionPlan.Empty);
        }

        var document = (VideoRegionsDocument)RegionsReader.Read(File.ReadAllBytes(storage.GivenRegionsPath(message.TaskId)), JobKind.Video);
        return new VideoRegionRequest(message.Detect, RegionsBinding.BindVideo(document, source));
    }

    /// <summary>The comment of each zip entry: <c>faces=N</c>, the faces found in that image.</summary>
    public static string FacesComment(int faces) => "faces=" + faces.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The display name with the extension of the format actually written.</summary>
    internal static string OutputName(string displayName, ImageFormat format)
    {
        var stem = Path.GetFileNameWithoutExtension(displayName);
        return (string.IsNullOrEmpty(stem) ? "image" : stem) + format.FileExtension();
    }

    /// <summary>The name, or "stem (2).ext", "stem (3).ext"... when an earlier entry already has it.</summary>
    private static string UniqueName(string name, HashSet<string> used)
    {
        var candidate = name;
        for (var n = 2; !used.Add(candidate); n++)
        {
            candidate = $"{Path.GetFileNameWithoutExtension(name)} ({n}){Path.GetExtension(name)}";
        }

        return candidate;
    }
}
