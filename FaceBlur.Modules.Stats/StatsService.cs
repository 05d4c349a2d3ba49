using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace FaceBlur.Modules.Stats;

/// <summary>
/// Reads and increments the vanity counters. Every increment is one SQL <c>UPDATE ... SET x = x + @n</c>, so
/// concurrent increments (threads, requests, several app instances on one file) are never lost. Increments never throw:
/// a failure is logged and counted in <c>faceblur_stats_errors_total</c>, and whatever asked for it goes on.
/// </summary>
public sealed partial class StatsService(
    IDbContextFactory<StatsDbContext> contexts,
    StatsMetrics metrics,
    ILogger<StatsService> logger)
{
    /// <summary>Adds <paramref name="increment"/> atomically; false (logged and counted) when the database failed.</summary>
    public async Task<bool> TryIncrementAsync(StatsIncrement increment, CancellationToken cancellationToken)
    {
        if (increment.IsEmpty)
        {
            return true;
        }

        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var rows = await db.Counters
                .Where(c => c.Id == StatsCounters.SingletonId)
                .ExecuteUpdateAsync(
                    s =>
                    {
                        if (increment.Requests != 0)
                        {
                            s.SetProperty(c => c.TotalRequests, c => c.TotalRequests + increment.Requests);
                        }

                        if (increment.Tasks != 0)
                        {
                            s.SetProperty(c => c.TotalTasks, c => c.TotalTasks + increment.Tasks);
                        }

                        if (increment.Images != 0)
                        {
                            s.SetProperty(c => c.TotalImages, c => c.TotalImages + increment.Images);
                        }

                        if (increment.Videos != 0)
                        {
                            s.SetProperty(c => c.TotalVideos, c => c.TotalVideos + increment.Videos);
                        }

                        if (increment.VideoSeconds != 0)
                        {
                            s.SetProperty(c => c.TotalVideoSeconds, c => c.TotalVideoSeconds + increment.VideoSeconds);
                        }

                        if (increment.Faces != 0)
                        {
                            s.SetProperty(c => c.TotalFaces, c => c.TotalFaces + increment.Faces);
                        }

                        if (increment.Visitors != 0)
                        {
                            s.SetProperty(c => c.TotalVisitors, c => c.TotalVisitors + increment.Visitors);
                        }
                    },
                    cancellationToken);
            if (rows != 1)
            {
                throw new InvalidOperationException("The counters row is missing from the stats database.");
            }

            return true;
        }
        catch (Exception ex) when (IsStatsFailure(ex, cancellationToken))
        {
            metrics.Error("increment");
            LogIncrementFailed(logger, ex, increment.ToString());
            return false;
        }
    }

    /// <summary>The counters; throws <see cref="StatsUnavailableException"/> when the database cannot be read.</summary>
    public async Task<StatsSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var c = await db.Counters.AsNoTracking().SingleAsync(c => c.Id == StatsCounters.SingletonId, cancellationToken);
            return new StatsSnapshot(c.TotalRequests, c.TotalTasks, c.TotalImages, c.TotalVideos, c.TotalVideoSeconds, c.TotalFaces, c.TotalVisitors);
        }
        catch (Exception ex) when (IsStatsFailure(ex, cancellationToken))
        {
            metrics.Error("read");
            LogReadFailed(logger, ex);
            throw new StatsUnavailableException("The stats database cannot be read right now.", ex);
        }
    }

    /// <summary>What a broken, locked, missing or full database throws; a cancellation by the caller is not one.</summary>
    internal static bool IsStatsFailure(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        SqliteException or DbUpdateException or InvalidOperationException or IOException or UnauthorizedAccessException => true,
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stats increment {Increment} lost: the stats database failed")]
    private static partial void LogIncrementFailed(ILogger logger, Exception exception, string increment);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stats could not be read")]
    private static partial void LogReadFailed(ILogger logger, Exception exception);
}
