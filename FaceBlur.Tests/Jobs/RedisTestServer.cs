using StackExchange.Redis;

namespace FaceBlur.Tests.Jobs;

/// <summary>
/// The Redis the tests run against: <c>REDIS_TEST_URL</c> (default 127.0.0.1:6379). CI always has one, so an
/// unreachable Redis fails the tests (never skips them).
/// </summary>
internal static class RedisTestServer
{
    public static string Url =>
        Environment.GetEnvironmentVariable("REDIS_TEST_URL") is { Length: > 0 } url ? url : "127.0.0.1:6379";

    /// <summary>Connects (to <paramref name="url"/>, default <see cref="Url"/>) or fails the calling test (or fixture) with a message saying what to do.</summary>
    public static async Task<ConnectionMultiplexer> ConnectAsync(string? url = null)
    {
        url ??= Url;
        var options = ConfigurationOptions.Parse(url);
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = 3000;
        options.ConnectRetry = 1;
        try
        {
            return await ConnectionMultiplexer.ConnectAsync(options);
        }
        catch (RedisConnectionException ex)
        {
            Assert.Fail(
                $"Redis is not reachable at '{url}' (set REDIS_TEST_URL, or start redis-server on 127.0.0.1:6379): "
                + ex.Message);
            throw;
        }
    }

    /// <summary>A key prefix no other test uses.</summary>
    public static string UniquePrefix() => $"faceblur-test:{Guid.NewGuid():N}:";

    /// <summary>Deletes every key under <paramref name="prefix"/>.</summary>
    public static async Task DeleteKeysAsync(IConnectionMultiplexer redis, string prefix)
    {
        var db = redis.GetDatabase();
        foreach (var server in redis.GetServers())
        {
            if (server.IsReplica || !server.IsConnected)
            {
                continue;
            }

            var keys = new List<RedisKey>();
            await foreach (var key in server.KeysAsync(db.Database, prefix + "*"))
            {
                keys.Add(key);
            }

            if (keys.Count > 0)
            {
                await db.KeyDeleteAsync([.. keys]);
            }
        }
    }
}
