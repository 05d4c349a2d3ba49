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
/// Accepts uploads: streams the multipart body into a new job's files, checks every file by its content (type, declared
/// size, video duration) and hands the job to the job service, which answers only once the queue holds it. On any
/// refusal the upload is abandoned, which deletes what was written, so nothing is left on disk.
/// </summary>
public sealed partial class UploadService(
    IOptions<UploadOptions> uploadOptions,
    ProcessingOptions processingOptions,
    VideoOptions videoOptions,
    JobService jobs,
    StatsService stats,
    ILogger<UploadService> logger)
{
    private readonly UploadOptions _options = uploadOptions.Value;

    public Task<AcceptedJob> AcceptImagesAsync(HttpRequest request, CancellationToken cancellationToken) =>
        AcceptAsync(request, JobKind.Images, "files", _options.MaxUploadFiles, _options.MaxUploadBytes, AddImageAsync, cancellationToken);

    public Task<AcceptedJob> AcceptVideoAsync(HttpRequest request, CancellationToken cancellationToken) =>
        AcceptAsync(request, JobKind.Video, "file", 1, _options.MaxVideoBytes, AddVideoAsync, cancellationToken);

    private async Task<AcceptedJob> AcceptAsync(
        HttpRequest request,
        JobKind kind,
        string fileField,
        int maxFiles,
        long maxFileBytes,
        Func<JobUpload, int, UploadedFile, CancellationToken, Task> addChecked,
        CancellationToken cancellationToken)
    {
        using var upload = jobs.BeginUpload(kind);
        try
        {
            var parts = await MultipartUpload.ReadAsync(request, fileField, maxFiles, maxFileBytes, upload.InputPath, cancellationToken);
            if (parts.Files.Count == 0)
            {
                throw new ApiException(ApiErrors.ValidationError, $"No file was uploaded: send it in the form field '{fileField}'.");
            }

            var options = OptionFields.Parse(parts.Fields);
            for (var i = 0; i < parts.Files.Count; i++)
            {
                await addChecked(upload, i, parts.Files[i], cancellationToken);
            }

            await jobs.SubmitAsync(upload, options, cancellationToken);
            LogAccepted(logger, upload.TaskId, kind, parts.Files.Count, parts.Files.Sum(f => f.Length));
            // Never fails the upload: a stats failure is logged and counted by the stats module.
            await stats.TryIncrementAsync(new StatsIncrement(Tasks: 1), CancellationToken.None);
            return new AcceptedJob(upload.TaskId, kind, parts.Files.Count);
        }
        catch (ApiException ex)
        {
            LogRefused(logger, kind, ex.Code);
            throw;
        }
    }

    private async Task AddImageAsync(JobUpload upload, int index, UploadedFile file, CancellationToken cancellationToken)
    {
        if (!_options.ImageExtensions.Contains(file.Extension))
        {
            throw Unsupported(file, $"Images must have one of these extensions: {string.Join(", ", _options.ImageExtensions)}.");
        }

        var facts = await ImageInspector.InspectAsync(file.Path, file.Extension, processingOptions.MaxImageMegapixels, cancellationToken);
        if (!facts.IsSuccess)
        {
            throw ToApi(facts.Error!, file);
        }

        upload.AddImage(index, SafeNames.ForDisplay(file.ClientName), facts.Value!);
    }

    private async Task AddVideoAsync(JobUpload upload, int index, UploadedFile file, CancellationToken cancellationToken)
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

        var probe = await VideoProbe.ProbeAsync(
            file.Path,
            new VideoLimits(_options.MaxVideoSeconds),
            videoOptions.FfprobePath,
            VideoSniffer.DemuxerName(container.Value),
            cancellationToken);
        if (!probe.IsSuccess)
        {
            throw ToApi(probe.Error!, file);
        }

        upload.AddVideo(index, SafeNames.ForDisplay(file.ClientName));
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
