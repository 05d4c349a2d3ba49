using System.Text.Json;
using System.Text.Json.Serialization;
using FaceBlur.Web.Api;
using FaceBlur.Web.Spa;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace FaceBlur.Web.Hosting;

/// <summary>What the host sets up before any module: where settings come from, logging, Kestrel, JSON, the clock.</summary>
public static class HostDefaults
{
    public static WebApplicationBuilder CreateBuilder(string[] args, Action<WebApplicationBuilder>? configure)
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
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            RequestLimits.ConfigureKestrel(k);
        });
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DictionaryKeyPolicy = null;
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        });
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>LOG_LEVEL, and structured logs: one JSON line per event.</summary>
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
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = false;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            o.UseUtcTimestamp = true;
            o.JsonWriterOptions = new JsonWriterOptions { Indented = false };
        });
    }
}
