using FaceBlur.Modules.Processing;
using FaceBlur.Modules.Processing.Images;
using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Modules.Processing.Media;
using FaceBlur.Modules.Processing.Video;
using FaceBlur.Modules.Stats;
using FaceBlur.Web.Api;
using Microsoft.Extensions.Options;

namespace FaceBlur.Web.Upload;

/// <summary>A job accepted with 202.</summary>
public sealed record AcceptedJob(string TaskId, JobKind Kind, int Files);

/// <summary>
/// Accepts uploads: streams the body into a fresh job directory, checks every file by its content (type, declared
/// size, video duration), records the job and enqueues it. A 202 is answered only once the queue holds the job; on any
/// refusal the job directory is deleted, so nothing is left on disk.
/// </summary>
public sealed partial class UploadService(
    IOptions<UploadOptions> uploadOptions,
    ProcessingOptions processingOptions,
    VideoOptions videoOptions,
    JobStorage storage,
    IJobStore store,
    IJobQueue queue,
    StatsService stats,
    UploadMetrics metrics,
    TimeProvider time,
    ILogger<UploadService> logger)
{
    /// <summary>How much of a stored image is read to find its declared size (markers may follow large EXIF/XMP blocks).</summary>
    private const int HeaderBytes = 4 * 1024 * 1024;

    private readonly UploadOptions _options = uploadOptions.Value;

    public Task<AcceptedJob> AcceptImagesAsync(HttpRequest request, CancellationToken cancellationToken) =>
        AcceptAsync(request, JobKind.Images, "files", _options.MaxUploadFiles, _options.MaxUploadBytes, CheckImageAsync, cancellationToken);

    public Task<AcceptedJob> AcceptVideoAsync(HttpRequest request, CancellationToken cancellationToken) =>
        AcceptAsync(request, JobKind.Video, "file", 1, _options.MaxVideoBytes, CheckVideoAsync, cancellationToken);

    private async Task<AcceptedJob> AcceptAsync(
        HttpRequest request,
        JobKind kind,
        string fileField,
        int maxFiles,
        long maxFileBytes,
        Func<UploadedFile, CancellationToken, Task> check,
        CancellationToken cancellationToken)
    {
        var taskId = JobStorage.NewTaskId();
        var directory = storage.CreateJobDirectory(taskId);
        var accepted = false;
        try
        {
            var parts = await MultipartUpload.ReadAsync(
                request,
                fileField,
                maxFiles,
                maxFileBytes,
                index => Path.Combine(directory, $"input-{index:00}.upload"),
                cancellationToken);
            if (parts.Files.Count == 0)
            {
                throw new ApiException(ApiErrors.ValidationError, $"No file was uploaded: send it in the form field '{fileField}'.");
            }

            var options = OptionFields.Parse(parts.Fields);
            foreach (var file in parts.Files)
            {
                await check(file, cancellationToken);
            }

            var now = time.GetUtcNow();
            var inputs = parts.Files
                .Select(f => new JobInput(JobStorage.RelativePath(taskId, Path.GetFileName(f.Path)), SafeNames.ForDisplay(f.ClientName)))
                .ToList();
            await store.CreateAsync(
                new JobState { TaskId = taskId, Kind = kind, Files = inputs.Count, CreatedAt = now, UpdatedAt = now },
                cancellationToken);
            try
            {
                await queue.EnqueueAsync(new JobMessage(taskId, kind, inputs, options, now), cancellationToken);
            }
            catch (JobQueueUnavailableException)
            {
                await store.FailAsync(taskId, "The job could not be queued.", CancellationToken.None);
                throw;
            }

            accepted = true;
            LogAccepted(logger, taskId, kind, inputs.Count, parts.Files.Sum(f => f.Length));
            metrics.Submitted(kind);
            // Never fails the upload: a stats failure is logged and counted by the stats module.
            await stats.TryIncrementAsync(new StatsIncrement(Tasks: 1), CancellationToken.None);
            return new AcceptedJob(taskId, kind, inputs.Count);
        }
        catch (ApiException ex)
        {
            LogRefused(logger, kind, ex.Code);
            throw;
        }
        finally
        {
            if (!accepted)
            {
                storage.DeleteJob(taskId);
            }
        }
    }

    private async Task CheckImageAsync(UploadedFile file, CancellationToken cancellationToken)
    {
        if (!_options.ImageExtensions.Contains(file.Extension))
        {
            throw Unsupported(file, $"Images must have one of these extensions: {string.Join(", ", _options.ImageExtensions)}.");
        }

        var head = await ReadHeadAsync(file.Path, HeaderBytes, cancellationToken);
        var format = ImageSniffer.Sniff(head);
        if (format is null)
        {
            throw Unsupported(file, "The file is not an image this service reads (JPEG, PNG, WebP, BMP, TIFF).");
        }

        if (ImageFormatExtensions.FromExtension(file.Extension) != format)
        {
            throw new ApiException(
                ApiErrors.ValidationError,
                $"The file name says .{file.Extension} but the content is {format.Value.ToString().ToUpperInvariant()}.",
                FileDetails(file));
        }

        var header = ImageHeaderReader.Read(head);
        if (!header.IsSuccess)
        {
            throw ToApi(header.Error!, file);
        }

        var megapixels = (double)header.Value.Width * header.Value.Height / 1_000_000d;
        if (megapixels > processingOptions.MaxImageMegapixels)
        {
            throw new ApiException(
                ApiErrors.MediaTooLarge,
                $"The image is {header.Value.Width}x{header.Value.Height} pixels; the limit is {processingOptions.MaxImageMegapixels:0.#} megapixels.",
                FileDetails(file));
        }
    }

    private async Task CheckVideoAsync(UploadedFile file, CancellationToken cancellationToken)
    {
        if (!_options.VideoExtensions.Contains(file.Extension))
        {
            throw Unsupported(file, $"Videos must have one of these extensions: {string.Join(", ", _options.VideoExtensions)}.");
        }

        var container = await VideoSniffer.SniffFileAsync(file.Path, cancellationToken);
        if (container is null)
        {
            throw Unsupported(file, "The file is not a video this service reads (MP4, MOV, WebM, MKV, AVI).");
        }

        if (!VideoSniffer.ExtensionMatches(container.Value, file.Extension))
        {
            throw new ApiException(ApiErrors.ValidationError, $"The file name says .{file.Extension} but the content is another container.", FileDetails(file));
        }

        var probe = await VideoInspector.InspectAsync(file.Path, videoOptions, cancellationToken);
        if (!probe.IsSuccess)
        {
            throw ToApi(probe.Error!, file);
        }
    }

    private static async Task<byte[]> ReadHeadAsync(string path, int maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true);
        var buffer = new byte[(int)Math.Min(maxBytes, stream.Length)];
        await stream.ReadExactlyAsync(buffer, cancellationToken);
        return buffer;
    }

    private static ApiException ToApi(MediaError error, UploadedFile file) => error.Kind switch
    {
        MediaErrorKind.UnsupportedMediaType => new ApiException(ApiErrors.UnsupportedMediaType, error.Message, FileDetails(file)),
        MediaErrorKind.MediaTooLarge => new ApiException(ApiErrors.MediaTooLarge, error.Message, FileDetails(file)),
        MediaErrorKind.MediaTooLong => new ApiException(ApiErrors.MediaTooLong, error.Message, FileDetails(file)),
        _ => new ApiException(ApiErrors.ValidationError, error.Message, FileDetails(file)),
    };

    private static ApiException Unsupported(UploadedFile file, string message) =>
        new(ApiErrors.UnsupportedMediaType, message, FileDetails(file));

    private static Dictionary<string, object?> FileDetails(UploadedFile file) => new() { ["file"] = SafeNames.ForDisplay(file.ClientName) };

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {TaskId} accepted: kind {Kind}, {Files} file(s), {Bytes} bytes")]
    private static partial void LogAccepted(ILogger logger, string taskId, JobKind kind, int files, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload refused: kind {Kind}, code {Code}")]
    private static partial void LogRefused(ILogger logger, JobKind kind, string code);
}
