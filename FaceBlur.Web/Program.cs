using System.Text.Json;
using FaceBlur.Modules.Processing;
using FaceBlur.Web.Api;
using FaceBlur.Web.Hosting;
using Microsoft.Extensions.Options;

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
            var builder = WebApplication.CreateBuilder(args);
            configure?.Invoke(builder);
            builder.ConfigureLogging();
            builder.Services.ConfigureHttpJsonOptions(o =>
            {
                o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
                o.SerializerOptions.DictionaryKeyPolicy = null;
            });
            builder.Services.AddProcessing(builder.Configuration);

            var app = builder.Build();
            app.UseDefaultFiles();
            app.UseStaticFiles();
            app.MapHealth();
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
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
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

            app.MapGet("/", () => Results.Content(PlaceholderHtml, "text/html; charset=utf-8")).ExcludeFromDescription();
        }

        private const string PlaceholderHtml = """
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>FaceBlur</title></head>
            <body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
            <h1>FaceBlur</h1>
            <p>The service is running. The web page is not built yet; the API's state is at <a href="/health">/health</a>.</p>
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
            InvalidOperationException { InnerException: { } inner } => Describe(inner),
            _ => null,
        };
    }
}

/// <summary>Entry point type, visible to <c>WebApplicationFactory</c> in the tests.</summary>
public partial class Program;
