using FaceBlur.Modules.Processing.Jobs.RabbitMq;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FaceBlur.Modules.Processing.Jobs;

public static class JobsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the job layer. The transports are chosen here, once, by configuration: RABBITMQ_URL set = RabbitMQ,
    /// else the in-process queue; REDIS_URL set = Redis, else the in-memory store. Also the job service (the one owner of a job), the
    /// runner and the worker (a hosted service).
    /// </summary>
    public static IServiceCollection AddJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<JobsOptions>()
            .Bind(configuration)
            .PostConfigure<IHostEnvironment>((o, env) => o.BasePath = env.ContentRootPath)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<JobsOptions>>().Value);
        // The container owns the Redis connection and closes it at shutdown; only the Redis store asks for it.
        services.AddSingleton<IConnectionMultiplexer>(ConnectRedis);
        services.AddSingleton<IJobStore>(CreateStore);
        services.AddSingleton<IJobQueue>(CreateQueue);
        services.AddSingleton<JobService>();
        services.AddSingleton<JobRunner>();
        services.AddSingleton<JobMetrics>();
        services.AddHostedService<JobWorker>();
        services.AddHealthChecks()
            .Add(new HealthCheckRegistration(QueueCheck, sp => sp.GetRequiredService<IJobQueue>(), HealthStatus.Unhealthy, null, HealthCheckTimeout))
            .Add(new HealthCheckRegistration(StoreCheck, sp => sp.GetRequiredService<IJobStore>(), HealthStatus.Unhealthy, null, HealthCheckTimeout));
        return services;
    }

    /// <summary>The queue's health check in /health.</summary>
    public const string QueueCheck = "queue";

    /// <summary>The job store's health check in /health (the SPEC's "result store").</summary>
    public const string StoreCheck = "result_store";

    private static readonly TimeSpan HealthCheckTimeout = TimeSpan.FromSeconds(2);

    /// <summary>REDIS_URL as StackExchange.Redis options: its own syntax (<c>host:6379,password=…</c>) or a redis:// URL.</summary>
    public static ConfigurationOptions ParseRedisUrl(string value)
    {
        ConfigurationOptions options;
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "redis" or "rediss")
        {
            options = new ConfigurationOptions { Ssl = uri.Scheme == "rediss" };
            options.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? 6379 : uri.Port);
            var credentials = Uri.UnescapeDataString(uri.UserInfo);
            if (credentials.Length > 0)
            {
                var colon = credentials.IndexOf(':', StringComparison.Ordinal);
                options.User = colon > 0 ? credentials[..colon] : null;
                options.Password = colon >= 0 ? credentials[(colon + 1)..] : credentials;
            }

            if (int.TryParse(uri.AbsolutePath.Trim('/'), out var database))
            {
                options.DefaultDatabase = database;
            }
        }
        else
        {
            options = ConfigurationOptions.Parse(value);
        }

        // Start while Redis is down and reconnect in the background; while it is down, fail calls at once (503).
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 3000);
        return options;
    }

    private static IJobStore CreateStore(IServiceProvider services)
    {
        var options = services.GetRequiredService<JobsOptions>();
        var time = services.GetRequiredService<TimeProvider>();
        if (string.IsNullOrWhiteSpace(options.RedisUrl))
        {
            return new InMemoryJobStore(options.StorageTtl, time);
        }

        var redis = services.GetRequiredService<IConnectionMultiplexer>();
        return new RedisJobStore(redis, options.StorageTtl, time, options.RedisKeyPrefix);
    }

    private static IConnectionMultiplexer ConnectRedis(IServiceProvider services)
    {
        var options = services.GetRequiredService<JobsOptions>();
        if (string.IsNullOrWhiteSpace(options.RedisUrl))
        {
            throw new InvalidOperationException("REDIS_URL is not set: there is no Redis connection (job state is in memory).");
        }

        return ConnectionMultiplexer.Connect(ParseRedisUrl(options.RedisUrl));
    }

    private static IJobQueue CreateQueue(IServiceProvider services)
    {
        var options = services.GetRequiredService<JobsOptions>();
        if (string.IsNullOrWhiteSpace(options.RabbitMqUrl))
        {
            return new InProcessJobQueue(options.DeliveryLimit, services.GetService<ILogger<InProcessJobQueue>>());
        }

        return new RabbitMqJobQueue(
            new RabbitMqQueueOptions(options.RabbitMqUrl, options.RabbitMqQueue, options.DeliveryLimit),
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILogger<RabbitMqJobQueue>>());
    }
}
