using FaceBlur.Web.Api;
using FaceBlur.Web.Cleanup;
using FaceBlur.Web.Monitoring;
using FaceBlur.Web.Results;
using FaceBlur.Web.Spa;
using FaceBlur.Web.Upload;
using Scalar.AspNetCore;

namespace FaceBlur.Web.Hosting;

/// <summary>The host's own module: the HTTP surface over Processing and Stats (upload, results, service endpoints,
/// errors, limits, monitoring, the API document and the page).</summary>
public static class WebApiExtensions
{
    public static IServiceCollection AddWebApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddApiErrorHandling();
        services.AddConfiguredCors(configuration);
        services.AddUploadRateLimiting(configuration);
        services.AddUpload(configuration);
        services.AddCleanup(configuration);
        services.AddApiDocument();
        services.AddMonitoring();
        return services;
    }

    /// <summary>The middleware, in order: headers and errors first, so every answer below them gets both.</summary>
    public static WebApplication UseWebApi(this WebApplication app)
    {
        app.UseSecurityHeaders();
        app.UseApiErrorHandling();
        app.UseCors();
        app.UseSpaStaticFiles();
        app.UseUploadAccounting();
        app.UseRateLimiter();
        return app;
    }

    public static WebApplication MapWebApi(this WebApplication app)
    {
        app.MapServiceEndpoints();
        app.MapUploadEndpoints();
        app.MapResultEndpoints();
        app.MapMonitoring();
        app.MapOpenApi();
        app.MapScalarApiReference(SecurityHeaders.ApiReferencePath, options =>
        {
            // The reference page phones nowhere: no telemetry, no fonts from a CDN, no AI chat or MCP, no proxy for
            // "try it" requests (they go straight to this server), and its CSP allows connections to this server only.
            options.Title = "FaceBlur API";
            options.Telemetry = false;
            options.DefaultFonts = false;
            options.ProxyUrl = null;
            options.Agent = new ScalarAgentOptions { Disabled = true };
            options.Mcp = new ScalarMcpOptions { Disabled = true };
            options.ShowDeveloperTools = DeveloperToolsVisibility.Never;
        });
        app.MapPlaceholderPage();
        return app;
    }
}
