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
        app.MapGet("/results/{task_id}", GetResultAsync)
            .WithName("GetResult")
            .WithSummary("Poll a job; when it is done, download its result (served once, then deleted).")
            .Produces<Envelope<PendingData>>(StatusCodes.Status202Accepted)
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .ProducesErrors(404, 410, 422, 503);
        return app;
    }

    private static async Task<IResult> GetResultAsync(string task_id, HttpContext context, JobService jobs, CancellationToken cancellationToken)
    {
        if (await jobs.FindAsync(task_id, cancellationToken) is not { } job)
        {
            return ApiErrors.Result(ApiErrors.TaskNotFound, "No task with this id: it was never issued or has expired.");
        }

        var state = job.State;
        switch (state.Status)
        {
            case JobStatus.Queued:
                // The SPEC answers a job still waiting in the queue as "pending", in stage "queued".
                return Pending("pending", "The job is waiting in the queue.", new PendingData(0, "queued", job.QueuePosition));
            case JobStatus.Processing:
                return Pending("processing", "The job is being processed.", new PendingData(state.Progress, state.Stage ?? JobStages.Detecting, null));
            case JobStatus.Failed:
                return ApiErrors.Result(
                    ApiErrors.TaskFailed,
                    "The job failed.",
                    new Dictionary<string, object?> { ["reason"] = state.Error ?? "Processing failed." });
        }

        if (await jobs.ClaimResultAsync(state, cancellationToken) is not { } download)
        {
            return ApiErrors.Result(ApiErrors.ResultGone, "The result was already downloaded and has been deleted.");
        }

        context.Response.Headers["X-Faces-Detected"] = download.FacesDetected.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers.CacheControl = "no-store";
        return new ServeOnceResult(download);
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
