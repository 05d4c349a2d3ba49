using System.IO.Compression;
using FaceBlur.Modules.Processing.Images;

namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>The outcome of running a job: a stored result, or a reason the media could not be processed.</summary>
public sealed record JobOutcome(JobResult? Result, string? FailureReason)
{
    public static JobOutcome Succeeded(JobResult result) => new(result, null);

    public static JobOutcome Failed(string reason) => new(null, reason);
}

/// <summary>
/// Runs one job's media work: reads its inputs from storage, anonymizes them and writes the result (one image in its
/// own format, or a zip of several). Media that cannot be processed is a <see cref="JobOutcome.Failed"/> outcome;
/// anything unexpected is thrown, so the queue retries the job and dead-letters it after its delivery limit.
/// </summary>
public sealed class JobRunner(ImageProcessor images, JobStorage storage)
{
    public const string ZipFileName = "blurred_images.zip";

    public async Task<JobOutcome> RunAsync(JobMessage message, JobProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(progress);
        return message.Kind switch
        {
            JobKind.Images => await RunImagesAsync(message, progress, cancellationToken),
            _ => JobOutcome.Failed("This kind of job is not supported by this server."),
        };
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

            var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
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
