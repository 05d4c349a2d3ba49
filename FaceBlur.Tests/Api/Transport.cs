using FaceBlur.Tests.Jobs;
using FaceBlur.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace FaceBlur.Tests.Api;

/// <summary>Which queue and store a test host runs with.</summary>
public enum Transport
{
    /// <summary>RABBITMQ_URL and REDIS_URL unset: the zero-setup in-process queue and in-memory store.</summary>
    InProcess,

    /// <summary>Real RabbitMQ and Redis (CI starts both on loopback).</summary>
    RabbitMqRedis,
}

/// <summary>Settings for a transport, with a queue and key prefix of its own, and their removal afterwards.</summary>
internal sealed class TransportScope(Transport transport)
{
    public string QueueName { get; } = TestBroker.NewQueueName();

    public string KeyPrefix { get; } = RedisTestServer.UniquePrefix();

    public Dictionary<string, string?> Settings(IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = transport == Transport.InProcess
            ? new Dictionary<string, string?> { ["RABBITMQ_URL"] = "", ["REDIS_URL"] = "" }
            : new Dictionary<string, string?>
            {
                ["RABBITMQ_URL"] = TestBroker.Url,
                ["REDIS_URL"] = RedisTestServer.Url,
                ["RABBITMQ_QUEUE"] = QueueName,
                ["REDIS_KEY_PREFIX"] = KeyPrefix,
            };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>Fails clearly when the real services are not running; nothing to do in-process.</summary>
    public async Task EnsureAvailableAsync()
    {
        if (transport == Transport.RabbitMqRedis)
        {
            await using var broker = await TestBroker.ConnectOrFailAsync();
            await using var redis = await RedisTestServer.ConnectAsync();
        }
    }

    public async Task CleanUpAsync()
    {
        if (transport == Transport.RabbitMqRedis)
        {
            await using var broker = await TestBroker.ConnectOrFailAsync();
            await TestBroker.DeleteQueuesAsync(broker, QueueName);
            await using var redis = await RedisTestServer.ConnectAsync();
            await RedisTestServer.DeleteKeysAsync(redis, KeyPrefix);
        }
    }
}

/// <summary>
/// A fixture's test host on one transport: checks the services are there, starts the app in-process with the
/// transport's settings (plus <c>extra</c>), and on disposal stops it and removes the transport's queue and keys.
/// </summary>
internal sealed class TransportHost : IAsyncDisposable
{
    private readonly TransportScope _scope;

    private TransportHost(TransportScope scope, FaceBlurFactory factory)
    {
        _scope = scope;
        Factory = factory;
        Client = factory.CreateClient();
    }

    public FaceBlurFactory Factory { get; }

    public HttpClient Client { get; }

    public static async Task<TransportHost> StartAsync(
        Transport transport, IReadOnlyDictionary<string, string?>? extra = null, Action<IServiceCollection>? services = null)
    {
        var scope = new TransportScope(transport);
        await scope.EnsureAvailableAsync();
        return new TransportHost(scope, new FaceBlurFactory(scope.Settings(extra), services));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
        await _scope.CleanUpAsync();
    }
}
