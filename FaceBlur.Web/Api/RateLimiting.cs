using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;

namespace FaceBlur.Web.Api;

/// <summary>BLUR_RATE_LIMIT ("10/minute", "100/hour", "5/second", "1000/day") per client IP on the upload routes.</summary>
public static class RateLimiting
{
    public const string UploadPolicy = "uploads";

    public sealed class RateLimitOptions : IValidatableObject
    {
        [ConfigurationKeyName("BLUR_RATE_LIMIT")]
        public string BlurRateLimit { get; set; } = "10/minute";

        /// <summary>The rules of <see cref="Validate()"/>, for the options validation every module registers.</summary>

        IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext) =>

            Validate().Select(problem => new ValidationResult(problem));


        public IEnumerable<string> Validate()
        {
            if (!TryParse(BlurRateLimit, out _, out _))
            {
                yield return $"BLUR_RATE_LIMIT must look like 10/minute (a count per second, minute, hour or day), not '{BlurRateLimit}'.";
            }
        }
    }

    /// <summary>Parses "N/unit" (unit: second, minute, hour, day, singular or plural, or s/m/h/d).</summary>
    public static bool TryParse(string? value, out int permits, out TimeSpan window)
    {
        permits = 0;
        window = TimeSpan.Zero;
        var parts = value?.Split('/', StringSplitOptions.TrimEntries);
        if (parts is not { Length: 2 }
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out permits)
            || permits < 1)
        {
            return false;
        }

        window = parts[1].ToLowerInvariant() switch
        {
            "s" or "sec" or "second" or "seconds" => TimeSpan.FromSeconds(1),
            "m" or "min" or "minute" or "minutes" => TimeSpan.FromMinutes(1),
            "h" or "hour" or "hours" => TimeSpan.FromHours(1),
            "d" or "day" or "days" => TimeSpan.FromDays(1),
            _ => TimeSpan.Zero,
        };
        return window > TimeSpan.Zero;
    }

    public static IServiceCollection AddUploadRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().Bind(configuration).ValidateDataAnnotations().ValidateOnStart();
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(UploadPolicy, context =>
            {
                var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                var configured = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<RateLimitOptions>>().Value;
                if (!TryParse(configured.BlurRateLimit, out var permits, out var window))
                {
                    // Unreachable after start-up validation; refuse nothing rather than everything.
                    return RateLimitPartition.GetNoLimiter(client);
                }

                return RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = permits,
                    Window = window,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
                    : 60;
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await ApiErrors.WriteAsync(
                    context.HttpContext,
                    ApiErrors.RateLimited,
                    $"Too many uploads; try again in {seconds} s.",
                    new Dictionary<string, object?> { ["retry_after_seconds"] = seconds });
            };
        });
        return services;
    }
}
