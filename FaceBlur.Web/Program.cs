using System.Text.Json;
using System.Text.Json.Serialization;
using FaceBlur.Modules.Processing;
using FaceBlur.Modules.Processing.Detection;
using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Modules.Stats;
using FaceBlur.Web.Api;
using FaceBlur.Web.Cleanup;
using FaceBlur.Web.Hosting;
using FaceBlur.Web.Monitoring;
using FaceBlur.Web.Results;
using FaceBlur.Web.Spa;
using FaceBlur.Web.Upload;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

try
{
    var app = FaceBlurApp.Build(args);
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (StartupError.Describe(ex) is { } line)
{
    // A setting that cannot be used stops the app with one clear line naming it, not a stack trace.
    await Console.Error.WriteLineAsync($"FaceBlur cannot start: {line}");
    return 1;
}

namespace FaceBlur.Web.Hosting
{
    /// <summary>The composition root: every module is added and mapped here, and nowhere else.</summary>
    public static class FaceBlurApp
    {
        public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
        {
            // The web root is where the SPA's build lands beside the app (bin/.../wwwroot, publish/wwwroot), whatever
            // the content root is (run.sh passes the repository root).
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, WebRootPath = SpaHosting.WebRoot });
            // The defaults travel beside the app (appsettings.json is copied to the output); the content root's
            // appsettings.json, the environment and the command line override them, in that order.
            builder.Configuration.Sources.Insert(0, new JsonConfigurationSource
            {
                FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
                Path = "appsettings.json",
                Optional = true,
            });
            configure?.Invoke(builder);
            builder.ConfigureLogging();
            builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
            builder.Services.ConfigureHttpJsonOptions(o =>
            {
                o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
                o.SerializerOptions.DictionaryKeyPolicy = null;
                o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            });
            builder.Services.AddSingleton(TimeProvider.System);
            // Before the job worker, so the stats database is migrated before the first job can end.
            builder.Services.AddStats(builder.Configuration);
            builder.Services.AddProcessing(builder.Configuration);
            builder.Services.AddJobs(builder.Configuration);
            builder.Services.AddUpload(builder.Configuration);
            builder.Services.AddUploadRateLimiting(builder.Configuration);
            builder.Services.AddCleanup(builder.Configuration);
            builder.Services.AddApiErrorHandling();
            builder.Services.AddConfiguredCors(builder.Configuration);
            builder.Services.AddOpenApi();
            builder.Services.AddMonitoring();

            var app = builder.Build();
            app.UseSecurityHeaders();
            app.UseApiErrorHandling();
            app.UseCors();
            app.UseSpaStaticFiles();
            app.UseUploadAccounting();
            app.UseRateLimiter();
            app.MapServiceEndpoints();
            app.MapUploadEndpoints();
            app.MapResultEndpoints();
            app.MapStats();
            app.MapMonitoring();
            app.MapOpenApi();
            app.MapScalarApiReference(SecurityHeaders.ApiReferencePath);
            app.MapPlaceholderPage();
            return app;
        }

        private static void ConfigureLogging(this WebApplicationBuilder builder)
        {
            var configured = builder.Configuration["LOG_LEVEL"];
            if (!Enum.TryParse<LogLevel>(configured, ignoreCase: true, out var level) || !Enum.IsDefined(level))
            {
                throw new OptionsValidationException(
                    "LOG_LEVEL",
                    typeof(string),
                    [$"LOG_LEVEL must be one of Trace, Debug, Information, Warning, Error, Critical, None (got '{configured}')."]);
            }

            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(level);
            // Structured logs, one JSON line per event.
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = false;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
                o.JsonWriterOptions = new JsonWriterOptions { Indented = false };
            });
        }

        /// <summary>Until the SPA is built into wwwroot, <c>/</c> answers a small page that says so.</summary>
        private static void MapPlaceholderPage(this WebApplication app)
        {
            if (app.Environment.WebRootFileProvider.GetFileInfo("index.html").Exists)
            {
                return;
            }

            app.MapGet("/", () => TypedResults.Content(PlaceholderHtml, "text/html; charset=utf-8")).ExcludeFromDescription();
        }

        private const string PlaceholderHtml = """
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>FaceBlur</title></head>
            <body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
            <h1>FaceBlur</h1>
            <p>The service is running; the web page is not built yet. Use the API: <a href="/api-reference">API reference</a>,
            <a href="/health">/health</a>, <a href="/limits">/limits</a>.</p>
            </body>
            </html>
            """;
    }

    /// <summary>Turns the exceptions a bad setting causes at start into one line for the console.</summary>
    public static class StartupError
    {
        public static string? Describe(Exception ex) => ex switch
        {
            OptionsValidationException o => string.Join(" ", o.Failures),
            AggregateException { InnerExceptions.Count: 1 } a => Describe(a.InnerException!),
            FileNotFoundException f => f.Message,
            DetectorModelException d => d.Message,
            OnnxRuntimeTelemetryException t => t.Message,
            // The configuration binder names the setting it could not convert ("Failed to convert configuration value ...").
            InvalidOperationException { InnerException: ArgumentException } bind when bind.Message.Contains("configuration value", StringComparison.Ordinal) => bind.Message,
            InvalidOperationException { InnerException: { } inner } => Describe(inner),
            _ => null,
        };
    }
}
