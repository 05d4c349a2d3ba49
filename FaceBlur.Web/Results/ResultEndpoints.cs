using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Web.Api;

namespace FaceBlur.Web.Download;

public static partial class ResultEndpoints
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

    private static async Task<IResult> GetResultAsync(
        string task_id,
        HttpContext context,
        IJobStore store,
        JobStorage storage,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var taskId = task_id;
        var state = JobStorage.IsValidTaskId(taskId) ? await store.GetAsync(taskId, cancellationToken) : null;
        if (state is null)
        {
            return ApiErrors.Result(ApiErrors.TaskNotFound, "No task with this id: it was never issued or has expired.");
        }

        switch (state.Status)
        {
            case JobStatus.Queued:
                var position = await store.GetQueuePositionAsync(taskId, cancellationToken);
                return Pending("pending", "The job is waiting in the queue.", new PendingData(0, "queued", position));
            case JobStatus.Processing:
                return Pending("processing", "The job is being processed.", new PendingData(state.Progress, state.Stage ?? JobStages.Detecting, null));
            case JobStatus.Failed:
                return ApiErrors.Result(
                    ApiErrors.TaskFailed,
                    "The job failed.",
                    new Dictionary<string, object?> { ["reason"] = state.Error ?? "Processing failed." });
        }

        if (state.Served || state.ResultPath is null)
        {
            return Gone();
        }

        var path = storage.Resolve(state.ResultPath);
        if (!File.Exists(path) || !await store.TryMarkServedAsync(taskId, cancellationToken))
        {
            return Gone();
        }

        var logger = loggers.CreateLogger("FaceBlur.Web.Results");
        context.Response.Headers["X-Faces-Detected"] = (state.FacesDetected ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers.CacheControl = "no-store";
        return new ServeOnceResult(path, state.ResultContentType ?? "application/octet-stream", state.ResultFileName, taskId, store, storage, logger);
    }

    /// <summary>
    /// Sends the result, then deletes it: served once, then gone. A download the client broke off is not a delivery:
    /// the claim is released and the result stays for another try. Whether the body went out is known from the writes
    /// themselves (a broken-off download fails them), not from the request-aborted signal, which Kestrel raises
    /// asynchronously and may raise only after the response has been counted as complete.
    /// </summary>
    private sealed class ServeOnceResult(
        string path, string contentType, string? fileName, string taskId, IJobStore store, JobStorage storage, ILogger logger) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            var delivered = false;
            try
            {
                await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
                response.ContentType = contentType;
                response.ContentLength = file.Length;
                if (fileName is not null)
                {
                    var disposition = new Microsoft.Net.Http.Headers.ContentDispositionHeaderValue("attachment");
                    disposition.SetHttpFileName(fileName);
                    response.Headers.ContentDisposition = disposition.ToString();
                }

                LogServed(logger, taskId);
                await file.CopyToAsync(response.Body, httpContext.RequestAborted);
                await response.CompleteAsync();
                delivered = !httpContext.RequestAborted.IsCancellationRequested;
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                // The client went away (or the file did): handled below.
            }

            if (!delivered)
            {
                LogDownloadInterrupted(logger, taskId);
                await store.ReleaseServedAsync(taskId, CancellationToken.None);
                return;
            }

            try
            {
                storage.DeleteJob(taskId);
            }
            catch (IOException ex)
            {
                LogDeleteFailed(logger, taskId, ex.Message);
            }
        }
    }

    private static IResult Pending(string status, string message, PendingData data) =>
        Results.Json(new Envelope<PendingData>(status, message, data), statusCode: StatusCodes.Status202Accepted);

    private static IResult Gone() =>
        ApiErrors.Result(ApiErrors.ResultGone, "The result was already downloaded and has been deleted.");

    public sealed record PendingData(double Progress, string Stage, int? QueuePosition);

    [LoggerMessage(Level = LogLevel.Information, Message = "Result of job {TaskId} served")]
    private static partial void LogServed(ILogger logger, string taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Download of job {TaskId} interrupted; the result is kept for another try")]
    private static partial void LogDownloadInterrupted(ILogger logger, string taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Result of job {TaskId} not deleted after serving: {Reason}")]
    private static partial void LogDeleteFailed(ILogger logger, string taskId, string reason);
}
