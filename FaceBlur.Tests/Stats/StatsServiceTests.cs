using FaceBlur.Modules.Stats;
using FaceBlur.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FaceBlur.Tests.Stats;

/// <summary>The stats module on real SQLite files in a temporary directory.</summary>
[Unit]
public class StatsServiceTests
{
    private DirectoryInfo _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("faceblur-stats-");

    [TearDown]
    public void DeleteDirectory()
    {
        SqliteConnection.ClearAllPools();
        _dir.Delete(recursive: true);
    }

    private string DbPath => Path.Combine(_dir.FullName, "nested", "stats.db");

    /// <summary>A host with only the stats module, started (so the database is migrated), on <see cref="DbPath"/>.</summary>
    private async Task<IHost> StartAsync(string? dbPath = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _dir.FullName });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["STATS_DB_PATH"] = dbPath ?? DbPath });
        builder.Logging.ClearProviders();
        builder.Services.AddStats(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    [Test]
    public async Task Start_creates_the_database_applies_the_migrations_and_switches_to_WAL()
    {
        using var host = await StartAsync();

        File.Exists(DbPath).Should().BeTrue();
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<StatsDbContext>>().CreateDbContextAsync();
        (await db.Database.GetPendingMigrationsAsync()).Should().BeEmpty();
        db.Database.HasPendingModelChanges().Should().BeFalse("the migrations must describe the model");
        (await db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").ToListAsync()).Should().Equal("wal");
        var stats = await host.Services.GetRequiredService<StatsService>().ReadAsync(default);
        stats.Should().Be(new StatsSnapshot(0, 0, 0, 0, 0, 0, 0));
        await host.StopAsync();
    }

    [Test]
    public async Task A_relative_path_resolves_against_the_content_root_and_a_restart_keeps_the_counts()
    {
        using (var host = await StartAsync("data/stats.db"))
        {
            await host.Services.GetRequiredService<StatsService>().TryIncrementAsync(new StatsIncrement(Requests: 2, VideoSeconds: 1.5), default);
            await host.StopAsync();
        }

        File.Exists(Path.Combine(_dir.FullName, "data", "stats.db")).Should().BeTrue();
        using var again = await StartAsync("data/stats.db");
        var stats = await again.Services.GetRequiredService<StatsService>().ReadAsync(default);
        stats.TotalRequests.Should().Be(2);
        stats.TotalVideoSeconds.Should().Be(1.5);
        await again.StopAsync();
    }

    [Test]
    public async Task Five_hundred_parallel_increments_from_many_threads_and_two_instances_lose_none()
    {
        // Two hosts on one file, as two app instances would be: only SQL-level atomicity can keep every increment.
        using var first = await StartAsync();
        using var second = await StartAsync();
        var services = new[] { first.Services.GetRequiredService<StatsService>(), second.Services.GetRequiredService<StatsService>() };
        var stored = 0;

        await Parallel.ForEachAsync(
            Enumerable.Range(0, 500),
            new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (i, ct) =>
            {
                var increment = new StatsIncrement(Requests: 1, Tasks: 1, Images: 2, Videos: 1, VideoSeconds: 0.5, Faces: 3, Visitors: 1);
                if (await services[i % 2].TryIncrementAsync(increment, ct))
                {
                    Interlocked.Increment(ref stored);
                }
            });

        stored.Should().Be(500, "no increment may fail under contention");
        var stats = await services[0].ReadAsync(default);
        stats.Should().Be(new StatsSnapshot(500, 500, 1000, 500, 250, 1500, 500));
        await first.StopAsync();
        await second.StopAsync();
    }

    [Test]
    public async Task A_broken_database_makes_increments_return_false_without_throwing()
    {
        using var host = await StartAsync();
        var stats = host.Services.GetRequiredService<StatsService>();
        (await stats.TryIncrementAsync(new StatsIncrement(Requests: 1), default)).Should().BeTrue();

        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(DbPath)!))
        {
            File.Delete(file);
        }

        (await stats.TryIncrementAsync(new StatsIncrement(Requests: 1), default)).Should().BeFalse();
        (await ActivatorUtilities.CreateInstance<StatsDatabaseHealthCheck>(host.Services).IsHealthyAsync()).Should().BeFalse();
        File.Exists(DbPath).Should().BeFalse("a missing database is reported, not silently recreated without its tables");
        await stats.Invoking(s => s.ReadAsync(default)).Should().ThrowAsync<StatsUnavailableException>();
        await host.StopAsync();
    }

    [TestCase("VISITOR_COOKIE_NAME", "visitor id")]
    [TestCase("VISITOR_COOKIE_NAME", "")]
    [TestCase("VISITOR_COOKIE_MAX_AGE_DAYS", "0")]
    [TestCase("VISITOR_COOKIE_MAX_AGE_DAYS", "401")]
    [TestCase("STATS_DB_PATH", "")]
    public void Unusable_settings_are_refused_naming_the_setting(string key, string value)
    {
        var options = new StatsOptions();
        new ConfigurationBuilder().AddInMemoryCollection([new(key, value)]).Build().Bind(options);

        options.Validate().Should().ContainSingle().Which.Should().StartWith(key);
    }

    [Test]
    public void The_defaults_are_valid() => new StatsOptions().Validate().Should().BeEmpty();
}
