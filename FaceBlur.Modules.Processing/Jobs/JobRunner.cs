using System.IO.Compression;
using FaceBlur.Modules.Processing.Images;
using FaceBlur.Modules.Processing.Media;
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
public sealed class JobRunner(ImageProcessor images, VideoAnonymizer videos, JobStorage storage)
{
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
        catch (Exception ex) when (JobStorage.IsStorageFailure(ex))
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
                // Frames are detected and encoded together: 'encoding' once every frame was searched; the last percent is storing the file.
                var result = await videos.AnonymizeAsync(
                    path, temporary, message.Options, p => progress.Report(p.Stage == VideoStage.Encoding ? JobStages.Encoding : JobStages.Detecting, Math.Round(p.Fraction * 0.99, 3)), ct);
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
            VideoSeconds = video.DurationSeconds,
            VideoFrames = video.Frames,
        });
    }

    private async Task<JobOutcome> RunImagesAsync(JobMessage message, JobProgress progress, CancellationToken cancellationToken)
    {
        var outputs = new List<(string Name, ProcessedImage Image)>(message.Inputs.Count);
        for (var i = 0; i < message.Inputs.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress.Report(JobStages.Detecting, (double)i / message.Inputs.Count);
            var input = message.Inputs[i];
            var path = storage.Resolve(input.StoredPath);
            if (!File.Exists(path))
            {
                return JobOutcome.Failed($"{input.DisplayName}: the uploaded file has expired.");
            }

            // Read and processed synchronously: the worker calls this on its dedicated thread, and an await here would
            // move the CPU work that follows onto the thread pool that serves HTTP requests.
            var bytes = File.ReadAllBytes(path);
            var processed = images.Process(bytes, message.Options, cancellationToken);
            if (!processed.IsSuccess)
            {
                return JobOutcome.Failed($"{input.DisplayName}: {processed.Error!.Message}");
            }

            outputs.Add((OutputName(input.DisplayName, processed.Value!.Format), processed.Value));
        }

        progress.Report(JobStages.Encoding, 0.95);
        var faces = outputs.Sum(o => o.Image.Faces.Count);
        if (outputs.Count == 1)
        {
            var (name, image) = outputs[0];
            var fileName = "blurred_" + name;
            var relative = await storage.WriteResultAsync(
                message.TaskId,
                "result" + image.Format.FileExtension(),
                (stream, ct) => stream.WriteAsync(image.Bytes, ct).AsTask(),
                cancellationToken);
            return JobOutcome.Succeeded(new JobResult(relative, image.ContentType, fileName, faces));
        }

        var zipPath = await storage.WriteResultAsync(
            message.TaskId,
            "result.zip",
            async (stream, ct) =>
            {
                await using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
                foreach (var (name, image) in UniqueNames(outputs))
                {
                    // Already-compressed formats gain nothing from deflate.
                    var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
                    // Faces found in this image, for clients that show per-image counts (X-Faces-Detected is the total).
                    entry.Comment = FacesComment(image.Faces.Count);
                    await using var entryStream = await entry.OpenAsync(ct);
                    await entryStream.WriteAsync(image.Bytes, ct);
                }
            },
            cancellationToken);
        return JobOutcome.Succeeded(new JobResult(zipPath, "application/zip", ZipFileName, faces));
    }

    /// <summary>The comment of each zip entry: <c>faces=N</c>, the faces found in that image.</summary>
    public static string FacesComment(int faces) => "faces=" + faces.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The display name with the extension of the format actually written.</summary>
    internal static string OutputName(string displayName, ImageFormat format)
    {
        var stem = Path.GetFileNameWithoutExtension(displayName);
        return (string.IsNullOrEmpty(stem) ? "image" : stem) + format.FileExtension();
    }

    private static IEnumerable<(string Name, ProcessedImage Image)> UniqueNames(List<(string Name, ProcessedImage Image)> outputs)
    {
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, image) in outputs)
        {
            var candidate = name;
            for (var n = 2; !used.Add(candidate); n++)
            {
                candidate = $"{Path.GetFileNameWithoutExtension(name)} ({n}){Path.GetExtension(name)}";
            }

            yield return (candidate, image);
        }
    }
}
