using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace FaceBlur.Web.Api;

/// <summary>CORS_ALLOW_ORIGINS: empty = same origin only; otherwise the listed origins may call the API.</summary>
public static class Cors
{
    public sealed class CorsOptions : IValidatableObject
    {
        [ConfigurationKeyName("CORS_ALLOW_ORIGINS")]
        public string AllowOrigins { get; set; } = "";

        public IReadOnlyList<string> Origins =>
            AllowOrigins.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        /// <summary>The rules of <see cref="Validate()"/>, for the options validation every module registers.</summary>
        IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext) =>
            Validate().Select(problem => new ValidationResult(problem));

        public IEnumerable<string> Validate()
        {
            foreach (var origin in Origins)
            {
                if (origin != "*" && (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/"))
                {
                    yield return $"CORS_ALLOW_ORIGINS must be a comma-separated list of origins such as https://example.org ('{origin}' is not one).";
                }
            }
        }
    }

    public static IServiceCollection AddConfiguredCors(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CorsOptions>().Bind(configuration).ValidateDataAnnotations().ValidateOnStart();
        services.AddCors();
        // The policy is built from the bound, validated settings (one parser: CorsOptions.Origins), when first needed.
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>()
            .Configure<IOptions<CorsOptions>>((cors, settings) => cors.AddDefaultPolicy(policy =>
            {
                var origins = settings.Value.Origins;
                if (origins.Contains("*"))
                {
                    policy.AllowAnyOrigin();
                }
                else if (origins.Count > 0)
                {
                    policy.WithOrigins(origins.Select(o => o.TrimEnd('/')).ToArray());
                }

                policy.AllowAnyHeader().WithMethods("GET", "POST").WithExposedHeaders("X-Faces-Detected", "Retry-After", "Content-Disposition");
            }));
        return services;
    }
}
