using Microsoft.Extensions.Diagnostics.HealthChecks;
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
/// <para>Every write refreshes the expiry of every key it touches to the TTL. The state transitions run as Lua scripts
/// (<see cref="RedisJobScripts"/>), so they are atomic across instances. Timestamps come from the
/// <see cref="TimeProvider"/>; the expiry itself is kept by Redis (PEXPIRE). All keys of one store share no hash tag,
/// so this targets a single Redis (or a primary with replicas), not Redis Cluster.</para>
/// <para>StackExchange.Redis commands take no cancellation token: a call whose token is cancelled before it starts
/// sends nothing; one cancelled while waiting stops waiting at once (the command may still reach Redis).</para>
/// </remarks>
public sealed class RedisJobStore : IJobStore
{
    /// <summary>The key prefix used when none is given.</summary>
    public const string DefaultKeyPrefix = "faceblur:";

    private const int PurgeBatchSize = 500;

    private readonly IConnectionMultiplexer _redis;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;
    private readonly string _keyPrefix;
    private readonly RedisKey _queueKey;
    private readonly RedisKey _processingKey;
    private readonly RedisKey _seqKey;

    /// <summary>A store on a connection that its owner (the service container) closes.</summary>
    /// <param name="redis">The connection; create it with <c>AbortOnConnectFail=false</c> so the app starts while Redis is down.</param>
    /// <param name="ttl">How long an entry lives after its last change (STORAGE_TTL_MINUTES).</param>
    /// <param name="time">The clock for the timestamps.</param>
    /// <param name="keyPrefix">Put before every key.</param>
    public RedisJobStore(IConnectionMultiplexer redis, TimeSpan ttl, TimeProvider time, string keyPrefix = DefaultKeyPrefix)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(ttl, TimeSpan.FromMilliseconds(1));
        _redis = redis;
        _ttl = ttl;
        _time = time;
        _keyPrefix = keyPrefix;
        _queueKey = keyPrefix + "queue";
        _processingKey = keyPrefix + "processing";
        _seqKey = keyPrefix + "seq";
    }

    private IDatabase Db => _redis.GetDatabase();

    /// <inheritdoc />
    public async Task CreateAsync(JobState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentException.ThrowIfNullOrEmpty(state.TaskId);

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
            db => db.ScriptEvaluateAsync(RedisJobScripts.Create, [JobKey(state.TaskId), _queueKey, _processingKey, _seqKey], args),
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<JobState?> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        var values = await RunAsync(db => db.HashGetAsync(JobKey(taskId), StateFieldNames), cancellationToken);
        var fields = new Dictionary<string, string>(values.Length, StringComparer.Ordinal);
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i].HasValue)
            {
                fields[JobFields.StateFields[i]] = values[i].ToString();
            }
        }

        return fields.Count == 0 ? null : JobFields.FromFields(taskId, fields);
    }

    /// <inheritdoc />
    public async Task<int?> GetQueuePositionAsync(string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        var result = await RunAsync(
            db => db.ScriptEvaluateAsync(RedisJobScripts.QueuePosition, [JobKey(taskId), _queueKey], [CutoffScore()]),
            cancellationToken);
        return result.IsNull ? null : (int)result;
    }

    /// <inheritdoc />
    public async Task<JobState?> TryStartAsync(string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        var now = _time.GetUtcNow();
        var result = await RunAsync(
            db => db.ScriptEvaluateAsync(
                RedisJobScripts.TryStart,
                [JobKey(taskId), _queueKey, _processingKey],
                [TtlMilliseconds, JobFields.FormatTime(now), now.ToUnixTimeMilliseconds(), taskId, JobStages.Detecting]),
            cancellationToken);
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
        var now = _time.GetUtcNow();
        await RunAsync(
            db => db.ScriptEvaluateAsync(
                RedisJobScripts.Progress,
                [JobKey(taskId), _processingKey],
                [
                    TtlMilliseconds, JobFields.FormatTime(now), now.ToUnixTimeMilliseconds(), taskId, stage,
                    JobFields.FormatDouble(clamped),
                ]),
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task CompleteAsync(string taskId, JobResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        ArgumentNullException.ThrowIfNull(result);
        await FinishAsync(
            taskId,
            JobStatus.Succeeded,
            [
                JobFields.Progress, "1",
                JobFields.ResultPath, result.ResultPath,
                JobFields.ResultContentType, result.ContentType,
                JobFields.ResultFileName, result.FileName,
                JobFields.FacesDetected, result.FacesDetected,
                .. (result.Regions is { } regions ? (RedisValue[])[JobFields.Regions, regions] : []),
            ],
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetRegionsAsync(string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        var values = await RunAsync(db => db.HashGetAsync(JobKey(taskId), [JobFields.Status, JobFields.Regions]), cancellationToken);
        return values[0] == "succeeded" && values[1].HasValue ? (byte[]?)values[1] : null;
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        var result = await RunAsync(
            db => db.ScriptEvaluateAsync(RedisJobScripts.Delete, [JobKey(taskId), _queueKey, _processingKey], [taskId]),
            cancellationToken);
        return (int)result == 1;
    }

    /// <inheritdoc />
    public async Task FailAsync(string taskId, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        ArgumentNullException.ThrowIfNull(reason);
        await FinishAsync(taskId, JobStatus.Failed, [JobFields.Error, reason], cancellationToken);
    }

    /// <inheritdoc />
    public async Task<bool> TryMarkServedAsync(string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        var now = _time.GetUtcNow();
        var result = await RunAsync(
            db => db.ScriptEvaluateAsync(RedisJobScripts.MarkServed, [JobKey(taskId)], [TtlMilliseconds, JobFields.FormatTime(now)]),
            cancellationToken);
        return (int)result == 1;
    }

    /// <inheritdoc />
    public async Task ReleaseServedAsync(string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        var now = _time.GetUtcNow();
        await RunAsync(
            db => db.ScriptEvaluateAsync(RedisJobScripts.ReleaseServed, [JobKey(taskId)], [TtlMilliseconds, JobFields.FormatTime(now)]),
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<bool> MarkDeliveredAsync(string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        var now = _time.GetUtcNow();
        var result = await RunAsync(
            db => db.ScriptEvaluateAsync(RedisJobScripts.MarkDelivered, [JobKey(taskId)], [TtlMilliseconds, JobFields.FormatTime(now)]),
            cancellationToken);
        return (int)result == 1;
    }

    /// <inheritdoc />
    public async Task<int> CountProcessingAsync(CancellationToken cancellationToken)
    {
        var count = await RunAsync(
            db => db.SortedSetLengthAsync(_processingKey, CutoffScore(), double.PositiveInfinity), cancellationToken);
        return (int)count;
    }

    /// <inheritdoc />
    /// <remarks>Redis expires the job hashes itself; this drops the index entries of jobs that are gone (entry older
    /// than the TTL, or its hash no longer exists).</remarks>
    public async Task PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        var cutoff = CutoffScore();
        await RunAsync(
            db => Task.WhenAll(
                db.SortedSetRemoveRangeByScoreAsync(_queueKey, double.NegativeInfinity, cutoff, Exclude.Stop),
                db.SortedSetRemoveRangeByScoreAsync(_processingKey, double.NegativeInfinity, cutoff, Exclude.Stop)),
            cancellationToken);

        await PurgeMissingAsync(_queueKey, static member => QueueMemberId(member), cancellationToken);
        await PurgeMissingAsync(_processingKey, static member => member, cancellationToken);
    }

    /// <summary>Healthy when Redis answers a PING now.</summary>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_redis.IsConnected)
        {
            return HealthCheckResult.Unhealthy("Not connected to Redis.");
        }

        try
        {
            await Db.PingAsync().WaitAsync(cancellationToken);
            return HealthCheckResult.Healthy("Redis answers.");
        }
        catch (Exception ex) when (IsStoreFailure(ex, cancellationToken))
        {
            return HealthCheckResult.Unhealthy("Redis does not answer.");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The check's time limit ran out (a frozen Redis holds a PING forever): that is the answer, not an error.
            return HealthCheckResult.Unhealthy("Redis does not answer in time.");
        }
    }

    private static readonly RedisValue[] StateFieldNames = [.. JobFields.StateFields.Select(f => (RedisValue)f)];

    private long TtlMilliseconds => Math.Max(1, (long)Math.Ceiling(_ttl.TotalMilliseconds));

    private RedisKey JobKey(string taskId) => _keyPrefix + "job:" + taskId;

    /// <summary>Index entries scored before this (Unix ms) belong to jobs whose last change is older than the TTL.</summary>
    private double CutoffScore() => (_time.GetUtcNow() - _ttl).ToUnixTimeMilliseconds();

    private static string QueueMemberId(string member)
    {
        var separator = member.IndexOf(':', StringComparison.Ordinal);
        return separator < 0 ? member : member[(separator + 1)..];
    }

    private async Task FinishAsync(string taskId, JobStatus status, RedisValue[] fields, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var args = new RedisValue[4 + fields.Length];
        args[0] = TtlMilliseconds;
        args[1] = JobFields.FormatTime(now);
        args[2] = taskId;
        args[3] = JobFields.FormatStatus(status);
        fields.CopyTo(args, 4);
        await RunAsync(
            db => db.ScriptEvaluateAsync(RedisJobScripts.Finish, [JobKey(taskId), _queueKey, _processingKey], args),
            cancellationToken);
    }

    private async Task PurgeMissingAsync(RedisKey indexKey, Func<string, string> idOf, CancellationToken cancellationToken)
    {
        var members = await RunAsync(db => db.SortedSetRangeByRankAsync(indexKey), cancellationToken);
        foreach (var chunk in members.Chunk(PurgeBatchSize))
        {
            var exists = await RunAsync(
                db => Task.WhenAll(chunk.Select(member => db.KeyExistsAsync(JobKey(idOf(member.ToString()))))),
                cancellationToken);
            var missing = chunk.Where((_, i) => !exists[i]).ToArray();
            if (missing.Length > 0)
            {
                await RunAsync(db => db.SortedSetRemoveAsync(indexKey, missing), cancellationToken);
            }
        }
    }

    /// <summary>
    /// Sends a command unless cancelled already, and waits for it as long as <paramref name="cancellationToken"/>
    /// allows; a Redis failure becomes <see cref="JobStoreUnavailableException"/>.
    /// </summary>
    private async Task<T> RunAsync<T>(Func<IDatabase, Task<T>> command, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return await command(Db).WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (IsStoreFailure(ex, cancellationToken))
        {
            throw Unavailable(ex);
        }
    }

    /// <inheritdoc cref="RunAsync{T}(Func{IDatabase, Task{T}}, CancellationToken)" />
    private async Task RunAsync(Func<IDatabase, Task> command, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            await command(Db).WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (IsStoreFailure(ex, cancellationToken))
        {
            throw Unavailable(ex);
        }
    }

    /// <summary>
    /// Whatever Redis or the client throws when a command does not complete: its own exceptions, a timeout, a
    /// cancellation the caller did not ask for (StackExchange.Redis cancels a command whose connection breaks or that
    /// waited too long in its queue, e.g. while Redis is frozen), and what its connection's plumbing throws when the
    /// connection is torn down under a command (an <see cref="InvalidOperationException"/> "Reading is not allowed after
    /// reader was completed" from its pipe, seen after time-outs on a frozen Redis; an <see cref="IOException"/>; a
    /// disposed connection). Only the client's calls run inside these wrappers, so none of these is a bug of ours.
    /// </summary>
    internal static bool IsStoreFailure(Exception ex, CancellationToken cancellationToken = default) =>
        ex is RedisException or TimeoutException or IOException or InvalidOperationException /* also ObjectDisposedException */
        || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private static JobStoreUnavailableException Unavailable(Exception ex) =>
        new($"The job store (Redis) cannot be reached: {ex.Message}", ex);
}
