using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using FaceBlur.Web.Api;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace FaceBlur.Web.Monitoring;

/// <summary>
/// METRICS_TOKEN: empty (the default) leaves <c>/metrics</c> open; set, a scrape must send
/// <c>Authorization: Bearer &lt;token&gt;</c> (Prometheus: <c>authorization</c> in its scrape config) or gets 401
/// <c>unauthorized</c> in the error envelope.
/// </summary>
public static class MetricsToken
{
    /// <summary>Shortest token accepted: a scrape endpoint has no rate limit, so a short token could be guessed.</summary>
    public const int MinLength = 16;

    public sealed class MetricsOptions : IValidatableObject
    {
        [ConfigurationKeyName("METRICS_TOKEN")]
        public string Token { get; set; } = "";

        /// <summary>The rules of <see cref="Validate()"/>, for the options validation every module registers.</summary>

        IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext) =>

            Validate().Select(problem => new ValidationResult(problem));


        public IEnumerable<string> Validate()
        {
            if (Token.Length == 0)
            {
                yield break;
            }

            // Never the value itself in the message: it is a secret.
            if (Token.Any(c => c is <= ' ' or > '~'))
            {
                yield return "METRICS_TOKEN must be printable ASCII without spaces (it is sent in an HTTP header).";
            }
            else if (Token.Length < MinLength)
            {
                yield return $"METRICS_TOKEN must be at least {MinLength} characters (e.g. the output of `openssl rand -hex 32`).";
            }
        }
    }

    public static IServiceCollection AddMetricsToken(this IServiceCollection services)
    {
        services.AddOptions<MetricsOptions>()
            .Configure<IConfiguration>((options, configuration) => configuration.Bind(options))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return services;
    }

    /// <summary>In the <c>/metrics</c> branch, before the exporter: refuses a scrape without the token, when one is set.</summary>
    public static void RequireMetricsToken(IApplicationBuilder branch)
    {
        var token = branch.ApplicationServices.GetRequiredService<IOptions<MetricsOptions>>().Value.Token;
        if (token.Length == 0)
        {
            return;
        }

        // Hashes of equal length, compared in constant time: the answer's timing says nothing about the token.
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        branch.Use(async (context, next) =>
        {
            if (Presented(context.Request) is { } presented
                && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), expected))
            {
                await next(context);
                return;
            }

            context.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer realm=\"metrics\"";
            await ApiErrors.WriteAsync(
                context,
                ApiErrors.Unauthorized,
                "The metrics require a token: send Authorization: Bearer <METRICS_TOKEN>.");
        });
    }

    /// <summary>The credentials of an <c>Authorization: Bearer ...</c> header (scheme in any case), else null.</summary>
    private static string? Presented(HttpRequest request)
    {
        var header = request.Headers.Authorization;
        if (header.Count != 1 || header[0] is not { } value)
        {
            return null;
        }

        const string scheme = "Bearer ";
        return value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? value[scheme.Length..].Trim() : null;
    }
}
