using StackExchange.Redis;

namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>
/// <see cref="IJobStore"/> on Redis, shared by every instance of the service.
/// </summary>
/// <remarks>
/// <para>Keys (all under the key prefix):</para>
/// <list type="bullet">
/// <item><c>job:{id}</c>: a hash with the job's fields (absent field = null).</item>
/// <item><c>queue</c>: a sorted set of the queued jobs, score = creation time (Unix ms), member = a zero-padded
/// creation sequence number, ':' and the id (so jobs created in the same millisecond keep their creation order).</item>
/// <item><c>processing</c>: a sorted set of the processing jobs, member = id, score = the job's last change
/// (Unix ms), so an entry older than the TTL belongs to an expired job.</item>
/// <item><c>seq</c>: the creation sequence counter.</item>
/// </list>
/// <para>Every write refreshes the expiry of every key it touches to the TTL. The state transitions run as Lua scripts,
/// so they are atomic across instances. Timestamps come from the <see cref="TimeProvider"/>; the expiry itself is
/// kept by Redis (PEXPIRE). All keys of one store share no hash tag, so this targets a single Redis (or a primary with
/// replicas), not Redis Cluster.</para>
/// </remarks>
public sealed class RedisJobStore : IJobStore, IDisposable, IAsyncDisposable
{
    /// <summary>The key prefix used when none is given.</summary>
    public const string DefaultKeyPrefix = "faceblur:";

    private const string CreateScript = """
        local oldqm = redis.call('HGET', KEYS[1], 'qm')
        if oldqm then redis.call('ZREM', KEYS[2], oldqm) end
        redis.call('ZREM', KEYS[3], ARGV[3])
        redis.call('DEL', KEYS[1])
        local seq = redis.call('INCR', KEYS[4])
        redis.call('PEXPIRE', KEYS[4], ARGV[1])
        redis.call('HSET', KEYS[1], unpack(ARGV, 6))
        if ARGV[4] == 'queued' then
            local qm = string.format('%016d', seq) .. ':' .. ARGV[3]
            redis.call('HSET', KEYS[1], 'qm', qm)
            redis.call('ZADD', KEYS[2], ARGV[2], qm)
            redis.call('PEXPIRE', KEYS[2], ARGV[1])
        elseif ARGV[4] == 'processing' then
            redis.call('ZADD', KEYS[3], ARGV[5], ARGV[3])
            redis.call('PEXPIRE', KEYS[3], ARGV[1])
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return 1
        """;

    private const string PositionScript = """
        if redis.call('HGET', KEYS[1], 'status') ~= 'queued' then return false end
        local qm = redis.call('HGET', KEYS[1], 'qm')
        if not qm then return false end
        local rank = redis.call('ZRANK', KEYS[2], qm)
        if not rank then return false end
        local stale = redis.call('ZCOUNT', KEYS[2], '-inf', '(' .. ARGV[1])
        local position = rank - stale + 1
        if position < 1 then position = 1 end
        return position
        """;

    private const string TryStartScript = """
        local status = redis.call('HGET', KEYS[1], 'status')
        if not status or status == 'succeeded' or status == 'failed' then return false end
        local qm = redis.call('HGET', KEYS[1], 'qm')
        if qm then
            redis.call('ZREM', KEYS[2], qm)
            redis.call('HDEL', KEYS[1], 'qm')
            redis.call('PEXPIRE', KEYS[2], ARGV[1])
        end
        redis.call('HINCRBY', KEYS[1], 'attempts', 1)
        redis.call('HSET', KEYS[1], 'status', 'processing', 'stage', ARGV[5], 'progress', '0',
            'started', ARGV[2], 'updated', ARGV[2])
        redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
        redis.call('PEXPIRE', KEYS[3], ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return redis.call('HGETALL', KEYS[1])
        """;

    private const string ProgressScript = """
        if redis.call('HGET', KEYS[1], 'status') ~= 'processing' then return 0 end
        redis.call('HSET', KEYS[1], 'stage', ARGV[5], 'progress', ARGV[6], 'updated', ARGV[2])
        redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
        redis.call('PEXPIRE', KEYS[2], ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return 1
        """;

