namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>
/// The state transitions of <see cref="RedisJobStore"/> as Lua scripts, so each is atomic across instances. Every
/// script refreshes the expiry (PEXPIRE, the TTL in ms) of every key it touches.
/// </summary>
internal static class RedisJobScripts
{
    /// <summary>
    /// A new job (replacing any entry with its id): the hash, and its entry in the queue (member = zero-padded creation
    /// sequence number, ':' and the id) or processing index. KEYS: job, queue, processing, seq. ARGV: TTL (ms), creation
    /// time (Unix ms, the queue score), id, status, last change (Unix ms, the processing score), then field/value pairs.
    /// </summary>
    public const string Create = """
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

    /// <summary>
    /// The 1-based position of a queued job among the queued entries not older than the TTL, or nil. KEYS: job, queue.
    /// ARGV: the cut-off score (Unix ms).
    /// </summary>
    public const string QueuePosition = """
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

    /// <summary>
    /// Queued or processing (a redelivery) to processing: out of the queue, one more attempt, into the processing index;
    /// returns the hash after the change, or nil for an unknown or terminal job. KEYS: job, queue, processing. ARGV: TTL
    /// (ms), now (formatted), now (Unix ms), id, the first stage.
    /// </summary>
    public const string TryStart = """
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

    /// <summary>
    /// Stage and progress of a processing job (ignored otherwise); refreshes its processing score. KEYS: job, processing.
    /// ARGV: TTL (ms), now (formatted), now (Unix ms), id, stage, progress.
    /// </summary>
    public const string Progress = """
        if redis.call('HGET', KEYS[1], 'status') ~= 'processing' then return 0 end
        redis.call('HSET', KEYS[1], 'stage', ARGV[5], 'progress', ARGV[6], 'updated', ARGV[2])
        redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
        redis.call('PEXPIRE', KEYS[2], ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return 1
        """;

    /// <summary>
    /// A job that is not terminal yet to succeeded or failed, out of both indexes (ignored for an unknown or terminal
    /// job). KEYS: job, queue, processing. ARGV: TTL (ms), now (formatted), id, status, then field/value pairs to set.
    /// </summary>
    public const string Finish = """
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

    /// <summary>Marks a succeeded result served; 1 for the first caller only. KEYS: job. ARGV: TTL (ms), now (formatted).</summary>
    public const string MarkServed = """
        if redis.call('HGET', KEYS[1], 'status') ~= 'succeeded' then return 0 end
        if redis.call('HGET', KEYS[1], 'served') == '1' then return 0 end
        redis.call('HSET', KEYS[1], 'served', '1', 'updated', ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return 1
        """;

    /// <summary>
    /// Undoes <see cref="MarkServed"/> for a succeeded job not yet delivered. KEYS: job. ARGV: TTL (ms), now (formatted).
    /// </summary>
    public const string ReleaseServed = """
        if redis.call('HGET', KEYS[1], 'status') ~= 'succeeded' then return 0 end
        if redis.call('HGET', KEYS[1], 'served') ~= '1' then return 0 end
        if redis.call('HEXISTS', KEYS[1], 'delivered') == 1 then return 0 end
        redis.call('HSET', KEYS[1], 'served', '0', 'updated', ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return 1
        """;

    /// <summary>
    /// Records the first delivery of a succeeded result (served, delivered = now); 1 for the first caller only. KEYS:
    /// job. ARGV: TTL (ms), now (formatted).
    /// </summary>
    public const string MarkDelivered = """
        if redis.call('HGET', KEYS[1], 'status') ~= 'succeeded' then return 0 end
        if redis.call('HEXISTS', KEYS[1], 'delivered') == 1 then return 0 end
        redis.call('HSET', KEYS[1], 'served', '1', 'delivered', ARGV[2], 'updated', ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return 1
        """;

    /// <summary>
    /// Forgets a job (cancel): out of both indexes, its hash (state and regions) deleted; 1 when it existed. KEYS: job,
    /// queue, processing. ARGV: id.
    /// </summary>
    public const string Delete = """
        local qm = redis.call('HGET', KEYS[1], 'qm')
        if qm then redis.call('ZREM', KEYS[2], qm) end
        redis.call('ZREM', KEYS[3], ARGV[1])
        return redis.call('DEL', KEYS[1])
        """;
}
