using FaceBlur.Modules.Processing.Detection;

namespace FaceBlur.Web.Api;

public static class HealthEndpoints
{
    /// <summary>Maps <c>GET /health</c>: liveness plus the state of each dependency.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", (IServiceProvider services) =>
        {
            var checks = new Dictionary<string, string>
            {
                ["detector_model"] = DetectorState(services),
            };
            var healthy = checks.Values.All(v => v == "ok");
            var body = new Envelope<HealthData>(
                healthy ? "ok" : "error",
                healthy ? "FaceBlur is running." : "A dependency is down.",
                new HealthData(checks));
            return Results.Json(body, statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        })
        .WithName("GetHealth")
        .WithSummary("Liveness and the state of each dependency.");
        return app;
    }

    private static string DetectorState(IServiceProvider services)
    {
        try
        {
            return services.GetService<IFaceDetector>() is null ? "missing" : "ok";
        }
        catch (Exception ex) when (ex is InvalidOperationException or FileNotFoundException)
        {
            return "error";
        }
    }

    public sealed record HealthData(IReadOnlyDictionary<string, string> Checks);
}