    // ARGV: ttl, now, id, status, then field/value pairs to set.
    private const string FinishScript = """
        local status = redis.call('HGET', KEYS[1], 'status')
        if not status or status == 'succeeded' or status == 'failed' then return 0 end
        local qm = redis.call('HGET', KEYS[1], 'qm')
        if qm then
            redis.call('ZREM', KEYS[2], qm)
            redis.call('PEXPIRE', KEYS[2], ARGV[1])
        end
        if redis.call('ZREM', KEYS[3], ARGV[3]) == 1 then redis.call('PEXPIRE', KEYS[3], ARGV[1]) end
        redis.call('HDEL', KEYS[1], 'qm', 'stage')
        redis.call('HSET', KEYS[1], 'status', ARGV[4], 'completed', ARGV[2], 'updated', ARGV[2], unpack(ARGV, 5))
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return 1
        """;

    private const string MarkServedScript = """
        if redis.call('HGET', KEYS[1], 'status') ~= 'succeeded' then return 0 end
        if redis.call('HGET', KEYS[1], 'served') == '1' then return 0 end
        redis.call('HSET', KEYS[1], 'served', '1', 'updated', ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return 1
        """;

    private const string ReleaseServedScript = """
        if redis.call('HGET', KEYS[1], 'status') ~= 'succeeded' then return 0 end
        if redis.call('HGET', KEYS[1], 'served') ~= '1' then return 0 end
        redis.call('HSET', KEYS[1], 'served', '0', 'updated', ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return 1
        """;

    private const int PurgeBatchSize = 500;

    private readonly IConnectionMultiplexer _redis;
    private readonly bool _ownsConnection;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;
    private readonly string _keyPrefix;
    private readonly RedisKey _queueKey;
    private readonly RedisKey _processingKey;
    private readonly RedisKey _seqKey;

    /// <summary>A store on an existing connection (not disposed by this store).</summary>
    /// <param name="redis">The connection; create it with <c>AbortOnConnectFail=false</c> so the app starts while Redis is down.</param>
    /// <param name="ttl">How long an entry lives after its last change (STORAGE_TTL_MINUTES).</param>
    /// <param name="time">The clock for the timestamps.</param>
    /// <param name="keyPrefix">Put before every key.</param>
    public RedisJobStore(IConnectionMultiplexer redis, TimeSpan ttl, TimeProvider time, string keyPrefix = DefaultKeyPrefix)
        : this(redis, ttl, time, keyPrefix, ownsConnection: false)
    {
    }

