using System.Text;
using FaceBlur.Modules.Processing;
using FaceBlur.Modules.Processing.Images;
using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Modules.Processing.Media;
using FaceBlur.Modules.Processing.Regions;
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
            upload.Detect = OptionFields.ParseDetect(parts.Fields);
            var regions = ReadRegions(parts.Fields, kind);
            for (var i = 0; i < parts.Files.Count; i++)
            {
                await addChecked(upload, i, parts.Files[i], cancellationToken);
            }

            if (regions is not null)
            {
                GiveRegions(upload, regions.Value.Document, regions.Value.Json);
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

        var probe = await VideoInspector.InspectAsync(file.Path, videoOptions, cancellationToken);
        if (!probe.IsSuccess)
        {
            throw ToApi(probe.Error!, file);
        }

        upload.AddVideo(index, SafeNames.ForDisplay(file.ClientName), probe.Value!);
    }

    /// <summary>The <c>regions</c> field read and checked for shape (null when absent).</summary>
    private static (RegionsDocument Document, byte[] Json)? ReadRegions(IReadOnlyDictionary<string, string> fields, JobKind kind)
    {
        if (!fields.TryGetValue(OptionFields.Regions, out var text))
        {
            return null;
        }

        var json = Encoding.UTF8.GetBytes(text);
        return (Checked(() => RegionsReader.Read(json, kind)), json);
    }

    /// <summary>Checks the regions against the uploaded media (files named, sizes, boxes inside) and stores them.</summary>
    private static void GiveRegions(JobUpload upload, RegionsDocument document, byte[] json)
    {
        if (document is VideoRegionsDocument video)
        {
            Checked(() => RegionsBinding.BindVideo(video, upload.Inputs[0].Video!));
        }
        else
        {
            var images = upload.Inputs.Select(i => new UploadedImage(i.DisplayName, i.Image!.Width, i.Image.Height)).ToList();
            Checked(() => RegionsBinding.BindImages((ImageRegionsDocument)document, images));
        }

        upload.GiveRegions(json);
    }

    /// <summary>A regions problem as the SPEC answers it: 400 <c>validation_error</c> naming <c>details.path</c>.</summary>
    private static T Checked<T>(Func<T> check)
    {
        try
        {
            return check();
        }
        catch (RegionsValidationException ex)
        {
            throw new ApiException(ApiErrors.ValidationError, $"regions: {ex.Message}", new Dictionary<string, object?> { ["path"] = ex.Path });
        }
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
