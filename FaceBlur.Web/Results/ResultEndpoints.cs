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
            .WithSummary("Poll a job; when it is done, download its result (served once, then deleted; a broken-off download resumes with Range).")
            .Produces<Envelope<PendingData>>(StatusCodes.Status202Accepted)
            .Produces(StatusCodes.Status200OK, null, "image/jpeg", "image/png", "image/webp", "image/bmp", "image/tiff", "application/zip", "video/mp4")
            .Produces(StatusCodes.Status206PartialContent, null, "image/jpeg", "image/png", "image/webp", "image/bmp", "image/tiff", "application/zip", "video/mp4")
            .WithMetadata(new PendingResponseDoc())
            .ProducesErrors(404, 410, 416, 422, 503);
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

    /// <summary>
    /// A done job's result: the whole of it to one request (claimed; others get result_gone while it runs and once it
    /// was delivered), or a byte range of it to a resumed download (see <see cref="JobService.ResumeResult"/>).
    /// </summary>
    private static async Task<IResult> GetResultAsync(string task_id, HttpContext context, JobService jobs, TimeProvider time, CancellationToken cancellationToken)
    {
        var job = await jobs.FindAsync(task_id, cancellationToken);
        if (NotDone(job) is { } answer)
        {
            return answer;
        }

        var state = job!.State;
        if (jobs.DescribeResult(state) is not { } file)
        {
            return Gone();
        }

        var range = ResultRange.Read(context.Request, file);
        var download = range.Partial || range.Unsatisfiable
            ? jobs.ResumeResult(state, range.NamesThisResult)
            : await jobs.ClaimResultAsync(state, cancellationToken);
        if (download is null)
        {
            return Gone();
        }

        if (range.Unsatisfiable)
        {
            await download.DisposeAsync();
            context.Response.Headers.ContentRange = range.ContentRange;
            return ApiErrors.Result(
                ApiErrors.RangeNotSatisfiable,
                "The range asked for lies beyond the end of the result.",
                new Dictionary<string, object?> { ["length"] = file.Length });
        }

        return new ResultFileResult(download, file, range, time);
    }

    private static IResult Gone() => ApiErrors.Result(
        ApiErrors.ResultGone,
        "The result was already downloaded (or is being downloaded right now) and is no longer served.");

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

    private static JsonHttpResult<Envelope<PendingData>> Pending(string status, string message, PendingData data) =>
        TypedResults.Json(new Envelope<PendingData>(status, message, data), statusCode: StatusCodes.Status202Accepted);

    public sealed record PendingData(double Progress, string Stage, int? QueuePosition);
}