    private RedisJobStore(IConnectionMultiplexer redis, TimeSpan ttl, TimeProvider time, string keyPrefix, bool ownsConnection)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(ttl, TimeSpan.FromMilliseconds(1));
        _redis = redis;
        _ttl = ttl;
        _time = time;
        _keyPrefix = keyPrefix;
        _ownsConnection = ownsConnection;
        _queueKey = keyPrefix + "queue";
        _processingKey = keyPrefix + "processing";
        _seqKey = keyPrefix + "seq";
    }

    /// <summary>
    /// Parses a StackExchange.Redis connection string (e.g. <c>localhost:6379,password=...</c>) and forces
    /// <c>AbortOnConnectFail=false</c>, so connecting succeeds while Redis is down and reconnects in the background.
    /// </summary>
    public static ConfigurationOptions CreateOptions(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        return options;
    }

    /// <summary>
    /// Connects (without failing when Redis is down: see <see cref="CreateOptions"/>) and returns a store that owns
    /// the connection and closes it when disposed.
    /// </summary>
    public static Task<RedisJobStore> ConnectAsync(
        string connectionString,
        TimeSpan ttl,
        TimeProvider time,
        string keyPrefix = DefaultKeyPrefix,
        TextWriter? log = null) =>
        ConnectAsync(CreateOptions(connectionString), ttl, time, keyPrefix, log);

    /// <summary>Connects with the given options and returns a store that owns the connection.</summary>
    public static async Task<RedisJobStore> ConnectAsync(
        ConfigurationOptions options,
        TimeSpan ttl,
        TimeProvider time,
        string keyPrefix = DefaultKeyPrefix,
        TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ConnectionMultiplexer redis;
        try
        {
            redis = await ConnectionMultiplexer.ConnectAsync(options, log);
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            throw new JobStoreUnavailableException("The job store (Redis) cannot be reached.", ex);
        }

        try
        {
            return new RedisJobStore(redis, ttl, time, keyPrefix, ownsConnection: true);
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
    }

    private IDatabase Db => _redis.GetDatabase();

    /// <inheritdoc />
    public async Task CreateAsync(JobState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentException.ThrowIfNullOrEmpty(state.TaskId);
        cancellationToken.ThrowIfCancellationRequested();

        var now = _time.GetUtcNow();
        var createdAt = state.CreatedAt == default ? now : state.CreatedAt;
        var updatedAt = state.UpdatedAt == default ? createdAt : state.UpdatedAt;
        var lastChangeScore = (state.Status == JobStatus.Processing ? state.StartedAt ?? updatedAt : updatedAt)
            .ToUnixTimeMilliseconds();

        var fields = JobFields.ToFields(state with { CreatedAt = createdAt, UpdatedAt = updatedAt });
        var args = new RedisValue[5 + (fields.Count * 2)];
        args[0] = TtlMilliseconds;
        args[1] = createdAt.ToUnixTimeMilliseconds();
        args[2] = state.TaskId;
        args[3] = JobFields.FormatStatus(state.Status);
        args[4] = lastChangeScore;
        var i = 5;
        foreach (var (name, value) in fields)
        {
            args[i++] = name;
            args[i++] = value;
        }

        await RunAsync(
            db => db.ScriptEvaluateAsync(CreateScript, [JobKey(state.TaskId), _queueKey, _processingKey, _seqKey], args));
    }

    /// <inheritdoc />
    public async Task<JobState?> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        cancellationToken.ThrowIfCancellationRequested();
        var entries = await RunAsync(db => db.HashGetAllAsync(JobKey(taskId))).WaitAsync(cancellationToken);
        if (entries.Length == 0)
        {
            return null;
        }

        var fields = new Dictionary<string, string>(entries.Length, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            fields[entry.Name.ToString()] = entry.Value.ToString();
        }

        return JobFields.FromFields(taskId, fields);
    }

    /// <inheritdoc />
    public async Task<int?> GetQueuePositionAsync(string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        cancellationToken.ThrowIfCancellationRequested();
        var result = await RunAsync(
                db => db.ScriptEvaluateAsync(PositionScript, [JobKey(taskId), _queueKey], [CutoffScore()]))
            .WaitAsync(cancellationToken);
        return result.IsNull ? null : (int)result;
    }

    /// <inheritdoc />
    public async Task<JobState?> TryStartAsync(string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow();
        var result = await RunAsync(
            db => db.ScriptEvaluateAsync(
                TryStartScript,
                [JobKey(taskId), _queueKey, _processingKey],
                [TtlMilliseconds, JobFields.FormatTime(now), now.ToUnixTimeMilliseconds(), taskId, JobStages.Detecting]));
        if (result.IsNull)
        {
            return null;
        }

        var items = (RedisResult[]?)result ?? [];
        var fields = new Dictionary<string, string>(items.Length / 2, StringComparer.Ordinal);
        for (var i = 0; i + 1 < items.Length; i += 2)
        {
            fields[items[i].ToString()] = items[i + 1].ToString();
        }

        return JobFields.FromFields(taskId, fields);
    }

    /// <inheritdoc />
    /// <remarks>Applies only while the job is processing (ignored for queued, terminal, unknown or expired jobs).
    /// <paramref name="progress"/> is clamped to 0..1.</remarks>
    public async Task UpdateProgressAsync(string taskId, string stage, double progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        ArgumentNullException.ThrowIfNull(stage);
        var clamped = JobFields.ClampProgress(progress);
        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow();
        await RunAsync(
            db => db.ScriptEvaluateAsync(
                ProgressScript,
                [JobKey(taskId), _processingKey],
                [
                    TtlMilliseconds, JobFields.FormatTime(now), now.ToUnixTimeMilliseconds(), taskId, stage,
                    JobFields.FormatDouble(clamped),
                ]));
    }

    /// <inheritdoc />
    public async Task CompleteAsync(string taskId, JobResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        ArgumentNullException.ThrowIfNull(result);
        cancellationToken.ThrowIfCancellationRequested();
        await FinishAsync(
            taskId,
            JobStatus.Succeeded,
            [
                JobFields.Progress, "1",
                JobFields.ResultPath, result.ResultPath,
                JobFields.ResultContentType, result.ContentType,
                JobFields.ResultFileName, result.FileName,
                JobFields.FacesDetected, result.FacesDetected,
            ]);
    }

    /// <inheritdoc />
    public async Task FailAsync(string taskId, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        ArgumentNullException.ThrowIfNull(reason);
        cancellationToken.ThrowIfCancellationRequested();
        await FinishAsync(taskId, JobStatus.Failed, [JobFields.Error, reason]);
    }

    /// <inheritdoc />
    public async Task<bool> TryMarkServedAsync(string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow();
        var result = await RunAsync(
            db => db.ScriptEvaluateAsync(MarkServedScript, [JobKey(taskId)], [TtlMilliseconds, JobFields.FormatTime(now)]));
        return (int)result == 1;
    }

    /// <inheritdoc />
    public async Task ReleaseServedAsync(string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow();
        await RunAsync(db => db.ScriptEvaluateAsync(ReleaseServedScript, [JobKey(taskId)], [TtlMilliseconds, JobFields.FormatTime(now)]));
    }

    /// <inheritdoc />
    public async Task<int> CountProcessingAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var count = await RunAsync(
                db => db.SortedSetLengthAsync(_processingKey, CutoffScore(), double.PositiveInfinity))
            .WaitAsync(cancellationToken);
        return (int)count;
    }

    /// <inheritdoc />
    /// <remarks>Redis expires the job hashes itself; this drops the index entries of jobs that are gone (entry older
    /// than the TTL, or its hash no longer exists).</remarks>
    public async Task PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var cutoff = CutoffScore();
        await RunAsync(
            db => Task.WhenAll(
                db.SortedSetRemoveRangeByScoreAsync(_queueKey, double.NegativeInfinity, cutoff, Exclude.Stop),
                db.SortedSetRemoveRangeByScoreAsync(_processingKey, double.NegativeInfinity, cutoff, Exclude.Stop)));

        await PurgeMissingAsync(_queueKey, static member => QueueMemberId(member), cancellationToken);
        await PurgeMissingAsync(_processingKey, static member => member, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_redis.IsConnected)
        {
            return false;
        }

        try
        {
            await Db.PingAsync().WaitAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (IsStoreFailure(ex) || ex is ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Closes the connection when this store opened it (<see cref="ConnectAsync(string, TimeSpan, TimeProvider, string, TextWriter?)"/>).</summary>
    public void Dispose()
    {
        if (_ownsConnection)
        {
            _redis.Dispose();
        }
    }

    /// <inheritdoc cref="Dispose" />
    public async ValueTask DisposeAsync()
    {
        if (_ownsConnection)
        {
            await _redis.DisposeAsync();
        }
    }

    private long TtlMilliseconds => Math.Max(1, (long)Math.Ceiling(_ttl.TotalMilliseconds));

    private RedisKey JobKey(string taskId) => _keyPrefix + "job:" + taskId;

    /// <summary>Index entries scored before this (Unix ms) belong to jobs whose last change is older than the TTL.</summary>
    private double CutoffScore() => (_time.GetUtcNow() - _ttl).ToUnixTimeMilliseconds();

    private static string QueueMemberId(string member)
    {
        var separator = member.IndexOf(':', StringComparison.Ordinal);
        return separator < 0 ? member : member[(separator + 1)..];
    }

    private async Task FinishAsync(string taskId, JobStatus status, RedisValue[] fields)
    {
        var now = _time.GetUtcNow();
        var args = new RedisValue[4 + fields.Length];
        args[0] = TtlMilliseconds;
        args[1] = JobFields.FormatTime(now);
        args[2] = taskId;
        args[3] = JobFields.FormatStatus(status);
        fields.CopyTo(args, 4);
        await RunAsync(db => db.ScriptEvaluateAsync(FinishScript, [JobKey(taskId), _queueKey, _processingKey], args));
    }

    private async Task PurgeMissingAsync(RedisKey indexKey, Func<string, string> idOf, CancellationToken cancellationToken)
    {
        var members = await RunAsync(db => db.SortedSetRangeByRankAsync(indexKey));
        foreach (var chunk in members.Chunk(PurgeBatchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var exists = await RunAsync(
                db => Task.WhenAll(chunk.Select(member => db.KeyExistsAsync(JobKey(idOf(member.ToString()))))));
            var missing = chunk.Where((_, i) => !exists[i]).ToArray();
            if (missing.Length > 0)
            {
                await RunAsync(db => db.SortedSetRemoveAsync(indexKey, missing));
            }
        }
    }

    private async Task<T> RunAsync<T>(Func<IDatabase, Task<T>> command)
    {
        try
        {
            return await command(Db);
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            throw Unavailable(ex);
        }
    }

    private async Task RunAsync(Func<IDatabase, Task> command)
    {
        try
        {
            await command(Db);
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            throw Unavailable(ex);
        }
    }

    private static bool IsStoreFailure(Exception ex) =>
        ex is RedisConnectionException or RedisTimeoutException or RedisException;

    private static JobStoreUnavailableException Unavailable(Exception ex) =>
        new($"The job store (Redis) cannot be reached: {ex.Message}", ex);
}
