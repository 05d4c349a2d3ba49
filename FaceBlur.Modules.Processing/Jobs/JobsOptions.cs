using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace FaceBlur.Modules.Processing.Jobs;

/// <summary>Queue, store, storage and worker settings (SPEC's configuration table).</summary>
public sealed class JobsOptions : IValidatableObject
{
    /// <summary>amqp URL of RabbitMQ; empty = the in-process queue (jobs do not survive a restart).</summary>
    [ConfigurationKeyName("RABBITMQ_URL")]
    public string RabbitMqUrl { get; set; } = "";

    /// <summary>Redis connection string for job state; empty = the in-memory store.</summary>
    [ConfigurationKeyName("REDIS_URL")]
    public string RedisUrl { get; set; } = "";

    /// <summary>Name of the RabbitMQ job queue (its dead-letter queue is this name + ".dead").</summary>
    [ConfigurationKeyName("RABBITMQ_QUEUE")]
    public string RabbitMqQueue { get; set; } = "faceblur.jobs";

    /// <summary>Put before every Redis key, so several deployments can share one Redis.</summary>
    [ConfigurationKeyName("REDIS_KEY_PREFIX")]
    public string RedisKeyPrefix { get; set; } = "faceblur:";

    /// <summary>Uploads and results on disk (a shared volume when several instances run).</summary>
    [ConfigurationKeyName("STORAGE_DIR")]
    public string StorageDir { get; set; } = "storage";

    [ConfigurationKeyName("STORAGE_TTL_MINUTES")]
    public double StorageTtlMinutes { get; set; } = 60;

    /// <summary>Jobs processed at once by one instance; 0 = the number of cores.</summary>
    [ConfigurationKeyName("WORKER_CONCURRENCY")]
    public int WorkerConcurrency { get; set; }

    /// <summary>False runs an API-only instance: it accepts and serves jobs, other instances process them.</summary>
    [ConfigurationKeyName("WORKER_ENABLED")]
    public bool WorkerEnabled { get; set; } = true;

    /// <summary>Deliveries of one job before it is dead-lettered and ends failed (a job that crashes the worker).</summary>
    [ConfigurationKeyName("JOB_DELIVERY_LIMIT")]
    public int DeliveryLimit { get; set; } = 3;

    /// <summary>
    /// Time an images job may take per image of up to <see cref="ImageTimeoutMegapixels"/> before it ends failed and frees
    /// its worker (a pathological file must not hold a worker for minutes; a 12 MP photo takes a few seconds on 2 cores).
    /// A larger photo gets proportionally more (see <see cref="ImageTimeLimit"/>).
    /// </summary>
    [ConfigurationKeyName("IMAGE_TIMEOUT_SECONDS")]
    public double ImageTimeoutSeconds { get; set; } = 60;

    /// <summary>
    /// How long a delivered result stays for a client that resumes its download (a Range request whose If-Range names
    /// the result); plain requests get <c>result_gone</c> from the moment it was delivered. 0 deletes it at once.
    /// </summary>
    [ConfigurationKeyName("RESULT_RESUME_SECONDS")]
    public double ResultResumeSeconds { get; set; } = 120;

    /// <summary>The directory relative paths are resolved against (the content root); not a setting.</summary>
    public string BasePath { get; set; } = Directory.GetCurrentDirectory();

    public TimeSpan StorageTtl => TimeSpan.FromMinutes(StorageTtlMinutes);

    public TimeSpan ImageTimeout => TimeSpan.FromSeconds(ImageTimeoutSeconds);

    /// <summary>The photo size <see cref="ImageTimeoutSeconds"/> is for: a phone's photo.</summary>
    public const double ImageTimeoutMegapixels = 12;

    /// <summary>
    /// The time limit of an images job: <see cref="ImageTimeout"/> per image, times its megapixels over
    /// <see cref="ImageTimeoutMegapixels"/> for a larger one. The search works in tiles, so its time grows with the
    /// pixels: a 50 MP photo takes about three times a 12 MP one, and a busy machine must not fail it where a 12 MP photo
    /// passes. An image whose size is not known counts as one of that size.
    /// </summary>
    public TimeSpan ImageTimeLimit(IEnumerable<(int Width, int Height)?> imageSizes)
    {
        ArgumentNullException.ThrowIfNull(imageSizes);
        var shares = imageSizes.Sum(size => size is { } s ? Math.Max(1, (double)s.Width * s.Height / 1e6 / ImageTimeoutMegapixels) : 1);
        return ImageTimeout * shares;
    }

    public TimeSpan ResultResumeGrace => TimeSpan.FromSeconds(ResultResumeSeconds);

    public int EffectiveConcurrency => WorkerConcurrency > 0 ? WorkerConcurrency : Environment.ProcessorCount;

    public string StorageRoot => Path.GetFullPath(Path.Combine(BasePath, StorageDir));

    /// <summary>The rules of <see cref="Validate()"/>, for the options validation every module registers.</summary>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext) =>
        Validate().Select(problem => new ValidationResult(problem));

    public IEnumerable<string> Validate()
    {
        if (!string.IsNullOrWhiteSpace(RabbitMqUrl)
            && (!Uri.TryCreate(RabbitMqUrl, UriKind.Absolute, out var amqp) || amqp.Scheme is not ("amqp" or "amqps")))
        {
            yield return "RABBITMQ_URL must be an amqp:// or amqps:// URL (or empty for the in-process queue).";
        }

        if (string.IsNullOrWhiteSpace(RabbitMqQueue) || RabbitMqQueue.Length > 200)
        {
            yield return "RABBITMQ_QUEUE must be a queue name of 1 to 200 characters.";
        }

        if (string.IsNullOrEmpty(RedisKeyPrefix))
        {
            yield return "REDIS_KEY_PREFIX must not be empty.";
        }

        if (string.IsNullOrWhiteSpace(StorageDir))
        {
            yield return "STORAGE_DIR must not be empty.";
        }

        if (!(StorageTtlMinutes > 0))
        {
            yield return "STORAGE_TTL_MINUTES must be a positive number.";
        }

        if (WorkerConcurrency < 0 || WorkerConcurrency > 256)
        {
            yield return "WORKER_CONCURRENCY must be between 0 (number of cores) and 256.";
        }

        if (!(ImageTimeoutSeconds > 0 && ImageTimeoutSeconds <= 3600))
        {
            yield return "IMAGE_TIMEOUT_SECONDS must be between 0 (exclusive) and 3600.";
        }

        if (RedisUrlProblem() is { } problem)
        {
            yield return $"REDIS_URL must be a Redis connection string such as localhost:6379 or redis://host:6379 ({problem}).";
        }

        if (!(ResultResumeSeconds >= 0 && ResultResumeSeconds <= 3600))
        {
            yield return "RESULT_RESUME_SECONDS must be between 0 and 3600.";
        }

        if (DeliveryLimit < 1 || DeliveryLimit > 100)
        {
            yield return "JOB_DELIVERY_LIMIT must be between 1 and 100.";
        }
    }

    /// <summary>Why REDIS_URL cannot be used, or null (empty is fine: the in-memory store).</summary>
    private string? RedisUrlProblem()
    {
        if (string.IsNullOrWhiteSpace(RedisUrl))
        {
            return null;
        }

        try
        {
            return JobsServiceCollectionExtensions.ParseRedisUrl(RedisUrl).EndPoints.Count == 0 ? "names no server" : null;
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }
    }
}
