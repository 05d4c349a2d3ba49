using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace FaceBlur.Modules.Stats;

/// <summary>The stats database's health (<c>stats_db</c> in /health): healthy when the counters can be read.</summary>
public sealed partial class StatsDatabaseHealthCheck(IDbContextFactory<StatsDbContext> contexts, ILogger<StatsDatabaseHealthCheck> logger) : IHealthCheck
{
    public const string Name = "stats_db";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            return await db.Counters.AsNoTracking().AnyAsync(c => c.Id == StatsCounters.SingletonId, cancellationToken)
                ? HealthCheckResult.Healthy("The stats database answers.")
                : HealthCheckResult.Unhealthy("The stats database has no counters.");
        }
        catch (Exception ex) when (StatsService.IsStatsFailure(ex, cancellationToken))
        {
            LogCheckFailed(logger, ex.Message);
            return HealthCheckResult.Unhealthy("The stats database cannot be read.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stats database check failed: {Reason}")]
    private static partial void LogCheckFailed(ILogger logger, string reason);
}
