using System.Diagnostics.Metrics;
using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Modules.Stats;
using FaceBlur.Web.Api;

namespace FaceBlur.Web.Upload;

/// <summary>The upload routes' instrument: uploads refused by error code (jobs accepted are counted by the job service).</summary>
public sealed class UploadMetrics
{
    private readonly Counter<long> _rejected;

    public UploadMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(JobMetrics.MeterName);
        _rejected = meter.CreateCounter<long>("faceblur.rejected_uploads", description: "Uploads refused, by the error code answered.");
    }

    public void Rejected(string code) => _rejected.Add(1, new KeyValuePair<string, object?>("code", code));
}

/// <summary>
/// Counts every attempt on the two upload routes, accepted or refused (the stats' <c>total_requests</c>), and every
/// refusal by its error code, whatever refused it: validation, the rate limiter, the body limit or a dependency.
/// </summary>
public static class UploadAccounting
{
    public static WebApplication UseUploadAccounting(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var name = context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
            if (name is not (UploadEndpoints.ImagesEndpointName or UploadEndpoints.VideoEndpointName))
            {
                await next(context);
                return;
            }

            var metrics = context.RequestServices.GetRequiredService<UploadMetrics>();
            context.Response.OnStarting(() =>
            {
                // Before the client sees the answer, so the count is there as soon as the response is.
                if (context.Response.StatusCode >= StatusCodes.Status400BadRequest)
                {
                    metrics.Rejected(context.Items[ApiErrors.CodeItemKey] as string ?? ApiErrors.CodeOf(context.Response.StatusCode));
                }

                return Task.CompletedTask;
            });
            // Never fails the upload: a stats failure is logged and counted by the stats module.
            await context.RequestServices.GetRequiredService<StatsService>()
                .TryIncrementAsync(new StatsIncrement(Requests: 1), CancellationToken.None);
            await next(context);
        });
        return app;
    }
}
