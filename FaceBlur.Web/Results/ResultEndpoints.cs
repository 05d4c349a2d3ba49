using System.Globalization;
using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Web.Api;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FaceBlur.Web.Results;

public static class ResultEndpoints
{
    /// <summary>Maps <c>GET /results/{task_id}</c>: progress while running, the bytes once (then gone), or why it failed.</summary>
    public static IEndpointRouteBuilder MapResultEndpoints(this IEndpointRouteBuilder app)
    {
        var results = app.MapGroup("/results").WithTags("Results");
        results.MapGet("/{task_id}", GetResultAsync)
            .WithName("GetResult")
            .WithSummary("Poll a job; when it is done, download its result (served once, then deleted).")
            .Produces<Envelope<PendingData>>(StatusCodes.Status202Accepted)
            .Produces(StatusCodes.Status200OK, null, "image/jpeg", "image/png", "image/webp", "image/bmp", "image/tiff", "application/zip", "video/mp4")
            .WithMetadata(new PendingResponseDoc())
            .ProducesErrors(404, 410, 422, 503);
        results.MapGet("/{task_id}/regions", GetRegionsAsync)
            .WithName("GetRegions")
            .WithSummary("The regions the job hid (the SPEC's regions schema), from success until the job expires, also after the media was downloaded.")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .WithMetadata(new RegionsResponseDoc(), new PendingResponseDoc())
            .Produces<Envelope<PendingData>>(StatusCodes.Status202Accepted)
            .ProducesErrors(404, 422, 503);
        results.MapDelete("/{task_id}", CancelAsync)
            .WithName("CancelJob")
            .WithSummary("Cancel a job: a queued job never runs, a running one stops; its files, state and regions are deleted.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesErrors(404, 503);
        return app;
    }

    private static async Task<IResult> GetResultAsync(string task_id, HttpContext context, JobService jobs, CancellationToken cancellationToken)
    {
        var job = await jobs.FindAsync(task_id, cancellationToken);
        if (NotDone(job) is { } answer)
        {
            return answer;
        }

        if (await jobs.ClaimResultAsync(job!.State, cancellationToken) is not { } download)
        {
            return ApiErrors.Result(ApiErrors.ResultGone, "The result was already downloaded and has been deleted.");
        }

        context.Response.Headers["X-Faces-Detected"] = download.FacesDetected.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers.CacheControl = "no-store";
        return new ServeOnceResult(download);
    }

    private static async Task<IResult> GetRegionsAsync(string task_id, JobService jobs, CancellationToken cancellationToken)
    {
        var job = await jobs.FindAsync(task_id, cancellationToken);
        if (NotDone(job) is { } answer)
        {
            return answer;
        }

        // Only a job that succeeded on a version that did not keep regions yet has none.
        return await jobs.GetRegionsAsync(task_id, cancellationToken) is { } regions
            ? new RegionsResult(regions)
            : ApiErrors.Result(ApiErrors.TaskNotFound, "No regions are kept for this task.");
    }

    private static async Task<IResult> CancelAsync(string task_id, JobService jobs, CancellationToken cancellationToken) =>
        await jobs.CancelAsync(task_id, cancellationToken)
            ? TypedResults.NoContent()
            : NotFound();

    /// <summary>The answer for a job that is unknown, waiting, running or failed; null once it succeeded.</summary>
    private static IResult? NotDone(JobLookup? job)
    {
        if (job is null)
        {
            return NotFound();
        }

        var state = job.State;
        return state.Status switch
        {
            // The SPEC answers a job still waiting in the queue as "pending", in stage "queued".
            JobStatus.Queued => Pending("pending", "The job is waiting in the queue.", new PendingData(0, "queued", job.QueuePosition)),
            JobStatus.Processing => Pending("processing", "The job is being processed.", new PendingData(state.Progress, state.Stage ?? JobStages.Detecting, null)),
            JobStatus.Failed => ApiErrors.Result(
                ApiErrors.TaskFailed,
                "The job failed.",
                new Dictionary<string, object?> { ["reason"] = state.Error ?? "Processing failed." }),
            _ => null,
        };
    }

    private static IResult NotFound() =>
        ApiErrors.Result(ApiErrors.TaskNotFound, "No task with this id: it was never issued, has expired or was cancelled.");

    /// <summary>
    /// <c>{"status":"ok","message":...,"data":&lt;regions&gt;}</c> with the stored export written as it is (it can be
    /// megabytes for a long video: never parsed again, never logged).
    /// </summary>
    private sealed class RegionsResult(byte[] regions) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.ContentType = "application/json; charset=utf-8";
            response.Headers.CacheControl = "no-store";
            await response.Body.WriteAsync("{\"status\":\"ok\",\"message\":\"The regions this job hid.\",\"data\":"u8.ToArray(), httpContext.RequestAborted);
            await response.Body.WriteAsync(regions, httpContext.RequestAborted);
            await response.Body.WriteAsync("}"u8.ToArray(), httpContext.RequestAborted);
        }
    }

    /// <summary>
    /// Sends the result, then reports whether it was delivered: served once, then gone. A download the client broke off
    /// is not a delivery: the result stays for another try. Whether the body went out is known from the writes
    /// themselves (a broken-off download fails them), not from the request-aborted signal, which Kestrel raises
    /// asynchronously and may raise only after the response has been counted as complete.
    /// </summary>
    private sealed class ServeOnceResult(ResultDownload download) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            var delivered = false;
            try
            {
                await using var file = download.OpenRead();
                response.ContentType = download.ContentType;
                response.ContentLength = file.Length;
                if (download.FileName is not null)
                {
                    var disposition = new Microsoft.Net.Http.Headers.ContentDispositionHeaderValue("attachment");
                    disposition.SetHttpFileName(download.FileName);
                    response.Headers.ContentDisposition = disposition.ToString();
                }

                await file.CopyToAsync(response.Body, httpContext.RequestAborted);
                await response.CompleteAsync();
                delivered = !httpContext.RequestAborted.IsCancellationRequested;
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                // The client went away (or the file did): not delivered.
            }

            await (delivered ? download.DeliveredAsync() : download.NotDeliveredAsync());
        }
    }

    private static JsonHttpResult<Envelope<PendingData>> Pending(string status, string message, PendingData data) =>
        TypedResults.Json(new Envelope<PendingData>(status, message, data), statusCode: StatusCodes.Status202Accepted);

    public sealed record PendingData(double Progress, string Stage, int? QueuePosition);
}
