using System.Diagnostics;
using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace FaceBlur.Tests.Jobs;

/// <summary>What only the Redis store has: its keys, their expiry, its index tidying and an unreachable server.</summary>
[TestFixture]
[NonParallelizable]
[Integration]
public sealed class RedisJobStoreTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(10);

    private ConnectionMultiplexer _redis = null!;
    private string _prefix = "";
    private FakeTimeProvider _clock = null!;
    private RedisJobStore _store = null!;

    private IDatabase Db => _redis.GetDatabase();

    [OneTimeSetUp]
    public async Task ConnectAsync() => _redis = await RedisTestServer.ConnectAsync();

    [OneTimeTearDown]
    public async Task DisconnectAsync() => await _redis.DisposeAsync();

    [SetUp]
    public void SetUp()
    {
        _prefix = RedisTestServer.UniquePrefix();
        _clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _store = new RedisJobStore(_redis, Ttl, _clock, _prefix);
    }

    [TearDown]
    public async Task TearDownAsync() => await RedisTestServer.DeleteKeysAsync(_redis, _prefix);

    [Test]
    public async Task Every_key_written_expires_within_the_ttl_and_writes_refresh_it()
    {
        var queued = NewId();
        var running = NewId();
        await _store.CreateAsync(NewQueued(queued), default);
        await _store.CreateAsync(NewQueued(running), default);
        await _store.TryStartAsync(running, default);

        var keys = new RedisKey[] { JobKey(queued), JobKey(running), _prefix + "queue", _prefix + "processing", _prefix + "seq" };
        foreach (var key in keys)
        {
            var ttl = await Db.KeyTimeToLiveAsync(key);
            ttl.Should().NotBeNull($"{key} must expire");
            ttl!.Value.Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThanOrEqualTo(Ttl);
        }

        // Shorten the expiry by hand: the next write must set it back to the full TTL.
        await Db.KeyExpireAsync(JobKey(running), TimeSpan.FromSeconds(30));
        await Db.KeyExpireAsync(_prefix + "processing", TimeSpan.FromSeconds(30));
        await _store.UpdateProgressAsync(running, JobStages.Encoding, 0.5, default);

        (await Db.KeyTimeToLiveAsync(JobKey(running)))!.Value.Should().BeGreaterThan(Ttl - TimeSpan.FromMinutes(1));
        (await Db.KeyTimeToLiveAsync(_prefix + "processing"))!.Value.Should().BeGreaterThan(Ttl - TimeSpan.FromMinutes(1));
    }

    [Test]
    public async Task Keys_use_the_prefix_and_the_job_is_a_hash()
    {
        var id = NewId();
        await _store.CreateAsync(NewQueued(id), default);

        (await Db.KeyTypeAsync(JobKey(id))).Should().Be(RedisType.Hash);
        (await Db.KeyTypeAsync(_prefix + "queue")).Should().Be(RedisType.SortedSet);
        (await Db.HashGetAsync(JobKey(id), "status")).ToString().Should().Be("queued");
    }

    [Test]
    public async Task Purge_drops_index_entries_whose_job_is_gone()
    {
        var queued = NewId();
        var running = NewId();
        var kept = NewId();
        await _store.CreateAsync(NewQueued(queued), default);
        await _store.CreateAsync(NewQueued(running), default);
        await _store.CreateAsync(NewQueued(kept), default);
        await _store.TryStartAsync(running, default);
        await Db.KeyDeleteAsync([JobKey(queued), JobKey(running)]);
        (await Db.SortedSetLengthAsync(_prefix + "queue")).Should().Be(2);
        (await _store.CountProcessingAsync(default)).Should().Be(1, "the index still holds the vanished job");

        await _store.PurgeExpiredAsync(default);

        (await Db.SortedSetLengthAsync(_prefix + "queue")).Should().Be(1);
        (await Db.SortedSetLengthAsync(_prefix + "processing")).Should().Be(0);
        (await _store.CountProcessingAsync(default)).Should().Be(0);
        (await _store.GetQueuePositionAsync(kept, default)).Should().Be(1);
    }

    [Test]
    public async Task Purge_drops_index_entries_older_than_the_ttl()
    {
        var queued = NewId();
        var running = NewId();
        await _store.CreateAsync(NewQueued(queued), default);
        await _store.CreateAsync(NewQueued(running), default);
        await _store.TryStartAsync(running, default);
        _clock.Advance(Ttl + TimeSpan.FromSeconds(1));

        await _store.PurgeExpiredAsync(default);

        (await Db.SortedSetLengthAsync(_prefix + "queue")).Should().Be(0);
        (await Db.SortedSetLengthAsync(_prefix + "processing")).Should().Be(0);
    }

    [Test]
    public async Task The_container_owns_the_redis_connection_and_closes_it_at_shutdown()
    {
        IConnectionMultiplexer redis;
        IJobStore store;
        await using (var container = JobsContainer(RedisTestServer.Url))
        {
            store = container.GetRequiredService<IJobStore>();
            redis = container.GetRequiredService<IConnectionMultiplexer>();
            (await store.IsHealthyAsync(default)).Should().BeTrue();
            var id = NewId();
            await store.CreateAsync(NewQueued(id), default);
            (await _store.GetAsync(id, default)).Should().NotBeNull("both stores share the keys");
        }

        redis.IsConnected.Should().BeFalse("the container closed the connection it owned");
        (await _store.IsHealthyAsync(default)).Should().BeTrue("closing it leaves other connections alone");
        await FluentActions.Awaiting(() => store.GetAsync(NewId(), default)).Should().ThrowAsync<Exception>();
    }

    [Test]
    public void The_redis_url_never_aborts_on_connect_failure()
    {
        JobsServiceCollectionExtensions.ParseRedisUrl("localhost:6379,abortConnect=true").AbortOnConnectFail.Should().BeFalse();
    }

    [Test]
    public async Task An_unreachable_redis_does_not_stop_startup_and_fails_fast_as_unavailable()
    {
        var watch = Stopwatch.StartNew();
        await using var container = JobsContainer("127.0.0.1:1,connectTimeout=300,syncTimeout=300,asyncTimeout=300,connectRetry=0");
        var down = container.GetRequiredService<IJobStore>();

        (await down.IsHealthyAsync(default)).Should().BeFalse();
        await FluentActions.Awaiting(() => down.GetAsync(NewId(), default))
            .Should().ThrowAsync<JobStoreUnavailableException>();
        await FluentActions.Awaiting(() => down.CreateAsync(NewQueued(NewId()), default))
            .Should().ThrowAsync<JobStoreUnavailableException>();
        await FluentActions.Awaiting(() => down.CountProcessingAsync(default))
            .Should().ThrowAsync<JobStoreUnavailableException>();

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
    }

    [Test]
    public async Task A_call_cancelled_while_redis_does_not_answer_stops_waiting_at_once()
    {
        await using var server = await OwnRedisServer.StartAsync();
        await using var redis = await RedisTestServer.ConnectAsync(server.Url); // commands time out after 5 s
        var store = new RedisJobStore(redis, Ttl, _clock, _prefix);
        var id = NewId();
        await store.CreateAsync(NewQueued(id), default);
        var calls = new Dictionary<string, Func<CancellationToken, Task>>
        {
            ["create"] = ct => store.CreateAsync(NewQueued(NewId()), ct),
            ["get"] = ct => store.GetAsync(id, ct),
            ["position"] = ct => store.GetQueuePositionAsync(id, ct),
            ["start"] = ct => store.TryStartAsync(id, ct),
            ["progress"] = ct => store.UpdateProgressAsync(id, JobStages.Encoding, 0.5, ct),
            ["complete"] = ct => store.CompleteAsync(id, new JobResult("results/a.zip", "application/zip", "a.zip", 1), ct),
            ["fail"] = ct => store.FailAsync(id, "reason", ct),
            ["mark served"] = ct => store.TryMarkServedAsync(id, ct),
            ["release served"] = ct => store.ReleaseServedAsync(id, ct),
            ["mark delivered"] = ct => store.MarkDeliveredAsync(id, ct),
            ["count"] = ct => store.CountProcessingAsync(ct),
            ["purge"] = ct => store.PurgeExpiredAsync(ct),
        };

        server.Pause();
        foreach (var (name, call) in calls)
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            var watch = Stopwatch.StartNew();
            await FluentActions.Awaiting(() => call(cancel.Token)).Should().ThrowAsync<OperationCanceledException>(name);
            watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1), $"{name} stops waiting when cancelled, not at the 5 s timeout");
        }

        // The health check's time limit running out is its answer: down, at once.
        using (var limit = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            var watch = Stopwatch.StartNew();
            (await store.IsHealthyAsync(limit.Token)).Should().BeFalse();
            watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1), "the health check stops waiting at its time limit");
        }
    }

    [Test]
    public async Task Every_call_on_a_frozen_redis_fails_as_unavailable_and_nothing_else()
    {
        await using var server = await OwnRedisServer.StartAsync();
        // The app's connection options, with a short timeout so the test does not wait 5 s per call.
        await using var redis = await ConnectionMultiplexer.ConnectAsync(JobsServiceCollectionExtensions.ParseRedisUrl(server.Url + ",asyncTimeout=1000,syncTimeout=1000"));
        var store = new RedisJobStore(redis, Ttl, _clock, _prefix);
        var id = NewId();
        await store.CreateAsync(NewQueued(id), default);
        var calls = new Dictionary<string, Func<Task>>
        {
            ["create"] = () => store.CreateAsync(NewQueued(NewId()), default),
            ["get"] = () => store.GetAsync(id, default),
            ["position"] = () => store.GetQueuePositionAsync(id, default),
            ["start"] = () => store.TryStartAsync(id, default),
            ["complete"] = () => store.CompleteAsync(id, new JobResult("results/a.zip", "application/zip", "a.zip", 1), default),
            ["fail"] = () => store.FailAsync(id, "reason", default),
            ["mark served"] = () => store.TryMarkServedAsync(id, default),
            ["mark delivered"] = () => store.MarkDeliveredAsync(id, default),
            ["delete"] = () => store.DeleteAsync(id, default),
            ["count"] = () => store.CountProcessingAsync(default),
        };

        server.Pause();
        try
        {
            await Task.WhenAll(calls.Select(async call =>
                await FluentActions.Awaiting(call.Value).Should().ThrowExactlyAsync<JobStoreUnavailableException>(call.Key)));
        }
        finally
        {
            server.Resume();
        }
    }

    /// <summary>The job layer as the app composes it (<see cref="JobsServiceCollectionExtensions.AddJobs"/>), on Redis.</summary>
    private ServiceProvider JobsContainer(string redisUrl)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["REDIS_URL"] = redisUrl, ["REDIS_KEY_PREFIX"] = _prefix })
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment { ContentRootPath = Path.GetTempPath() });
        services.AddJobs(configuration);
        return services.BuildServiceProvider();
    }

    private RedisKey JobKey(string id) => _prefix + "job:" + id;

    private static string NewId() => Guid.NewGuid().ToString("N");

    private JobState NewQueued(string id) =>
        new() { TaskId = id, Kind = JobKind.Images, Files = 1, CreatedAt = _clock.GetUtcNow(), UpdatedAt = _clock.GetUtcNow() };
}
