using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FaceBlur.Modules.Stats;

public static class StatsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the stats module: settings (validated at start; a relative STATS_DB_PATH resolves against the content
    /// root), the SQLite database (migrated at start, WAL mode), <see cref="StatsService"/>, its metrics and its health check.
    /// </summary>
    public static IServiceCollection AddStats(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StatsOptions>()
            .Bind(configuration)
            .PostConfigure<IHostEnvironment>((o, env) => o.BasePath = env.ContentRootPath)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddPooledDbContextFactory<StatsDbContext>((sp, db) =>
            db.UseSqlite(StatsConnection.ForRuntime(sp.GetRequiredService<IOptions<StatsOptions>>().Value.DbFullPath)));
        services.AddSingleton<StatsMetrics>();
        services.AddSingleton<StatsService>();
        services.AddHostedService<StatsDatabaseInitializer>();
        services.AddHealthChecks().AddCheck<StatsDatabaseHealthCheck>(StatsDatabaseHealthCheck.Name, HealthStatus.Unhealthy, timeout: TimeSpan.FromSeconds(2));
        return services;
    }
}
