using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Web.Api;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace FaceBlur.Web.Upload;

public static class UploadEndpoints
{
    public const string ImagesEndpointName = "BlurImages";

    public const string VideoEndpointName = "BlurVideo";

    public static IServiceCollection AddUpload(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<UploadOptions>().Bind(configuration).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<UploadService>();
        return services;
    }

    /// <summary>Maps <c>POST /blur</c> and <c>POST /blur/video</c>, each with its own body limit and the upload rate limit.</summary>
    public static IEndpointRouteBuilder MapUploadEndpoints(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<IOptions<UploadOptions>>().Value;

        app.MapPost("/blur", async (HttpRequest request, UploadService uploads, CancellationToken ct) =>
                Accepted(await uploads.AcceptImagesAsync(request, ct)))
            .AsUpload(options.MaxImagesRequestBytes)
            .WithName(ImagesEndpointName)
            .WithSummary("Upload 1..MAX_UPLOAD_FILES images (multipart field `files`) to have their faces hidden.")
            .WithDescription("Optional form fields: mode, shape, padding, strength (how faces are hidden), detect and regions (what is hidden or kept).")
            .WithMetadata(new MultipartFormDoc("files", ManyFiles: true, "The photos and the optional fields."));

        app.MapPost("/blur/video", async (HttpRequest request, UploadService uploads, CancellationToken ct) =>
                Accepted(await uploads.AcceptVideoAsync(request, ct)))
            .AsUpload(options.MaxVideoRequestBytes)
            .WithName(VideoEndpointName)
            .WithSummary("Upload one video (multipart field `file`) to have its faces hidden.")
            .WithDescription("Optional form fields as for POST /blur. Videos over MAX_VIDEO_SECONDS are refused with media_too_long.")
            .WithMetadata(new MultipartFormDoc("file", ManyFiles: false, "The video and the optional fields."));
        return app;
    }

    /// <summary>What both upload routes share: their own body limit, the upload rate limit, the 202 and error answers.</summary>
    private static RouteHandlerBuilder AsUpload(this RouteHandlerBuilder builder, long maxRequestBytes) => builder
        .WithMetadata(new RequestSizeLimitAttribute(maxRequestBytes))
        .RequireRateLimiting(RateLimiting.UploadPolicy)
        .WithTags("Upload")
        .DisableAntiforgery()
        .Produces<Envelope<AcceptedData>>(StatusCodes.Status202Accepted)
        .ProducesErrors(400, 413, 415, 429, 503);

    private static JsonHttpResult<Envelope<AcceptedData>> Accepted(AcceptedJob job)
    {
        var kind = job.Kind == JobKind.Images ? "images" : "video";
        var message = job.Kind == JobKind.Images
            ? $"{job.Files} image(s) queued; poll /results/{job.TaskId}."
            : $"Video queued; poll /results/{job.TaskId}.";
        return TypedResults.Json(
            new Envelope<AcceptedData>("queued", message, new AcceptedData(job.TaskId, kind, job.Kind == JobKind.Images ? job.Files : null)),
            statusCode: StatusCodes.Status202Accepted);
    }

    public sealed record AcceptedData(string TaskId, string Kind, int? Files);
}
