using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FaceBlur.Tests.Support;

/// <summary>A component's own health check, asked directly (what /health asks of it).</summary>
internal static class HealthChecks
{
    public static async Task<bool> IsHealthyAsync(this IHealthCheck check, CancellationToken cancellationToken = default) =>
        (await check.CheckHealthAsync(new HealthCheckContext(), cancellationToken)).Status == HealthStatus.Healthy;
}
