using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FaceBlur.Modules.Stats;

/// <summary>Connection strings of the stats database.</summary>
internal static class StatsConnection
{
    /// <summary>How long a statement waits for another writer's lock before it fails (SQLite busy timeout).</summary>
    public const int BusyTimeoutSeconds = 10;

    /// <summary>
    /// At run time the file must exist (it was created and migrated at start): a database deleted under a running app
    /// is reported as down, not silently replaced by an empty file without tables.
    /// </summary>
    public static string ForRuntime(string path) => Build(path, SqliteOpenMode.ReadWrite);

    public static string ForMigration(string path) => Build(path, SqliteOpenMode.ReadWriteCreate);

    private static string Build(string path, SqliteOpenMode mode) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = mode,
        DefaultTimeout = BusyTimeoutSeconds,
        Pooling = true,
    }.ToString();
}

/// <summary>
/// At start: creates the database file and its directory, applies the migrations and switches the file to WAL mode
/// (readers never wait for the writer). A path that cannot be used stops the app with one line naming STATS_DB_PATH.
/// </summary>
internal sealed partial class StatsDatabaseInitializer(IOptions<StatsOptions> options, ILogger<StatsDatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var path = options.Value.DbFullPath;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var dbOptions = new DbContextOptionsBuilder<StatsDbContext>().UseSqlite(StatsConnection.ForMigration(path)).Options;
            await using var db = new StatsDbContext(dbOptions);
            await db.Database.MigrateAsync(cancellationToken);
            var mode = await db.Database.SqlQueryRaw<string>("PRAGMA journal_mode=WAL").ToListAsync(cancellationToken);
            if (mode.SingleOrDefault() != "wal")
            {
                throw new InvalidOperationException($"the file system does not support WAL mode (journal mode {mode.SingleOrDefault()})");
            }

            LogReady(logger, path);
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            throw new OptionsValidationException(
                "STATS_DB_PATH",
                typeof(StatsOptions),
                [$"STATS_DB_PATH '{path}' cannot be used as the stats database: {ex.Message}"]);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Stats database ready at {Path} (migrated, WAL)")]
    private static partial void LogReady(ILogger logger, string path);
}
